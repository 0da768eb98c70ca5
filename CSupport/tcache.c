/*
 * tcache.c: thread caches, the bins of free cells that let most cell
 * allocations and frees take no lock.
 *
 * Model. Each thread keeps TCACHE_BINS bins of free cells, each for one pool
 * at a time (a pool's `bin` says which), so that the common allocation and
 * free take no lock: a pop or a push on a thread-private array (pool.c does
 * those, and keeps the thread's pointer to its cache). A bin trades cells
 * with its pool in batches (TCACHE_BATCH cells, fewer for large cells so that
 * a bin holds at most about TCACHE_BIN_BYTES), under the arena lock. A bin
 * switching pools empties itself into the old pool first; a thread that exits
 * gives every bin back; an arena destroyed while threads still hold bins of
 * it detaches them.
 *
 * Invariants. The counters stay exact (invariant 3, stats.c): a pool counts
 * the cells out of it, to users or to bins; a bin publishes how many cells it
 * holds and the lowest that count reached since the arena last looked
 * (relaxed atomics, written only by the owning thread); the arena walks its
 * bins, linked through `next` under its lock, to report live cells and the
 * peak. A bin with a non-NULL `pool` is on that pool's arena's list. Lock
 * order: the registry lock, then an arena's. The registry lock guards a bin's
 * `pool` while another thread may detach it (destroy) or while its owner
 * evicts it (a bin switching pools) or exits, and the list of every thread's
 * cache, which a fork child walks to free the caches of the threads it does
 * not have, once their bins gave their cells back (fork.c).
 */
#include "slotarena_internal.h"

#include <stdlib.h>
#include <string.h>

static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
static slotarena_tcache *caches; /* every thread's cache (registry lock) */
static pthread_key_t tcache_key;
static pthread_once_t tcache_key_once = PTHREAD_ONCE_INIT;
static bool tcache_key_made;
#if SLOTARENA_DEBUG_HOOKS
static _Thread_local bool tcache_off; /* debug hook: this thread uses no cache */
#endif

/* Moves the `n` oldest cells of a bin (the bottom) to its pool's free list,
 * oldest first, and keeps the newest: freeing cells in some order and then
 * allocating gives them back in exactly the reverse order, as one LIFO list
 * would, so a run of instances built together stays together. Lock held. */
SLOTARENA_NO_ASAN
void slotarena_bin_flush(slotarena_bin *bin, slotarena_pool *p, uint32_t n) {
    slotarena *a = p->arena;
    uint32_t count = atomic_load_explicit(&bin->count, RELAXED);
    if (n > count) n = count;
    slotarena_note_growth(a);
    for (uint32_t k = 0; k < n; k++) {
        char *cell = bin->cells[k];
        *(void **)(cell + FREE_LINK_OFFSET) = p->free_list;
        p->free_list = cell;
    }
    memmove(bin->cells, bin->cells + n, (count - n) * sizeof(void *));
    count -= n;
    p->free_count += n;
    count_out(p, -(int64_t)n);
    atomic_store_explicit(&bin->count, count, RELAXED);
    atomic_store_explicit(&bin->low, count, RELAXED);
}

/* Takes up to p->batch cells from the pool into an empty bin: from the
 * free list first, then carved from the newest slab (a new slab only when no
 * cell is left). Returns how many. Lock held. */
uint32_t slotarena_bin_refill(slotarena_bin *bin, slotarena_pool *p) {
    slotarena *a = p->arena;
    uint32_t count = atomic_load_explicit(&bin->count, RELAXED);
    slotarena_note_growth(a);
    uint32_t n = slotarena_pool_take_batch(p, bin->cells + count, p->batch);
    /* The bin pops from the top: reverse the batch so cells go out in the
     * order the free list or the slab had them. */
    for (uint32_t i = 0, j = n; i + 1 < j; i++, j--) {
        void *t = bin->cells[count + i];
        bin->cells[count + i] = bin->cells[count + j - 1];
        bin->cells[count + j - 1] = t;
    }
    count_out(p, n);
    atomic_store_explicit(&bin->count, count + n, RELAXED);
    atomic_store_explicit(&bin->low, count + n, RELAXED);
    return n;
}

/* Unlinks a bin from its arena's list. Lock held. */
static void bin_unlink(slotarena *a, slotarena_bin *bin) {
    for (slotarena_bin **at = &a->bins; *at != NULL; at = &(*at)->next) {
        if (*at == bin) {
            *at = bin->next;
            break;
        }
    }
    bin->next = NULL;
}

/* Empties a bin into its pool and frees it for another pool; a bin that
 * destroy detached is simply forgotten. Registry lock held. */
static void bin_release(slotarena_bin *bin) {
    slotarena_pool *old = atomic_load_explicit(&bin->pool, memory_order_acquire);
    if (old == NULL) return;
    slotarena *a = old->arena;
    lock(a);
    slotarena_bin_flush(bin, old, TCACHE_CAP);
    bin_unlink(a, bin);
    atomic_store_explicit(&bin->pool, NULL, memory_order_release);
    unlock(a);
}

/* Gives a bin to `p`, emptying it into the pool it held before. */
void slotarena_bin_claim(slotarena_bin *bin, slotarena_pool *p) {
    if (atomic_load_explicit(&bin->pool, memory_order_acquire) != NULL) {
        pthread_mutex_lock(&registry);
        bin_release(bin);
        pthread_mutex_unlock(&registry);
    }
    slotarena *a = p->arena;
    lock(a);
    atomic_store_explicit(&bin->count, 0, RELAXED);
    atomic_store_explicit(&bin->low, 0, RELAXED);
    bin->cell_size = p->cell_size;
    bin->next = a->bins;
    a->bins = bin;
    atomic_store_explicit(&bin->pool, p, memory_order_release);
    unlock(a);
}

/* Takes a cache off the list of caches. Registry lock held. */
static void cache_unlink(slotarena_tcache *t) {
    if (t->prev != NULL) t->prev->next = t->next;
    else caches = t->next;
    if (t->next != NULL) t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

/* Thread exit: every bin goes back to its pool. */
static void tcache_exit(void *arg) {
    slotarena_tcache *t = arg;
    pthread_mutex_lock(&registry);
    for (int i = 0; i < TCACHE_BINS; i++) bin_release(&t->bins[i]);
    cache_unlink(t);
    pthread_mutex_unlock(&registry);
    slotarena_tcache_forget(t);
    free(t);
}

static void tcache_make_key(void) {
    tcache_key_made = pthread_key_create(&tcache_key, tcache_exit) == 0;
}

/* A new cache for the calling thread, registered for its exit (pool.c keeps
 * the pointer); NULL when memory is short or no thread-exit hook can be
 * registered (every operation then takes the locked path). */
slotarena_tcache *slotarena_tcache_create(void) {
#if SLOTARENA_DEBUG_HOOKS
    if (tcache_off) return NULL;
#endif
    pthread_once(&tcache_key_once, tcache_make_key);
    if (!tcache_key_made) return NULL; /* no thread-exit hook: no cache */
    slotarena_tcache *t = calloc(1, sizeof(*t));
    if (t == NULL) return NULL;
    if (pthread_setspecific(tcache_key, t) != 0) {
        free(t);
        return NULL;
    }
    pthread_mutex_lock(&registry);
    t->next = caches;
    if (caches != NULL) caches->prev = t;
    caches = t;
    pthread_mutex_unlock(&registry);
    return t;
}

/* Destroy: no thread may use the arena any more, but their bins still point
 * at its pools. Each bin is unlinked before its pool is cleared, so an owner
 * that sees NULL owns the bin again. */
void slotarena_detach_bins(slotarena *a) {
    pthread_mutex_lock(&registry);
    lock(a);
    slotarena_bin *bin = a->bins;
    a->bins = NULL;
    while (bin != NULL) {
        slotarena_bin *next = bin->next;
        bin->next = NULL;
        atomic_store_explicit(&bin->pool, NULL, memory_order_release);
        bin = next;
    }
    unlock(a);
    pthread_mutex_unlock(&registry);
}

/* ---------------------------------------------------------------------- */
/* fork (fork.c)                                                           */

pthread_mutex_t *slotarena_tcache_registry_mutex(void) { return &registry; }

void slotarena_bins_adopt(slotarena *a, slotarena_tcache *keep) {
    slotarena_bin **at = &a->bins;
    while (*at != NULL) {
        slotarena_bin *bin = *at;
        if (keep != NULL && bin >= keep->bins && bin < keep->bins + TCACHE_BINS) {
            at = &bin->next;
            continue;
        }
        slotarena_bin_flush(bin, atomic_load_explicit(&bin->pool, RELAXED), TCACHE_CAP);
        *at = bin->next;
        bin->next = NULL;
        atomic_store_explicit(&bin->pool, NULL, RELAXED);
    }
}

void slotarena_tcaches_forget_others(slotarena_tcache *keep) {
    slotarena_tcache *t = caches;
    while (t != NULL) {
        slotarena_tcache *next = t->next;
        if (t != keep) {
            cache_unlink(t);
            free(t);
        }
        t = next;
    }
}

int slotarena_debug_thread_cache(int enabled) {
#if SLOTARENA_DEBUG_HOOKS
    tcache_off = !enabled;
    slotarena_tcache *t = slotarena_tcache_current();
    if (!enabled && t != NULL) {
        pthread_setspecific(tcache_key, NULL);
        tcache_exit(t);
    }
    return 1;
#else
    (void)enabled;
    return 0;
#endif
}
