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

#include <pthread.h>
#include <semaphore.h>
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

/* fork(): another thread caches cells of the arena and keeps a reader
 * section open; the child gets those cells back and releases freed blocks. */
static slotarena *fork_arena;
static slotarena_pool *fork_pool;
static sem_t fork_ready, fork_done;

static void *fork_helper(void *unused) {
    (void)unused;
    void *cells[40];
    for (int i = 0; i < 40; i++) cells[i] = slotarena_cell_alloc(fork_pool, CLASS_BITS);
    for (int i = 0; i < 40; i++) slotarena_cell_free(fork_pool, cells[i], gen_of(cells[i]));
    uint32_t ticket = slotarena_read_begin(fork_arena);
    sem_post(&fork_ready);
    sem_wait(&fork_done);
    slotarena_read_end(fork_arena, ticket);
    return NULL;
}

static int fork_child_work(void *unused) {
    (void)unused;
    slotarena_reclaim(fork_arena);
    slotarena_stats s = stats(fork_arena);
    if (s.cached_cells != 0 || s.live_cells != 0 || s.deferred_blocks != 0) return 1;
    void *c = slotarena_cell_alloc(fork_pool, CLASS_BITS);
    if (c == NULL || stats(fork_arena).live_cells != 1) return 2;
    slotarena_destroy(fork_arena);
    return 0;
}

static void fork_child(void) {
    fork_arena = slotarena_create();
    fork_pool = slotarena_pool_for_size(fork_arena, 48);
    sem_init(&fork_ready, 0, 0);
    sem_init(&fork_done, 0, 0);
    pthread_t helper;
    CHECK(pthread_create(&helper, NULL, fork_helper, NULL) == 0);
    sem_wait(&fork_ready);
    void *b = slotarena_block_alloc(fork_arena, 300, 0);
    slotarena_block_free(fork_arena, b, 300);
    slotarena_reclaim(fork_arena);
    CHECK(stats(fork_arena).cached_cells > 0 && stats(fork_arena).deferred_blocks == 1);
    CHECK(slotarena_fork_run(fork_child_work, NULL, 60000) == 0);
    sem_post(&fork_done);
    pthread_join(helper, NULL);
    slotarena_destroy(fork_arena);
}

int main(void) {
    cells_and_reuse();
    million_cells();
    blocks_reset_destroy();
    fail_next();
    fork_child();
    printf("arena_check (%s backend): %d passed, %d failed\n", slotarena_backend(), passed, failed);
    return failed == 0 ? 0 : 1;
}
