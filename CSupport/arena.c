/*
 * arena.c: an arena's life: create, reset, destroy.
 *
 * Model. An arena is a lock, a list of pools (one per cell size, pool.c), a
 * list of blocks (block.c), the thread-cache bins holding its cells
 * (tcache.c) and its counters (stats.c). Its struct, pools and blocks come
 * from the backend: one private jemalloc arena with this library's extent
 * hooks (backend_jemalloc.c), or malloc (backend_system.c); its slabs are
 * mappings of their own (slab.c). Reset frees every live cell as a free
 * does, one at a time and safe against other threads, and keeps the slabs;
 * destroy detaches the bins other threads still hold, shelves the slabs for
 * later arenas (slab.c) and gives everything else back to the backend, which
 * may unmap it: no handle points outside a slab. Live arenas are on a list,
 * under its own lock, that the fork handlers walk (fork.c) and that counts
 * them for the error past jemalloc's limit. The debug fail-next hook is in
 * stats.c, beside the setter of its counters; creating an arena is never
 * refused by it.
 *
 * Invariants. Invariant 4 (every cell address stays mapped, reading 0 or a
 * newer generation) is slab.c's. An arena is on the live list from the end
 * of its creation to the start of its destruction.
 */
#include "slotarena_internal.h"

#include <string.h>

static _Thread_local int create_failure;

/* Live arenas, newest first, for the fork handlers (fork.c). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static slotarena *live_first;
static uint32_t live_count;

pthread_mutex_t *slotarena_live_mutex(void) { return &live_lock; }
slotarena *slotarena_live_first(void) { return live_first; }

uint32_t slotarena_live_count(void) {
    pthread_mutex_lock(&live_lock);
    uint32_t n = live_count;
    pthread_mutex_unlock(&live_lock);
    return n;
}

static void live_add(slotarena *a) {
    pthread_mutex_lock(&live_lock);
    a->live_prev = NULL;
    a->live_next = live_first;
    if (live_first != NULL) live_first->live_prev = a;
    live_first = a;
    live_count++;
    pthread_mutex_unlock(&live_lock);
}

static void live_remove(slotarena *a) {
    pthread_mutex_lock(&live_lock);
    if (a->live_prev != NULL) a->live_prev->live_next = a->live_next;
    else live_first = a->live_next;
    if (a->live_next != NULL) a->live_next->live_prev = a->live_prev;
    a->live_prev = a->live_next = NULL;
    live_count--;
    pthread_mutex_unlock(&live_lock);
}

int slotarena_create_failure(void) { return create_failure; }

slotarena *slotarena_create(void) {
    slotarena_fork_setup();
    create_failure = 0;
    slotarena scratch;
    memset(&scratch, 0, sizeof(scratch));
    if (!slotarena_backend_create(&scratch)) {
        create_failure = slotarena_backend_create_failure();
        return NULL;
    }
    create_failure = SLOTARENA_CREATE_NO_MEMORY;
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
    create_failure = 0;
    live_add(a);
    return a;
}

void slotarena_destroy(slotarena *a) {
    if (a == NULL) return;
    live_remove(a);
    slotarena_detach_bins(a);
    for (slotarena_pool *p = a->pools; p != NULL; p = p->next) {
        slotarena_slab *s = p->slabs;
        while (s != NULL) {
            slotarena_slab *older = s->next;
            slotarena_slab_shelve(s, p->cell_size);
            s = older;
        }
        p->slabs = NULL;
    }
    slotarena_backend_release(a);
}

/* slotarena_reset_each's sweep of one pool: claims and recycles every live
 * cell (a class in its header) carved when the sweep reaches its slab; free
 * cells, on the free list or in some thread's bin, stay where they are. The
 * slab list and each slab's carved count are read under the lock (slabs are
 * only ever added at the front); the cells are swept without it, so the
 * sweep can wait for a writer and the callback can free blocks. */
SLOTARENA_NO_ASAN
static void pool_sweep(slotarena_pool *p, slotarena_release_fn release, void *context) {
    slotarena *a = p->arena;
    lock(a);
    slotarena_slab *s = p->slabs;
    unlock(a);
    for (; s != NULL; s = s->next) {
        lock(a);
        uint64_t carved = s->carved;
        unlock(a);
        char *first = (char *)s + SLAB_HEADER;
        for (uint64_t i = carved; i-- > 0;) {
            char *cell = first + i * p->cell_size;
            uint64_t header = __atomic_load_n(header_of(cell), __ATOMIC_ACQUIRE);
            if ((header & CLASS_FIELD_MASK) == 0) continue;
            uint64_t old;
            if (slotarena_cell_claim(p, cell, gen_of(header), &old) != SLOTARENA_OK) continue;
            if (release != NULL) release(context, cell, old);
            slotarena_cell_recycle(p, cell);
        }
    }
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
    for (slotarena_pool *p = pools; p != NULL; p = p->next) pool_sweep(p, release, context);
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
