/*
 * slotarena_internal.h: what the C files of the arena share, and nothing that
 * Swift sees (the module map lists only include/slotarena.h, which includes
 * include/slotarena_access.h).
 *
 * Model. An arena keeps a list of pools, one per cell size, and a list of
 * blocks; each thread keeps a cache of free cells in a few bins. The work is
 * split one file per concern:
 *   arena.c             create, destroy, reset; the list of live arenas
 *   pool.c              pools, slabs and cells, with the lock-free fast paths
 *   slab.c              slab mappings, and the shelf that keeps the slabs of
 *                       destroyed arenas for pools of the same cell size
 *   tcache.c            thread caches: bins trading cells with their pools
 *   block.c             variable-size blocks, released once no reader can
 *                       still be reading them
 *   access.c            the writer bit, reader sections, the fork gate
 *   fork.c              the library's locks around fork(), and the child's
 *                       repairs
 *   stats.c             counters, the peak, the debug hooks
 *   backend_jemalloc.c  blocks, pools and the arena struct from a private
 *   backend_system.c    jemalloc arena, or from malloc
 *   classtable.c        the Swift library's process-wide class table
 *   bench_compare.c     the benchmark's comparison with plain allocation
 * This header holds the structures (with the offsets their comments give),
 * the constants, the small helpers the hot paths inline, and the functions
 * one file calls in another, all hidden from the shared object's symbol
 * table. jemalloc's header is not included here: only the jemalloc backend
 * sees it.
 *
 * Invariants, numbered as the files refer to them, each stated in the file
 * that keeps it: 1 and 2 (slabs stay with their pools, free headers carry
 * only a generation) in pool.c; 3 (out + free + retired == carved, and what
 * the statistics derive from it) in stats.c; 4 (every cell address stays
 * mapped, reading 0 or a newer generation) and 7 (a slab's floor only grows)
 * in slab.c; 5 and 6 (writers) in access.c; 8 (the rank order of every lock)
 * in fork.c. "Lock held" on a function means the arena's lock.
 */
#ifndef SLOTARENA_INTERNAL_H
#define SLOTARENA_INTERNAL_H

#include "slotarena.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#if defined(__clang__)
#define SLOTARENA_NO_MEMSET __attribute__((no_builtin("memset")))
#else
#define SLOTARENA_NO_MEMSET
#endif

/* Functions one file of the arena calls in another: not exported. */
#define SLOTARENA_HIDDEN __attribute__((visibility("hidden")))

#define RELAXED memory_order_relaxed

_Static_assert(sizeof(uint64_t) == SLOTARENA_HEADER_BYTES, "header is one 64-bit word");
_Static_assert(SLOTARENA_CLASS_SHIFT + SLOTARENA_CLASS_BITS + 1 == SLOTARENA_GEN_SHIFT,
               "the class id, then the writer bit, then the generation");
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
    uint64_t floor;              /* offset 32: generation of a freshly carved cell (slab.c) */
} slotarena_slab;
_Static_assert(sizeof(slotarena_slab) <= SLAB_HEADER, "slab header fits before the first cell");

/* Stacks of whole batches a pool keeps, one per group of threads (a thread's
 * cache has a home stack), so that a thread mostly refills with cells it
 * freed itself, still in its own core's cache. */
#define POOL_BATCH_STACKS 4

struct slotarena_pool {
    slotarena *arena;            /* offset 0 */
    struct slotarena_pool *next; /* offset 8: next pool of the arena */
    void *free_list;             /* offset 16: newest free cell; link at +8 */
    slotarena_slab *slabs;       /* offset 24: newest slab first */
    uint32_t cell_size;          /* offset 32: bytes per cell */
    uint32_t slab_count;         /* offset 36 */
    uint64_t out;                /* offset 40: cells handed to users or to thread caches */
    uint64_t free_count;         /* offset 48: cells on the free list or in `batches` */
    uint64_t carved;             /* offset 56: cells ever carved */
    uint64_t retired;            /* offset 64: cells out of generations */
    uint64_t slab_bytes;         /* offset 72 */
    uint32_t bin;                /* offset 80: the thread-cache bin this pool uses */
    uint32_t batch;              /* offset 84: cells per refill or flush; a bin holds 2x */
    void *batches[POOL_BATCH_STACKS]; /* offset 88: per stack, its newest full batch (cells of
                                    BATCH_LINK_MIN_CELL bytes or more): a chain of `batch` cells
                                    through +8, the first cell of the next batch at +16 of its
                                    first; a thread gives batches back to its own stack */
};

/* Cells at least this large carry a second link, so a pool keeps whole
 * batches on `batches` and a bin trades one with it in O(1). */
#define BATCH_LINK_OFFSET 16
#define BATCH_LINK_MIN_CELL 24

/* Thread caches (tcache.c): TCACHE_BINS bins a thread, each holding free
 * cells of one pool at a time as two chains, `loaded` (allocations pop and
 * frees push here) and `spare` (one full batch or none), traded with the pool
 * a whole batch at a time: TCACHE_BATCH cells, fewer for large cells, so a
 * bin holds at most 2 * TCACHE_BATCH cells and about TCACHE_BIN_BYTES. */
#define TCACHE_BINS 8
#define TCACHE_BATCH 1024
#define TCACHE_BIN_BYTES 65536

typedef struct slotarena_bin {
    _Atomic(slotarena_pool *) pool; /* offset 0: whose cells; NULL when unused */
    _Atomic uint64_t tally;         /* offset 8: cells held, loaded + spare (bits 0-31), and
                                       the dip (bits 32-63): see "The peak", stats.c */
    uint32_t cell_size;             /* offset 16: bytes per cell of `pool` */
    uint32_t loaded;                /* offset 20: cells on the `head` chain */
    struct slotarena_bin *next;     /* offset 24: next bin of the same arena (arena lock) */
    void *head;                     /* offset 32: newest free cell of the loaded chain; link at +8 */
    void *spare;                    /* offset 40: a chain of exactly `batch` cells, or NULL */
} slotarena_bin;
_Static_assert(sizeof(slotarena_bin) == 48, "bin layout as commented");

/* A bin's tally: its count of cells, and its dip, how far that count stands
 * above the lowest it reached since the arena last sampled the bin (a trade
 * moves the count and that low together, so it leaves the dip alone). */
static inline uint32_t tally_count(uint64_t tally) { return (uint32_t)tally; }
static inline uint32_t tally_dip(uint64_t tally) { return (uint32_t)(tally >> 32); }
#define TALLY_DIP_ONE ((uint64_t)1 << 32)
/* A dip this large makes the next trade sample the arena (the dip never wraps). */
#define TALLY_DIP_LIMIT ((uint32_t)1 << 31)
#if SLOTARENA_DEBUG_HOOKS
extern _Atomic uint32_t slotarena_dip_limit; /* debug hook: TALLY_DIP_LIMIT, or lower */
static inline uint32_t dip_limit(void) { return atomic_load_explicit(&slotarena_dip_limit, memory_order_relaxed); }
#else
static inline uint32_t dip_limit(void) { return TALLY_DIP_LIMIT; }
#endif

typedef struct slotarena_tcache {
    slotarena_bin bins[TCACHE_BINS];
    struct slotarena_tcache *prev; /* every thread's cache, linked under the registry lock */
    struct slotarena_tcache *next;
} slotarena_tcache;

/* Before every block; the caller sees the bytes after it. */
typedef struct slotarena_block {
    struct slotarena_block *prev; /* offset 0 */
    struct slotarena_block *next; /* offset 8 */
} slotarena_block;
_Static_assert(sizeof(slotarena_block) == 16, "block prefix is 16 bytes");

/* Freed text blocks waiting for release (block.c). A text block has no
 * prefix to link it by, and a reader may still be copying it, so its address
 * waits in one of these chunks, newest chunk first. */
#define RETIRED_PER_CHUNK 62
typedef struct slotarena_retired {
    struct slotarena_retired *next;  /* offset 0: older chunk */
    uint64_t count;                  /* offset 8: addresses in `text` */
    void *text[RETIRED_PER_CHUNK];   /* offset 16 */
} slotarena_retired;
_Static_assert(sizeof(slotarena_retired) == 512, "a retired chunk is 512 bytes");

struct slotarena {
    pthread_mutex_t lock;
    slotarena_pool *pools;       /* every pool, newest first */
    slotarena_block blocks;      /* sentinel of the circular block list */
    unsigned index;              /* jemalloc arena index */
    int flags;                   /* mallocx flags, computed once */
    uint32_t pool_count;
    uint32_t fail_skip;          /* debug hook: allocations to let through first */
    uint32_t fail_next;          /* debug hook: allocations left to refuse */
    _Atomic uint32_t fail_armed; /* debug hook: fail_next > 0, read without the lock */
    slotarena_bin *bins;         /* thread-cache bins holding cells of this arena */
    uint64_t out_cells;          /* cells out of the pools: live, or in bins */
    uint64_t out_bytes;          /* bytes in those cells */
    uint64_t live_blocks;
    uint64_t block_bytes;
    uint64_t peak_bytes;
    uint64_t interval_high;      /* highest out_bytes + block_bytes since the last sample */
    uint64_t slab_count;
    uint64_t slab_bytes;
    uint64_t retired_cells;
    /* Deferred release of blocks (block.c): freed blocks wait in `limbo`; a
     * flip of `phase` moves them to `pending`, released once no reader
     * section of the previous phase is open. */
    slotarena_block limbo;       /* sentinel: freed since the last flip */
    slotarena_block pending;     /* sentinel: freed before the last flip */
    slotarena_retired *limbo_text;   /* text blocks freed since the last flip (jemalloc) */
    slotarena_retired *pending_text; /* text blocks freed before the last flip (jemalloc) */
    uint64_t limbo_blocks;
    uint64_t limbo_bytes;
    uint64_t pending_blocks;
    uint64_t pending_bytes;
    _Atomic uint32_t phase;      /* reader sections begin in readers[phase & 1] */
    struct slotarena *live_prev; /* the list of live arenas (arena.c), under its lock */
    struct slotarena *live_next;
    /* Open reader sections of each phase, on a cache line of their own. */
    _Alignas(64) _Atomic uint64_t readers[2];
    char readers_pad[64 - 2 * sizeof(uint64_t)];
};

/* ---------------------------------------------------------------------- */
/* Helpers the hot paths inline                                            */

static inline void lock(slotarena *a) { pthread_mutex_lock(&a->lock); }
static inline void unlock(slotarena *a) { pthread_mutex_unlock(&a->lock); }

static inline uint64_t *header_of(void *cell) { return (uint64_t *)cell; }
static inline uint32_t gen_of(uint64_t header) { return (uint32_t)(header >> SLOTARENA_GEN_SHIFT); }

static inline size_t round_cell(size_t size) {
    if (size < SLOTARENA_MIN_CELL) size = SLOTARENA_MIN_CELL;
    return (size + 7) & ~(size_t)7;
}

/* Whether the debug hook may refuse allocations (the fast path then steps
 * aside so that should_fail sees every allocation). */
static inline bool fail_armed(slotarena *a) {
#if SLOTARENA_DEBUG_HOOKS
    return atomic_load_explicit(&a->fail_armed, RELAXED) != 0;
#else
    (void)a;
    return false;
#endif
}

/* Debug hook (stats.c): consumes one refusal if armed. Lock held. Without
 * the hooks, nothing to call. */
#if SLOTARENA_DEBUG_HOOKS
SLOTARENA_HIDDEN bool slotarena_should_fail(slotarena *a);
#endif
static inline bool should_fail(slotarena *a) {
#if SLOTARENA_DEBUG_HOOKS
    return slotarena_should_fail(a);
#else
    (void)a;
    return false;
#endif
}

/* Counts `n` cells more (or, negative, fewer) out of pool `p`. Lock held. */
static inline void count_out(slotarena_pool *p, int64_t n) {
    slotarena *a = p->arena;
    p->out += (uint64_t)n;
    a->out_cells += (uint64_t)n;
    a->out_bytes += (uint64_t)(n * (int64_t)p->cell_size);
    uint64_t now = a->out_bytes + a->block_bytes;
    if (n > 0 && now > a->interval_high) a->interval_high = now;
}

/* Zeroes a cell's bytes after the header and poisons them (a few stores: a
 * call to memset costs more than the work for a cell of a few words). */
SLOTARENA_NO_ASAN SLOTARENA_NO_MEMSET
static inline void clear_payload(char *cell, size_t size) {
    for (size_t i = SLOTARENA_HEADER_BYTES; i < size; i += 8) *(uint64_t *)(cell + i) = 0;
    SLOTARENA_POISON(cell + SLOTARENA_HEADER_BYTES, size - SLOTARENA_HEADER_BYTES);
}

#define BUSY_MASK ((uint64_t)1 << SLOTARENA_BUSY_BIT)
#define CLASS_FIELD_MASK ((((uint64_t)1 << SLOTARENA_BUSY_BIT) - 1) & ~(uint64_t)0xFFFF)

/* Writes the header of a cell taken from a bin (payload already zero). The
 * store is atomic: a stale handle's reader may be looking at the header. A
 * cell born holding its writer bit (a construction from values) gets it with
 * a seqlock writer's first store, which the stores that build the instance
 * may not pass (on x86 a plain store). Nothing else is asked of that store:
 * no handle to the new instance exists yet, a stale handle's reader or writer
 * sees another generation already (the free that recycled the cell advanced
 * it), a reset's sweep that reads the header claims the cell only through a
 * compare-and-swap, which waits for the writer bit, and the fork gate pairs
 * with the writer record marked active before the cell is taken (invariant 6,
 * access.c), not with this store. */
SLOTARENA_NO_ASAN
static inline void *hand_out(char *cell, size_t size, uint64_t header_bits) {
    SLOTARENA_UNPOISON(cell, size);
    uint64_t gen = gen_of(__atomic_load_n(header_of(cell), __ATOMIC_RELAXED));
    uint64_t header = (gen << SLOTARENA_GEN_SHIFT) | (header_bits & ~GEN_MASK);
    if (header_bits & BUSY_MASK)
        slotarena_store_seq_begin(header_of(cell), header);
    else
        __atomic_store_n(header_of(cell), header, __ATOMIC_RELEASE);
    return cell;
}

/* ---------------------------------------------------------------------- */
/* Across files                                                            */

/* Backend (backend_jemalloc.c or backend_system.c). `flags` is the arena's. */
SLOTARENA_HIDDEN bool slotarena_backend_create(slotarena *scratch);
SLOTARENA_HIDDEN void slotarena_backend_destroy_index(unsigned index);
SLOTARENA_HIDDEN void slotarena_backend_release(slotarena *a);
SLOTARENA_HIDDEN void *slotarena_backend_alloc(int flags, size_t size, bool zeroed);
SLOTARENA_HIDDEN void slotarena_backend_free(int flags, void *p, size_t size);
SLOTARENA_HIDDEN void slotarena_backend_free_unsized(int flags, void *p);
SLOTARENA_HIDDEN void slotarena_backend_stats(slotarena_stats *out);
/* Why slotarena_backend_create failed: SLOTARENA_CREATE_NO_MEMORY or _TOO_MANY. */
SLOTARENA_HIDDEN int slotarena_backend_create_failure(void);

/* Slabs (slab.c). A slab of `bytes` for a pool of `cell_size`-byte cells,
 * with `bytes` and `floor` set: a shelved one of that cell size and size if
 * there is one, else a fresh mapping at floor 1. NULL when memory is
 * refused. */
SLOTARENA_HIDDEN slotarena_slab *slotarena_slab_take(uint32_t cell_size, size_t bytes);
/* Shelves a slab of a destroyed arena (or tombstones it for good). */
SLOTARENA_HIDDEN void slotarena_slab_shelve(slotarena_slab *s, uint32_t cell_size);
SLOTARENA_HIDDEN pthread_mutex_t *slotarena_shelf_mutex(void);

/* Pools (pool.c). Lock held, except for the thread-local accessors. */
/* A cell carved from the newest slab (a new slab if that is full and
 * `may_add_slab`), or NULL. Not counted out. */
SLOTARENA_HIDDEN char *slotarena_pool_carve(slotarena_pool *p, bool may_add_slab);
SLOTARENA_HIDDEN slotarena_tcache *slotarena_tcache_current(void);
SLOTARENA_HIDDEN void slotarena_tcache_forget(slotarena_tcache *t);

/* Thread caches (tcache.c). */
SLOTARENA_HIDDEN slotarena_tcache *slotarena_tcache_create(void);
SLOTARENA_HIDDEN uint32_t slotarena_pool_take_batch(slotarena_pool *p, void **head);
SLOTARENA_HIDDEN void slotarena_pool_put_batch(slotarena_pool *p, void *head);
SLOTARENA_HIDDEN uint32_t slotarena_pool_put_chain(slotarena_pool *p, void *head);
SLOTARENA_HIDDEN void slotarena_bin_flush_spare(slotarena_bin *bin, slotarena_pool *p);
SLOTARENA_HIDDEN void slotarena_bin_empty(slotarena_bin *bin, slotarena_pool *p);
SLOTARENA_HIDDEN uint32_t slotarena_bin_refill(slotarena_bin *bin, slotarena_pool *p);
SLOTARENA_HIDDEN void slotarena_bin_claim(slotarena_bin *bin, slotarena_pool *p);
SLOTARENA_HIDDEN void slotarena_detach_bins(slotarena *a);
SLOTARENA_HIDDEN pthread_mutex_t *slotarena_tcache_registry_mutex(void);
/* Fork child: every bin of `a` that is not one of `keep`'s gives its cells
 * back to its pool and leaves the arena. Lock held. */
SLOTARENA_HIDDEN void slotarena_bins_adopt(slotarena *a, slotarena_tcache *keep);
/* Fork child: frees every thread cache but `keep` (their threads are gone);
 * run after slotarena_bins_adopt on every arena. */
SLOTARENA_HIDDEN void slotarena_tcaches_forget_others(slotarena_tcache *keep);

/* Blocks (block.c). */
SLOTARENA_HIDDEN void slotarena_block_free_all(slotarena *a);
SLOTARENA_HIDDEN void slotarena_block_init_lists(slotarena *a);
SLOTARENA_HIDDEN void slotarena_block_retire_all(slotarena *a);
SLOTARENA_HIDDEN void slotarena_reclaim_locked(slotarena *a);

/* Concurrent access (access.c): waiting for a writer bit; the calling
 * thread's write, bracketed for the fork gate. */
SLOTARENA_HIDDEN void slotarena_backoff(unsigned *spins);
SLOTARENA_HIDDEN void slotarena_writer_enter(void);
SLOTARENA_HIDDEN void slotarena_writer_exit(void);

/* Arena (arena.c): the list of live arenas, linked through live_next, and
 * its lock. */
SLOTARENA_HIDDEN pthread_mutex_t *slotarena_live_mutex(void);
SLOTARENA_HIDDEN slotarena *slotarena_live_first(void);

/* Fork (fork.c): registers the atfork handlers, once. */
SLOTARENA_HIDDEN void slotarena_fork_setup(void);

/* The class table's reservation mutex (classtable.c), for fork.c. */
SLOTARENA_HIDDEN pthread_mutex_t *slotarena_classtable_mutex(void);

/* Statistics (stats.c). */
SLOTARENA_HIDDEN void slotarena_note_growth(slotarena *a);

#endif /* SLOTARENA_INTERNAL_H */
