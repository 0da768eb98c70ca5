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
 * linking them into the arena's block list, so reset can free them all. Each
 * thread caches free cells in a few bins (see "Thread caches" below), so most
 * cell allocations and frees take no lock.
 *
 * Invariants.
 *   1. A slab stays with its pool until the arena is destroyed, so every cell
 *      address keeps a header of that pool; generations only ever grow, and a
 *      cell whose generation reaches SLOTARENA_GEN_RETIRED leaves circulation.
 *   2. A free cell's header holds only its (already advanced) generation;
 *      class and presence bits are zero, so no handle can match it.
 *   3. out + free + retired == carved for every pool, where out counts cells
 *      handed to users or to thread-cache bins; live = out - cached, and
 *      allocated_bytes is the sum of live cell sizes and live block sizes
 *      (prefix included).
 *   4. Every address the arena handed out stays mapped after destroy, as
 *      read-only zero pages: the jemalloc extent hooks never unmap, and the
 *      destroy hook (or, in the system backend, slotarena_destroy) replaces
 *      the pages with fresh read-only anonymous ones.
 *
 * The structures, constants, inline helpers and the functions one part calls
 * in another are declared in slotarena_internal.h.
 */
#include "slotarena_internal.h"

/* ---------------------------------------------------------------------- */
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
    a->blocks.prev = a->blocks.next = &a->blocks;
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

/* Frees every live cell (a class in its header); free cells, on a free list
 * or in some thread's bin, stay where they are. */
void slotarena_reset(slotarena *a) {
    lock(a);
    slotarena_note_growth(a);
    slotarena_block_free_all(a);
    for (slotarena_pool *p = a->pools; p != NULL; p = p->next) slotarena_pool_reset(p);
    unlock(a);
}
