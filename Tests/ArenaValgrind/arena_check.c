/*
 * arena_check.c: the C arena's behaviours, as a plain C program for valgrind.
 *
 * The Swift Testing suite (ArenaTests.swift) is the arena's main test; memcheck cannot run
 * the Swift test runner (its debug info and dispatch threads crash valgrind 3.19), so this
 * program drives the same public API directly, checks each result, and exits non-zero on
 * a failed check. .ci/run builds it against the C files of CSupport/ and runs it under
 * `valgrind --error-exitcode=1`, for both backends.
 */
#include "slotarena.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                               \
    do {                                                                          \
        if (cond) passed++;                                                       \
        else {                                                                    \
            failed++;                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                         \
    } while (0)

static const uint64_t CLASS_BITS = (uint64_t)1 << SLOTARENA_CLASS_SHIFT;

static uint32_t gen_of(void *cell) {
    uint64_t h;
    memcpy(&h, cell, sizeof h);
    return (uint32_t)(h >> SLOTARENA_GEN_SHIFT);
}

static slotarena_stats stats(slotarena *a) {
    slotarena_stats s;
    slotarena_stats_read(a, &s);
    return s;
}

static void cells_and_reuse(void) {
    slotarena *a = slotarena_create();
    CHECK(a != NULL);
    slotarena_pool *p = slotarena_pool_for_size(a, 20);
    CHECK(p != NULL && slotarena_pool_cell_size(p) == 24);
    CHECK(slotarena_pool_for_size(a, SLOTARENA_MAX_CELL + 1) == NULL);
    char *c1 = slotarena_cell_alloc(p, CLASS_BITS);
    char *c2 = slotarena_cell_alloc(p, CLASS_BITS);
    CHECK(c2 - c1 == 24);
    uint32_t g = gen_of(c1);
    CHECK(g >= 1);
    for (int i = 8; i < 24; i++) CHECK(c1[i] == 0);
    memset(c1 + 8, 0xAB, 16);
    CHECK(slotarena_cell_free(p, c1, g) == SLOTARENA_OK);
    CHECK(slotarena_cell_free(p, c1, g) == SLOTARENA_ERR_STALE);
    char *c3 = slotarena_cell_alloc(p, CLASS_BITS);
    CHECK(c3 == c1 && gen_of(c3) == g + 1);
    for (int i = 8; i < 24; i++) CHECK(c3[i] == 0);
    slotarena_destroy(a);
}

static void million_cells(void) {
    enum { N = 1000000 };
    static void *cells[N];
    slotarena *a = slotarena_create();
    slotarena_pool *p = slotarena_pool_for_size(a, 24);
    int ok = 1;
    for (int i = 0; i < N; i++) ok &= (cells[i] = slotarena_cell_alloc(p, CLASS_BITS)) != NULL;
    CHECK(ok);
    slotarena_stats s = stats(a);
    CHECK(s.live_cells == N && s.cell_bytes == 24u * N);
    CHECK(s.slab_bytes <= 24500000);
    if (strcmp(slotarena_backend(), "jemalloc") == 0) CHECK(s.backend_allocated <= 24500000);
    for (int i = 0; i < N; i++) ok &= slotarena_cell_free(p, cells[i], gen_of(cells[i])) == SLOTARENA_OK;
    CHECK(ok);
    s = stats(a);
    CHECK(s.allocated_bytes == 0 && s.peak_bytes == 24u * N);
    slotarena_peak_reset(a);
    CHECK(stats(a).peak_bytes == 0);
    slotarena_destroy(a);
}

static void blocks_reset_destroy(void) {
    slotarena *a = slotarena_create();
    slotarena_pool *p = slotarena_pool_for_size(a, 32);
    unsigned char *b = slotarena_block_alloc(a, 100, 1);
    CHECK(b != NULL);
    int zero = 1;
    for (int i = 0; i < 100; i++) zero &= b[i] == 0;
    CHECK(zero);
    CHECK(stats(a).block_bytes == 116);
    slotarena_block_free(a, b, 100);
    CHECK(stats(a).live_blocks == 0);
    void *c = slotarena_cell_alloc(p, CLASS_BITS);
    uint32_t g = gen_of(c);
    CHECK(slotarena_block_alloc(a, 5000, 0) != NULL);
    uint64_t slabs = stats(a).slab_bytes;
    slotarena_reset(a);
    slotarena_stats s = stats(a);
    CHECK(s.allocated_bytes == 0 && s.live_blocks == 0 && s.slab_bytes == slabs);
    CHECK(slotarena_cell_free(p, c, g) == SLOTARENA_ERR_STALE);
    CHECK(gen_of(c) == g + 1 && (*(uint64_t *)c >> SLOTARENA_CLASS_SHIFT & ((1ull << SLOTARENA_CLASS_BITS) - 1)) == 0);
    /* The freed cell comes back, after any this thread's cache still holds. */
    int found = 0;
    for (int i = 0; i < 100 && !found; i++) {
        void *again = slotarena_cell_alloc(p, CLASS_BITS);
        found = again == c;
    }
    CHECK(found && gen_of(c) == g + 1);
    slotarena_destroy(a);
}

static void fail_next(void) {
    slotarena *a = slotarena_create();
    slotarena_pool *p = slotarena_pool_for_size(a, 16);
    if (slotarena_debug_fail_next(a, 1, 1)) {
        CHECK(slotarena_cell_alloc(p, CLASS_BITS) != NULL);
        CHECK(slotarena_block_alloc(a, 10, 0) == NULL);
        CHECK(slotarena_block_alloc(a, 10, 0) != NULL);
        CHECK(stats(a).live_blocks == 1);
    }
    slotarena_destroy(a);
}

int main(void) {
    cells_and_reuse();
    million_cells();
    blocks_reset_destroy();
    fail_next();
    printf("arena_check (%s backend): %d passed, %d failed\n", slotarena_backend(), passed, failed);
    return failed == 0 ? 0 : 1;
}
