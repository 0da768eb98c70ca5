/*
 * backend_jemalloc.c: the jemalloc backend, where blocks, pools and the arena
 * struct come from when the build links jemalloc (SLOTARENA_USE_JEMALLOC).
 *
 * Model. Each slotarena is one private jemalloc arena made with
 * arenas.create and this file's extent hooks; what the arena holds besides
 * its slabs (its struct, pools, blocks) is a mallocx from it with the tcache
 * bypassed, freed with sdallocx (dallocx where the size is not kept), and
 * arena.<i>.destroy gives it all back at once. Slabs are not jemalloc's
 * (slab.c): handles point into them, and nowhere else, so no range of the
 * arena needs to outlive it. While the arena lives, jemalloc keeps the
 * ranges of freed blocks (their pages purged) and reuses them; its destroy
 * unmaps every range, jemalloc's own metadata for the arena included, and
 * the system reuses the address space. The statistics read
 * jemalloc's own counters through mallctl, plus the slab bytes. This is the
 * only file of the arena (with the benchmark's comparison) that includes
 * jemalloc's header.
 *
 * Invariants. The hooks map fresh anonymous memory and unmap only at
 * destroy; every extent is always committed (decommit is refused, so a range
 * jemalloc keeps is purged instead). No
 * slab is ever an extent of the arena, so unmapping never touches an address
 * a handle can hold (invariant 4 is slab.c's).
 */
#include "slotarena_internal.h"

#if SLOTARENA_USE_JEMALLOC

#include <jemalloc/jemalloc.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static size_t page_size(void) {
    static size_t page;
    if (page == 0) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : 4096;
    }
    return page;
}

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

/* The arena that arena.<i>.destroy is destroying on this thread, or UINT_MAX. */
static _Thread_local unsigned destroying = UINT_MAX;

/* A range jemalloc gives back. While the arena lives (a block's extent,
 * freed and decayed), opt out: jemalloc purges the pages and keeps the range
 * to reuse, which unmapping would not let it do (it would map more instead,
 * and keep the remainders it cannot use). At destroy, jemalloc's own
 * metadata comes here too: unmap. No handle points into either. */
static bool hook_dalloc(extent_hooks_t *hooks, void *addr, size_t size, bool committed,
                        unsigned arena_ind) {
    (void)hooks, (void)committed;
    if (arena_ind != destroying) return true;
    return munmap(addr, size) != 0;
}

/* The ranges jemalloc kept, at destroy. */
static void hook_destroy(extent_hooks_t *hooks, void *addr, size_t size, bool committed,
                         unsigned arena_ind) {
    (void)hooks, (void)committed, (void)arena_ind;
    (void)munmap(addr, size);
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

/* The most jemalloc maps at once to grow the arena, beyond what one
 * allocation needs: without a limit each growth maps more than the one
 * before (a geometric series), so the slack a long-lived arena keeps would
 * grow with its age. */
#define RETAIN_GROW_LIMIT ((size_t)8 << 20)

/* jemalloc's MALLOCX_ARENA_LIMIT: the indices the 12 bits of a mallocx flag
 * can name, its automatic arenas included. */
#define ARENA_LIMIT ((1u << 12) - 1)
_Static_assert(ARENA_LIMIT == SLOTARENA_ARENA_LIMIT, "the public limit is jemalloc's");

bool slotarena_backend_create(slotarena *scratch) {
    unsigned index;
    size_t len = sizeof(index);
    extent_hooks_t *hooks = &slotarena_hooks;
    if (mallctl("arenas.create", &index, &len, &hooks, sizeof(hooks)) != 0) return false;
    char name[64];
    size_t limit = RETAIN_GROW_LIMIT;
    snprintf(name, sizeof(name), "arena.%u.retain_grow_limit", index);
    (void)mallctl(name, NULL, NULL, &limit, sizeof(limit));
    scratch->index = index;
    scratch->flags = MALLOCX_ARENA(index) | MALLOCX_TCACHE_NONE;
    return true;
}

/* arenas.create reuses the index of a destroyed arena first, so it fails
 * for the limit only when every index is taken by a live arena. */
int slotarena_backend_create_failure(void) {
    unsigned n = 0;
    size_t len = sizeof(n);
    if (mallctl("arenas.narenas", &n, &len, NULL, 0) == 0 && n >= ARENA_LIMIT) return SLOTARENA_CREATE_TOO_MANY;
    return SLOTARENA_CREATE_NO_MEMORY;
}

void slotarena_backend_destroy_index(unsigned index) {
    char name[64];
    snprintf(name, sizeof(name), "arena.%u.destroy", index);
    destroying = index;
    (void)mallctl(name, NULL, NULL, NULL, 0);
    destroying = UINT_MAX;
}

/* arena.<i>.destroy releases every allocation, pools and the arena struct
 * itself included; the hooks unmap the pages (the slabs are shelved first,
 * arena.c). */
void slotarena_backend_release(slotarena *a) {
    unsigned index = a->index;
    pthread_mutex_destroy(&a->lock);
    slotarena_backend_destroy_index(index);
}

void *slotarena_backend_alloc(int flags, size_t size, bool zeroed) {
    return mallocx(size, flags | (zeroed ? MALLOCX_ZERO : 0));
}
void slotarena_backend_free(int flags, void *p, size_t size) { sdallocx(p, size, flags); }
void slotarena_backend_free_unsized(int flags, void *p) { dallocx(p, flags); }

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

/* jemalloc's counters of the arena, plus its slabs, which are not jemalloc's. */
void slotarena_backend_stats(slotarena_stats *out) {
    backend_stats(out->arena_index, &out->backend_allocated, &out->backend_active);
    out->backend_allocated += out->slab_bytes;
    out->backend_active += out->slab_bytes;
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

#endif /* SLOTARENA_USE_JEMALLOC */
