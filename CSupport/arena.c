/*
 * arena.c: an arena's life: create, reset, destroy.
 *
 * Model. An arena is a lock, a list of pools (one per cell size, pool.c), a
 * list of blocks (block.c), the thread-cache bins holding its cells
 * (tcache.c) and its counters (stats.c). Its struct, pools and slabs come
 * from the backend: one private jemalloc arena with this library's extent
 * hooks (backend_jemalloc.c), or mmap'ed slabs and malloc'ed blocks
 * (backend_system.c). Reset frees every live cell as a free does, one at a
 * time and safe against other threads, and keeps the slabs; destroy detaches the bins other threads still hold and gives everything
 * back to the backend. The debug fail-next hook is in stats.c, beside the
 * setter of its counters; creating an arena is never refused by it.
 *
 * Invariants.
 *   4. Every address the arena handed out stays mapped after destroy, as
 *      read-only zero pages: the jemalloc extent hooks never unmap, and at
 *      destroy they (or, in the system backend, its release of the slabs)
 *      replace the pages with fresh read-only anonymous ones
 *      (slotarena_tombstone, below, for both backends).
 */
#include "slotarena_internal.h"

#include <string.h>
#include <sys/mman.h>

/* Replaces [addr, addr+size) with read-only zero pages that hold no memory. */
void slotarena_tombstone(void *addr, size_t size) {
    void *p = mmap(addr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        /* Keep the old mapping rather than open a hole: stale handles then
         * read old bytes of a dead arena, still never another object's. */
        (void)madvise(addr, size, MADV_DONTNEED);
    }
}

slotarena *slotarena_create(void) {
    slotarena scratch;
    memset(&scratch, 0, sizeof(scratch));
    if (!slotarena_backend_create(&scratch)) return NULL;
    slotarena *a = slotarena_backend_alloc(scratch.flags, sizeof(slotarena), false);
    if (a == NULL) {
        slotarena_backend_destroy_index(scratch.index);
        return NULL;
    }
    memset(a, 0, sizeof(*a));
    a->index = scratch.index;
    a->flags = scratch.flags;
    slotarena_block_init_lists(a);
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        unsigned index = a->index;
        slotarena_backend_free(scratch.flags, a, sizeof(slotarena));
        slotarena_backend_destroy_index(index);
        return NULL;
    }
    return a;
}

void slotarena_destroy(slotarena *a) {
    if (a == NULL) return;
    slotarena_detach_bins(a);
    slotarena_backend_release(a);
}

/* Frees every live cell (a class in its header), pool by pool, as a free
 * does; free cells, on a free list or in some thread's bin, stay where they
 * are. The pool list is read under the lock (pools are only ever added at its
 * front); the sweep itself takes the lock only for short steps. */
void slotarena_reset_each(slotarena *a, slotarena_release_fn release, void *context) {
    lock(a);
    slotarena_note_growth(a);
    slotarena_pool *pools = a->pools;
    unlock(a);
    for (slotarena_pool *p = pools; p != NULL; p = p->next) slotarena_pool_sweep(p, release, context);
    lock(a);
    slotarena_reclaim_locked(a);
    unlock(a);
}

void slotarena_reset(slotarena *a) {
    slotarena_reset_each(a, NULL, NULL);
    lock(a);
    slotarena_block_retire_all(a);
    slotarena_reclaim_locked(a);
    unlock(a);
}
