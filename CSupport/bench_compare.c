/*
 * bench_compare.c: the benchmark report's comparison of the arena's cells
 * with plain sized allocation (slotarena_compare_with_plain).
 *
 * Model. Two fresh arenas: `count` cells from a pool of the first, against as
 * many plain backend allocations of the same size from the second (mallocx
 * with the tcache bypassed, or malloc in the system backend); bytes are what
 * each arena's backend statistics count, times are per alloc/free pair on one
 * warm cell, over at least a million pairs. The plain side calls mallocx and
 * sdallocx (or malloc and free) itself, as the backend does, so that its
 * times hold no extra call; this is the one file besides the jemalloc
 * backend that includes jemalloc's header.
 *
 * Invariants. Both arenas are destroyed, and the scratch array freed, on
 * every return, which is -1 when memory is refused.
 */
#include "slotarena_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#if SLOTARENA_USE_JEMALLOC
#include <jemalloc/jemalloc.h>
static inline void *plain_alloc(int flags, size_t size) { return mallocx(size, flags); }
static inline void plain_free(int flags, void *p, size_t size) { sdallocx(p, size, flags); }
#else
static inline void *plain_alloc(int flags, size_t size) {
    (void)flags;
    return malloc(size);
}
static inline void plain_free(int flags, void *p, size_t size) {
    (void)flags, (void)size;
    free(p);
}
#endif

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
    for (size_t i = 0; i < count; i++) slotarena_cell_free(p, cells[i], gen_of(*header_of(cells[i])));
    for (size_t i = 0; i < count; i++)
        if ((cells[i] = plain_alloc(b->flags, cell_size)) == NULL) goto done;
    slotarena_stats_read(b, &s);
    out->plain_bytes = s.backend_allocated - s.slab_bytes;
#if !SLOTARENA_USE_JEMALLOC
    out->plain_bytes = 0;
#endif
    for (size_t i = 0; i < count; i++) plain_free(b->flags, cells[i], cell_size);

    /* Time: alloc/free pairs on a warm pool (free list) and a warm arena. */
    double t0 = now_ns();
    for (size_t i = 0; i < pairs; i++) {
        void *c = slotarena_cell_alloc(p, live);
        slotarena_cell_free(p, c, gen_of(*header_of(c)));
    }
    out->pool_pair_ns = (now_ns() - t0) / (double)pairs;
    t0 = now_ns();
    for (size_t i = 0; i < pairs; i++) {
        void *c = plain_alloc(b->flags, cell_size);
        plain_free(b->flags, c, cell_size);
    }
    out->plain_pair_ns = (now_ns() - t0) / (double)pairs;
    result = 0;
done:
    free(cells);
    if (a) slotarena_destroy(a);
    if (b) slotarena_destroy(b);
    return result;
}
