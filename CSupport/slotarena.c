/*
 * slotarena.c: exact-size cell pools and sized blocks over one private
 * jemalloc arena (or mmap + malloc in the build without jemalloc).
 *
 * Model. An arena keeps a list of pools, one per cell size. A pool keeps a
 * list of slabs (newest first) and a LIFO free list threaded through free
 * cells at offset 8. A slab is one large allocation: a 64-byte slab header,
 * then cells of the pool's size back to back, carved lazily from the front;
 * slabs grow from 64 KiB to 1 MiB as the pool grows, each a jemalloc large
 * size class so no size-class rounding is wasted (jemalloc 5.3 adds one 4 KiB
 * guard page to each, 0.4% of a 1 MiB slab). Blocks carry a 16-byte prefix
 * linking them into the arena's block list, so reset can free them all.
 *
 * Invariants.
 *   1. A slab stays with its pool until the arena is destroyed, so every cell
 *      address keeps a header of that pool; generations only ever grow, and a
 *      cell whose generation reaches SLOTARENA_GEN_RETIRED leaves circulation.
 *   2. A free cell's header holds only its (already advanced) generation;
 *      class and presence bits are zero, so no handle can match it.
 *   3. live + free + retired == carved for every pool; allocated_bytes is the
 *      sum of live cell sizes and live block sizes (prefix included).
 *   4. Every address the arena handed out stays mapped after destroy, as
 *      read-only zero pages: the jemalloc extent hooks never unmap, and the
 *      destroy hook (or, in the system backend, slotarena_destroy) replaces
 *      the pages with fresh read-only anonymous ones.
 */
#include "slotarena.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#if SLOTARENA_USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOTARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SLOTARENA_ASAN 1
#endif

#if SLOTARENA_ASAN
#include <sanitizer/asan_interface.h>
#define SLOTARENA_POISON(p, n) __asan_poison_memory_region((p), (n))
#define SLOTARENA_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
/* Pool internals read and write free cells (the free-list link) on purpose. */
#define SLOTARENA_NO_ASAN __attribute__((no_sanitize("address")))
#else
#define SLOTARENA_POISON(p, n) ((void)(p), (void)(n))
#define SLOTARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#define SLOTARENA_NO_ASAN
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

_Static_assert(sizeof(uint64_t) == SLOTARENA_HEADER_BYTES, "header is one 64-bit word");
_Static_assert(SLOTARENA_CLASS_SHIFT + SLOTARENA_CLASS_BITS == SLOTARENA_GEN_SHIFT,
               "class id ends where the generation starts");
_Static_assert(SLOTARENA_GEN_SHIFT + SLOTARENA_GEN_BITS == 64, "generation fills the top bits");
_Static_assert(SLOTARENA_PRESENCE_BITS == SLOTARENA_CLASS_SHIFT, "presence bits come first");
_Static_assert(SLOTARENA_MIN_CELL >= 2 * sizeof(void *), "a free cell holds header and link");
_Static_assert(sizeof(void *) == 8, "64-bit targets only");

#define GEN_MASK (~(uint64_t)0 << SLOTARENA_GEN_SHIFT)
#define SLAB_HEADER 64u
#define SLAB_MIN ((size_t)64 << 10)
#define SLAB_MAX ((size_t)1 << 20)
#define FREE_LINK_OFFSET 8

/* At the start of every slab. */
typedef struct slotarena_slab {
    struct slotarena_slab *next; /* offset 0: older slab of the same pool */
    uint64_t bytes;              /* offset 8: size of the slab allocation */
    uint64_t carved;             /* offset 16: cells carved so far */
    uint64_t capacity;           /* offset 24: cells that fit */
} slotarena_slab;
_Static_assert(sizeof(slotarena_slab) <= SLAB_HEADER, "slab header fits before the first cell");

struct slotarena_pool {
    slotarena *arena;            /* offset 0 */
    struct slotarena_pool *next; /* offset 8: next pool of the arena */
    void *free_list;             /* offset 16: newest free cell; link at +8 */
    slotarena_slab *slabs;       /* offset 24: newest slab first */
    uint32_t cell_size;          /* offset 32: bytes per cell */
    uint32_t slab_count;         /* offset 36 */
    uint64_t live;               /* offset 40: cells handed out */
    uint64_t free_count;         /* offset 48: cells on the free list */
    uint64_t carved;             /* offset 56: cells ever carved */
    uint64_t retired;            /* offset 64: cells out of generations */
    uint64_t slab_bytes;         /* offset 72 */
};

/* Before every block; the caller sees the bytes after it. */
typedef struct slotarena_block {
    struct slotarena_block *prev; /* offset 0 */
    struct slotarena_block *next; /* offset 8 */
} slotarena_block;
_Static_assert(sizeof(slotarena_block) == 16, "block prefix is 16 bytes");

struct slotarena {
    pthread_mutex_t lock;
    slotarena_pool *pools;       /* every pool, newest first */
    slotarena_block blocks;      /* sentinel of the circular block list */
    unsigned index;              /* jemalloc arena index */
    int flags;                   /* mallocx flags, computed once */
    uint32_t pool_count;
    uint32_t fail_skip;          /* debug hook: allocations to let through first */
    uint32_t fail_next;          /* debug hook: allocations left to refuse */
    uint64_t live_cells;
    uint64_t cell_bytes;
    uint64_t live_blocks;
    uint64_t block_bytes;
    uint64_t peak_bytes;
    uint64_t slab_count;
    uint64_t slab_bytes;
    uint64_t retired_cells;
};

/* ---------------------------------------------------------------------- */
/* Backend: where slabs, blocks and the arena struct come from.            */

#if SLOTARENA_USE_JEMALLOC
static size_t page_size(void) {
    static size_t page;
    if (page == 0) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : 4096;
    }
    return page;
}
#endif

/* Replaces [addr, addr+size) with read-only zero pages that hold no memory. */
static void tombstone(void *addr, size_t size) {
    void *p = mmap(addr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        /* Keep the old mapping rather than open a hole: stale handles then
         * read old bytes of a dead arena, still never another object's. */
        (void)madvise(addr, size, MADV_DONTNEED);
    }
}

#if SLOTARENA_USE_JEMALLOC

static void *hook_alloc(extent_hooks_t *hooks, void *new_addr, size_t size, size_t alignment,
                        bool *zero, bool *commit, unsigned arena_ind) {
    (void)hooks;
    (void)arena_ind;
    size_t page = page_size();
    if (alignment < page) alignment = page;
    void *p;
    if (new_addr != NULL) {
        p = mmap(new_addr, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED) return NULL;
        if (p != new_addr) {
            munmap(p, size);
            return NULL;
        }
    } else {
        size_t span = size + alignment - page;
        if (span < size) return NULL;
        char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) return NULL;
        uintptr_t start = ((uintptr_t)raw + alignment - 1) & ~(uintptr_t)(alignment - 1);
        size_t lead = start - (uintptr_t)raw;
        size_t trail = span - lead - size;
        if (lead) munmap(raw, lead);
        if (trail) munmap((char *)start + size, trail);
        p = (void *)start;
    }
    *zero = true;
    *commit = true;
    return p;
}

/* Never unmap, so no address the arena handed out is ever reused: the pages
 * become read-only zeros holding no memory, and jemalloc forgets the range.
 * (Opting out instead would leave jemalloc's own metadata pages resident after
 * arena.<i>.destroy: 8 KiB per destroyed arena, measured.) */
static bool hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size, bool committed,
                        unsigned arena_ind) {
    (void)hooks, (void)committed, (void)arena_ind;
    tombstone(addr, size);
    return false;
}

static void hook_destroy(extent_hooks_t *hooks, void *addr, size_t size, bool committed,
                         unsigned arena_ind) {
    (void)hooks, (void)committed, (void)arena_ind;
    tombstone(addr, size);
}

static bool hook_commit(extent_hooks_t *hooks, void *addr, size_t size, size_t offset,
                        size_t length, unsigned arena_ind) {
    (void)hooks, (void)addr, (void)size, (void)offset, (void)length, (void)arena_ind;
    return false; /* always committed */
}

static bool hook_decommit(extent_hooks_t *hooks, void *addr, size_t size, size_t offset,
                          size_t length, unsigned arena_ind) {
    (void)hooks, (void)addr, (void)size, (void)offset, (void)length, (void)arena_ind;
    return true; /* opt out */
}

static bool hook_purge_forced(extent_hooks_t *hooks, void *addr, size_t size, size_t offset,
                              size_t length, unsigned arena_ind) {
    (void)hooks, (void)size, (void)arena_ind;
    return madvise((char *)addr + offset, length, MADV_DONTNEED) != 0;
}

static bool hook_split(extent_hooks_t *hooks, void *addr, size_t size, size_t size_a,
                       size_t size_b, bool committed, unsigned arena_ind) {
    (void)hooks, (void)addr, (void)size, (void)size_a, (void)size_b, (void)committed,
        (void)arena_ind;
    return false; /* anonymous mappings split freely */
}

static bool hook_merge(extent_hooks_t *hooks, void *addr_a, size_t size_a, void *addr_b,
                       size_t size_b, bool committed, unsigned arena_ind) {
    (void)hooks, (void)addr_a, (void)size_a, (void)addr_b, (void)size_b, (void)committed,
        (void)arena_ind;
    return false; /* adjacent anonymous mappings merge freely */
}

static extent_hooks_t slotarena_hooks = {
    hook_alloc, hook_dalloc, hook_destroy, hook_commit, hook_decommit,
    NULL /* purge_lazy */, hook_purge_forced, hook_split, hook_merge,
};

const char *slotarena_backend(void) { return "jemalloc"; }

static bool backend_create(slotarena *scratch) {
    unsigned index;
    size_t len = sizeof(index);
    extent_hooks_t *hooks = &slotarena_hooks;
    if (mallctl("arenas.create", &index, &len, &hooks, sizeof(hooks)) != 0) return false;
    scratch->index = index;
    scratch->flags = MALLOCX_ARENA(index) | MALLOCX_TCACHE_NONE;
    return true;
}

static void backend_destroy_index(unsigned index) {
    char name[64];
    snprintf(name, sizeof(name), "arena.%u.destroy", index);
    (void)mallctl(name, NULL, NULL, NULL, 0);
}

static void *backend_alloc(int flags, size_t size) { return mallocx(size, flags); }
static void backend_free(int flags, void *p, size_t size) { sdallocx(p, size, flags); }
static void *backend_slab_alloc(int flags, size_t size) { return mallocx(size, flags); }

static void refresh_epoch(void) {
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    (void)mallctl("epoch", &epoch, &len, &epoch, len);
}

static uint64_t read_size_stat(const char *fmt, unsigned index, bool *ok) {
    char name[96];
    size_t value = 0, len = sizeof(value);
    snprintf(name, sizeof(name), fmt, index);
    if (mallctl(name, &value, &len, NULL, 0) != 0) {
        *ok = false;
        return 0;
    }
    return value;
}

/* Whether arena `index` exists now (arenas.narenas bounds it; a destroyed
 * index reads as not initialized). */
static bool index_is_live(unsigned index) {
    unsigned n = 0;
    size_t len = sizeof(n);
    if (mallctl("arenas.narenas", &n, &len, NULL, 0) != 0 || index >= n) return false;
    char name[64];
    bool init = false;
    len = sizeof(init);
    snprintf(name, sizeof(name), "arena.%u.initialized", index);
    if (mallctl(name, &init, &len, NULL, 0) != 0) return false;
    return init;
}

static void backend_stats(unsigned index, uint64_t *allocated, uint64_t *active) {
    refresh_epoch();
    *allocated = 0;
    *active = 0;
    if (!index_is_live(index)) return;
    bool ok = true;
    uint64_t small = read_size_stat("stats.arenas.%u.small.allocated", index, &ok);
    uint64_t large = read_size_stat("stats.arenas.%u.large.allocated", index, &ok);
    uint64_t pactive = read_size_stat("stats.arenas.%u.pactive", index, &ok);
    if (!ok) return;
    *allocated = small + large;
    *active = pactive * page_size();
}

uint64_t slotarena_backend_bytes_of_index(uint32_t index) {
    uint64_t allocated, active;
    backend_stats(index, &allocated, &active);
    return allocated;
}

uint64_t slotarena_process_allocated_bytes(void) {
    refresh_epoch();
    size_t value = 0, len = sizeof(value);
    if (mallctl("stats.allocated", &value, &len, NULL, 0) != 0) return 0;
    return value;
}

#else /* system backend */

const char *slotarena_backend(void) { return "system"; }

static bool backend_create(slotarena *scratch) {
    scratch->index = UINT32_MAX;
    scratch->flags = 0;
    return true;
}

static void backend_destroy_index(unsigned index) { (void)index; }
static void *backend_alloc(int flags, size_t size) {
    (void)flags;
    return malloc(size);
}
static void backend_free(int flags, void *p, size_t size) {
    (void)flags, (void)size;
    free(p);
}
static void *backend_slab_alloc(int flags, size_t size) {
    (void)flags;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}
static void backend_slab_free(int flags, void *p, size_t size) {
    (void)flags;
    tombstone(p, size);
}
uint64_t slotarena_backend_bytes_of_index(uint32_t index) {
    (void)index;
    return 0;
}
uint64_t slotarena_process_allocated_bytes(void) { return 0; }

#endif

/* ---------------------------------------------------------------------- */
/* Arena                                                                   */

static void lock(slotarena *a) { pthread_mutex_lock(&a->lock); }
static void unlock(slotarena *a) { pthread_mutex_unlock(&a->lock); }

/* Debug hook: consumes one refusal if armed. Called with the lock held. */
static bool should_fail(slotarena *a) {
#if SLOTARENA_DEBUG_HOOKS
    if (a->fail_next > 0) {
        if (a->fail_skip > 0) {
            a->fail_skip--;
            return false;
        }
        a->fail_next--;
        return true;
    }
#else
    (void)a;
#endif
    return false;
}

static void note_growth(slotarena *a) {
    uint64_t now = a->cell_bytes + a->block_bytes;
    if (now > a->peak_bytes) a->peak_bytes = now;
}

slotarena *slotarena_create(void) {
    slotarena scratch;
    memset(&scratch, 0, sizeof(scratch));
    if (!backend_create(&scratch)) return NULL;
    slotarena *a = backend_alloc(scratch.flags, sizeof(slotarena));
    if (a == NULL) {
        backend_destroy_index(scratch.index);
        return NULL;
    }
    memset(a, 0, sizeof(*a));
    a->index = scratch.index;
    a->flags = scratch.flags;
    a->blocks.prev = a->blocks.next = &a->blocks;
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        unsigned index = a->index;
        backend_free(scratch.flags, a, sizeof(slotarena));
        backend_destroy_index(index);
        return NULL;
    }
    return a;
}

static void free_all_blocks(slotarena *a) {
    slotarena_block *b = a->blocks.next;
    while (b != &a->blocks) {
        slotarena_block *next = b->next;
        /* The size is not kept; jemalloc looks it up (sallocx), the system
         * backend does not need it. */
#if SLOTARENA_USE_JEMALLOC
        dallocx(b, a->flags);
#else
        free(b);
#endif
        b = next;
    }
    a->blocks.prev = a->blocks.next = &a->blocks;
    a->live_blocks = 0;
    a->block_bytes = 0;
}

void slotarena_destroy(slotarena *a) {
    if (a == NULL) return;
    unsigned index = a->index;
    int flags = a->flags;
#if SLOTARENA_USE_JEMALLOC
    /* arena.<i>.destroy releases every allocation, pools, slabs and the arena
     * struct itself included; the destroy hook tombstones the pages. */
    pthread_mutex_destroy(&a->lock);
    (void)flags;
    backend_destroy_index(index);
#else
    free_all_blocks(a);
    slotarena_pool *p = a->pools;
    while (p != NULL) {
        slotarena_pool *next = p->next;
        slotarena_slab *s = p->slabs;
        while (s != NULL) {
            slotarena_slab *older = s->next;
            size_t bytes = s->bytes;
            SLOTARENA_UNPOISON(s, bytes);
            backend_slab_free(flags, s, bytes);
            s = older;
        }
        backend_free(flags, p, sizeof(*p));
        p = next;
    }
    pthread_mutex_destroy(&a->lock);
    backend_free(flags, a, sizeof(*a));
    backend_destroy_index(index);
#endif
}

/* ---------------------------------------------------------------------- */
/* Pools                                                                   */

static size_t round_cell(size_t size) {
    if (size < SLOTARENA_MIN_CELL) size = SLOTARENA_MIN_CELL;
    return (size + 7) & ~(size_t)7;
}

slotarena_pool *slotarena_pool_for_size(slotarena *a, size_t cell_size) {
    if (cell_size > SLOTARENA_MAX_CELL) return NULL;
    uint32_t size = (uint32_t)round_cell(cell_size);
    lock(a);
    slotarena_pool *p;
    for (p = a->pools; p != NULL; p = p->next)
        if (p->cell_size == size) break;
    if (p == NULL && !should_fail(a)) {
        p = backend_alloc(a->flags, sizeof(*p));
        if (p != NULL) {
            memset(p, 0, sizeof(*p));
            p->arena = a;
            p->cell_size = size;
            p->next = a->pools;
            a->pools = p;
            a->pool_count++;
        }
    }
    unlock(a);
    return p;
}

uint32_t slotarena_pool_cell_size(const slotarena_pool *pool) { return pool->cell_size; }

static inline uint64_t *header_of(void *cell) { return (uint64_t *)cell; }
static inline uint32_t gen_of(uint64_t header) { return (uint32_t)(header >> SLOTARENA_GEN_SHIFT); }

/* Takes a new slab for the pool. Lock held. */
SLOTARENA_NO_ASAN
static bool add_slab(slotarena_pool *p) {
    slotarena *a = p->arena;
    size_t bytes = SLAB_MIN << (p->slab_count < 4 ? p->slab_count : 4);
    if (bytes > SLAB_MAX) bytes = SLAB_MAX;
    slotarena_slab *s = backend_slab_alloc(a->flags, bytes);
    if (s == NULL) return false;
    s->bytes = bytes;
    s->carved = 0;
    s->capacity = (bytes - SLAB_HEADER) / p->cell_size;
    s->next = p->slabs;
    p->slabs = s;
    p->slab_count++;
    p->slab_bytes += bytes;
    a->slab_count++;
    a->slab_bytes += bytes;
    SLOTARENA_POISON((char *)s + SLAB_HEADER, bytes - SLAB_HEADER);
    return true;
}

SLOTARENA_NO_ASAN
void *slotarena_cell_alloc(slotarena_pool *p, uint64_t header_bits) {
    slotarena *a = p->arena;
    size_t size = p->cell_size;
    char *cell;
    lock(a);
    if (should_fail(a)) {
        unlock(a);
        return NULL;
    }
    if (p->free_list != NULL) {
        cell = p->free_list;
        p->free_list = *(void **)(cell + FREE_LINK_OFFSET);
        p->free_count--;
    } else {
        slotarena_slab *s = p->slabs;
        if (s == NULL || s->carved == s->capacity) {
            if (!add_slab(p)) {
                unlock(a);
                return NULL;
            }
            s = p->slabs;
        }
        cell = (char *)s + SLAB_HEADER + s->carved * size;
        s->carved++;
        p->carved++;
        SLOTARENA_UNPOISON(cell, size);
        memset(cell, 0, size); /* a recycled extent may hold old bytes */
    }
    SLOTARENA_UNPOISON(cell, size);
    uint64_t gen = gen_of(*header_of(cell));
    if (gen == 0) gen = 1; /* first use of a carved cell */
    else memset(cell + SLOTARENA_HEADER_BYTES, 0, size - SLOTARENA_HEADER_BYTES);
    *header_of(cell) = (gen << SLOTARENA_GEN_SHIFT) | (header_bits & ~GEN_MASK);
    p->live++;
    a->live_cells++;
    a->cell_bytes += size;
    note_growth(a);
    unlock(a);
    return cell;
}

/* Whether `cell` lies on a carved cell boundary of one of the pool's slabs. */
static bool owns_cell(slotarena_pool *p, const char *cell) {
    for (slotarena_slab *s = p->slabs; s != NULL; s = s->next) {
        const char *first = (const char *)s + SLAB_HEADER;
        if (cell >= first && cell < first + s->carved * p->cell_size)
            return (size_t)(cell - first) % p->cell_size == 0;
    }
    return false;
}

/* Puts a cell whose header already holds its advanced generation on the free
 * list, or retires it. Lock held. */
SLOTARENA_NO_ASAN
static void release_cell(slotarena_pool *p, char *cell, uint64_t next_gen) {
    if (next_gen >= SLOTARENA_GEN_RETIRED) {
        *header_of(cell) = (uint64_t)SLOTARENA_GEN_RETIRED << SLOTARENA_GEN_SHIFT;
        p->retired++;
        p->arena->retired_cells++;
    } else {
        *header_of(cell) = next_gen << SLOTARENA_GEN_SHIFT;
        *(void **)(cell + FREE_LINK_OFFSET) = p->free_list;
        p->free_list = cell;
        p->free_count++;
    }
    SLOTARENA_POISON(cell + SLOTARENA_HEADER_BYTES, p->cell_size - SLOTARENA_HEADER_BYTES);
}

SLOTARENA_NO_ASAN
int slotarena_cell_free(slotarena_pool *p, void *cell_ptr, uint32_t generation) {
    slotarena *a = p->arena;
    char *cell = cell_ptr;
    int result = SLOTARENA_OK;
    lock(a);
#if SLOTARENA_DEBUG_HOOKS
    if (!owns_cell(p, cell)) {
        unlock(a);
        return SLOTARENA_ERR_FOREIGN;
    }
#else
    (void)owns_cell;
#endif
    uint64_t header = *header_of(cell);
    uint32_t gen = gen_of(header);
    /* A live cell has a class (non-zero bits 16..44); a free one has none. */
    if (gen != generation || gen == 0 || gen == SLOTARENA_GEN_RETIRED ||
        (header & ~GEN_MASK) >> SLOTARENA_CLASS_SHIFT == 0) {
        result = SLOTARENA_ERR_STALE;
    } else {
        release_cell(p, cell, (uint64_t)gen + 1);
        p->live--;
        a->live_cells--;
        a->cell_bytes -= p->cell_size;
    }
    unlock(a);
    return result;
}

SLOTARENA_NO_ASAN
void slotarena_reset(slotarena *a) {
    lock(a);
    free_all_blocks(a);
    for (slotarena_pool *p = a->pools; p != NULL; p = p->next) {
        p->free_list = NULL;
        p->free_count = 0;
        p->live = 0;
        p->retired = 0;
        /* Oldest slab last in the list: push its cells last so the newest
         * cells are reused first, as before. */
        for (slotarena_slab *s = p->slabs; s != NULL; s = s->next) {
            char *first = (char *)s + SLAB_HEADER;
            for (uint64_t i = s->carved; i-- > 0;) {
                char *cell = first + i * p->cell_size;
                SLOTARENA_UNPOISON(cell, SLOTARENA_HEADER_BYTES);
                uint32_t gen = gen_of(*header_of(cell));
                if (gen == SLOTARENA_GEN_RETIRED) {
                    p->retired++;
                    continue;
                }
                release_cell(p, cell, (uint64_t)gen + 1);
            }
        }
    }
    a->live_cells = 0;
    a->cell_bytes = 0;
    a->retired_cells = 0;
    for (slotarena_pool *p = a->pools; p != NULL; p = p->next) a->retired_cells += p->retired;
    unlock(a);
}

/* ---------------------------------------------------------------------- */
/* Blocks                                                                  */

void *slotarena_block_alloc(slotarena *a, size_t size, int zeroed) {
    size_t total = size + sizeof(slotarena_block);
    if (total < size) return NULL;
    lock(a);
    slotarena_block *b = NULL;
    if (!should_fail(a)) {
#if SLOTARENA_USE_JEMALLOC
        b = mallocx(total, a->flags | (zeroed ? MALLOCX_ZERO : 0));
#else
        b = zeroed ? calloc(1, total) : malloc(total);
#endif
    }
    if (b != NULL) {
        b->next = a->blocks.next;
        b->prev = &a->blocks;
        a->blocks.next->prev = b;
        a->blocks.next = b;
        a->live_blocks++;
        a->block_bytes += total;
        note_growth(a);
    }
    unlock(a);
    return b == NULL ? NULL : (void *)(b + 1);
}

void slotarena_block_free(slotarena *a, void *block, size_t size) {
    if (block == NULL) return;
    slotarena_block *b = (slotarena_block *)block - 1;
    size_t total = size + sizeof(slotarena_block);
    lock(a);
    b->prev->next = b->next;
    b->next->prev = b->prev;
    a->live_blocks--;
    a->block_bytes -= total;
    backend_free(a->flags, b, total);
    unlock(a);
}

/* ---------------------------------------------------------------------- */
/* Statistics and hooks                                                    */

void slotarena_stats_read(slotarena *a, slotarena_stats *out) {
    memset(out, 0, sizeof(*out));
    lock(a);
    out->live_cells = a->live_cells;
    out->cell_bytes = a->cell_bytes;
    out->live_blocks = a->live_blocks;
    out->block_bytes = a->block_bytes;
    out->allocated_bytes = a->cell_bytes + a->block_bytes;
    out->peak_bytes = a->peak_bytes;
    out->slab_count = a->slab_count;
    out->slab_bytes = a->slab_bytes;
    out->retired_cells = a->retired_cells;
    out->pool_count = a->pool_count;
    out->arena_index = a->index;
    unlock(a);
#if SLOTARENA_USE_JEMALLOC
    backend_stats(a->index, &out->backend_allocated, &out->backend_active);
#else
    out->backend_allocated = out->slab_bytes + out->block_bytes;
    out->backend_active = out->backend_allocated;
#endif
}

void slotarena_pool_stats_read(slotarena *a, size_t cell_size, slotarena_pool_stats *out) {
    memset(out, 0, sizeof(*out));
    uint32_t size = (uint32_t)round_cell(cell_size);
    lock(a);
    for (slotarena_pool *p = a->pools; p != NULL; p = p->next) {
        if (p->cell_size != size) continue;
        out->cell_size = p->cell_size;
        out->slab_count = p->slab_count;
        out->live_cells = p->live;
        out->free_cells = p->free_count;
        out->carved_cells = p->carved;
        out->retired_cells = p->retired;
        out->slab_bytes = p->slab_bytes;
        break;
    }
    unlock(a);
}

void slotarena_peak_reset(slotarena *a) {
    lock(a);
    a->peak_bytes = a->cell_bytes + a->block_bytes;
    unlock(a);
}

int slotarena_debug_fail_next(slotarena *a, uint32_t skip, uint32_t count) {
#if SLOTARENA_DEBUG_HOOKS
    lock(a);
    a->fail_skip = skip;
    a->fail_next = count;
    unlock(a);
    return 1;
#else
    (void)a, (void)skip, (void)count;
    return 0;
#endif
}

int slotarena_poisons_free_memory(void) {
#if SLOTARENA_ASAN
    return 1;
#else
    return 0;
#endif
}

/* ---------------------------------------------------------------------- */
/* Benchmark support                                                        */

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int slotarena_compare_with_plain(size_t cell_size, size_t count, slotarena_plain_comparison *out) {
    memset(out, 0, sizeof(*out));
    size_t pairs = count < 1000000 ? 1000000 : count;
    void **cells = malloc(count * sizeof(void *));
    slotarena *a = slotarena_create();
    slotarena *b = slotarena_create();
    slotarena_pool *p = a ? slotarena_pool_for_size(a, cell_size) : NULL;
    int result = -1;
    if (cells == NULL || a == NULL || b == NULL || p == NULL) goto done;
    const uint64_t live = (uint64_t)1 << SLOTARENA_CLASS_SHIFT;

    /* Bytes: count live cells, against count live plain allocations. */
    for (size_t i = 0; i < count; i++)
        if ((cells[i] = slotarena_cell_alloc(p, live)) == NULL) goto done;
    slotarena_stats s;
    slotarena_stats_read(a, &s);
    out->pool_bytes = s.backend_allocated;
    for (size_t i = 0; i < count; i++) slotarena_cell_free(p, cells[i], 1);
    for (size_t i = 0; i < count; i++)
        if ((cells[i] = backend_alloc(b->flags, cell_size)) == NULL) goto done;
    slotarena_stats_read(b, &s);
    out->plain_bytes = s.backend_allocated - s.slab_bytes;
#if !SLOTARENA_USE_JEMALLOC
    out->plain_bytes = 0;
#endif
    for (size_t i = 0; i < count; i++) backend_free(b->flags, cells[i], cell_size);

    /* Time: alloc/free pairs on a warm pool (free list) and a warm arena. */
    double t0 = now_ns();
    for (size_t i = 0; i < pairs; i++) {
        void *c = slotarena_cell_alloc(p, live);
        slotarena_cell_free(p, c, gen_of(*header_of(c)));
    }
    out->pool_pair_ns = (now_ns() - t0) / (double)pairs;
    t0 = now_ns();
    for (size_t i = 0; i < pairs; i++) {
        void *c = backend_alloc(b->flags, cell_size);
        backend_free(b->flags, c, cell_size);
    }
    out->plain_pair_ns = (now_ns() - t0) / (double)pairs;
    result = 0;
done:
    free(cells);
    if (a) slotarena_destroy(a);
    if (b) slotarena_destroy(b);
    return result;
}
