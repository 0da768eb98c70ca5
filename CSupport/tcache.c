/*
 * tcache.c: thread caches, the bins of free cells that let most cell
 * allocations and frees take no lock.
 *
 * Model. Each thread keeps TCACHE_BINS bins of free cells, each for one pool
 * at a time (a pool's `bin` says which), so that the common allocation and
 * free take no lock: a pop or a push on a thread-private chain (pool.c does
 * those, and keeps the thread's pointer to its cache). A bin holds its cells
 * as two chains through the cells' free-list link, as Bonwick's magazines
 * do: `loaded`, which allocations pop and frees push, and `spare`, one full
 * batch or none. A free finding the loaded chain full makes it the spare,
 * first giving an older spare back to the pool; an allocation finding it
 * empty loads the spare, else refills one batch from the pool. A batch is
 * TCACHE_BATCH cells, fewer for large cells so that a bin holds at most about
 * TCACHE_BIN_BYTES; the pool keeps whole batches on stacks (its `batches`),
 * so a trade under the arena lock is a few stores, never a walk over cells that
 * another core may hold in its cache: threads that construct and free large
 * working sets, or free cells another thread built, contend only for those
 * few stores, once per batch. There are POOL_BATCH_STACKS stacks, and each
 * thread has a home among them (given in turn as caches are made): it gives
 * batches back to its home and refills from it first, so that two threads
 * building and freeing large working sets each get back the cells they freed,
 * still in their own core's cache, not the batch the other core gave back last
 * (which a single stack hands out first); a thread finding its home empty
 * takes from the others before the free list. A bin switching pools empties itself into the
 * old pool first; a thread that exits gives every bin back; an arena
 * destroyed while threads still hold bins of it detaches them.
 *
 * Invariants. The counters stay exact (invariant 3, stats.c): a pool counts
 * the cells out of it, to users or to bins; a bin publishes its tally, how
 * many cells it holds and its dip (one relaxed atomic word, which only the
 * owning thread writes, but for the sampler resetting the dip with a
 * compare-and-swap); the arena walks its bins, linked through `next` under
 * its lock, to report live cells and the peak (stats.c). A trade samples only
 * when its bin's dip has passed the limit; otherwise it touches no other
 * thread's bin. A bin holds count == loaded +
 * (spare ? batch : 0) cells, and its
 * stores are ordered (signal fences) so that at any instant each of its
 * chains is NULL-terminated and reachable from one field only: a fork child
 * can walk another thread's bin (slotarena_bin_empty counts what it finds).
 * A bin with a non-NULL `pool` is on that pool's arena's list. Lock
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
static _Atomic uint32_t caches_created;
static _Thread_local uint32_t home_stack; /* this thread's stack of batches in every pool */
#if SLOTARENA_DEBUG_HOOKS
static _Thread_local bool home_pinned; /* debug hook: home_stack set by a test */
#endif
#if SLOTARENA_DEBUG_HOOKS
static _Thread_local bool tcache_off; /* debug hook: this thread uses no cache */
#endif

/* ---------------------------------------------------------------------- */
/* Batches: what a bin trades with its pool                                */

/* Up to p->batch free cells for an empty bin, as a chain through +8 whose
 * first cell goes out first; `*head` receives it. The newest whole batch if
 * there is one (O(1): its cells are not touched), else cells from the free
 * list in its order, else cells carved from the newest slab in address order
 * (a new slab only when no cell is left). Not counted out: the caller does
 * that. Lock held. */
SLOTARENA_NO_ASAN
uint32_t slotarena_pool_take_batch(slotarena_pool *p, void **head) {
    char *first;
    for (uint32_t k = 0; k < POOL_BATCH_STACKS; k++) {
        uint32_t i = (home_stack + k) % POOL_BATCH_STACKS;
        if ((first = p->batches[i]) == NULL) continue;
        p->batches[i] = *(void **)(first + BATCH_LINK_OFFSET);
        *(void **)(first + BATCH_LINK_OFFSET) = NULL;
        p->free_count -= p->batch;
        *head = first;
        return p->batch;
    }
    uint32_t n = 0;
    first = p->free_list;
    if (first != NULL) {
        char *last = first;
        for (n = 1; n < p->batch && *(void **)(last + FREE_LINK_OFFSET) != NULL; n++)
            last = *(void **)(last + FREE_LINK_OFFSET);
        p->free_list = *(void **)(last + FREE_LINK_OFFSET);
        *(void **)(last + FREE_LINK_OFFSET) = NULL;
        p->free_count -= n;
        *head = first;
        return n;
    }
    char *cell, *last = NULL;
    while (n < p->batch && (cell = slotarena_pool_carve(p, n == 0)) != NULL) {
        if (last == NULL) first = cell;
        else *(void **)(last + FREE_LINK_OFFSET) = cell;
        last = cell;
        n++;
    }
    *head = first;
    return n;
}

/* Takes back a full batch, a chain of exactly p->batch cells: whole, in O(1),
 * when its cells have room for the second link, else cell by cell. Lock
 * held. */
SLOTARENA_NO_ASAN
void slotarena_pool_put_batch(slotarena_pool *p, void *head) {
    if (p->cell_size < BATCH_LINK_MIN_CELL) {
        (void)slotarena_pool_put_chain(p, head);
        return;
    }
    *(void **)((char *)head + BATCH_LINK_OFFSET) = p->batches[home_stack];
    p->batches[home_stack] = head;
    p->free_count += p->batch;
}

/* Takes back a chain of cells onto the free list, the first cell deepest, so
 * that the chain's last cell goes out first. Returns how many. Lock held. */
SLOTARENA_NO_ASAN
uint32_t slotarena_pool_put_chain(slotarena_pool *p, void *head) {
    uint32_t n = 0;
    for (char *cell = head; cell != NULL; n++) {
        char *next = *(void **)(cell + FREE_LINK_OFFSET);
        *(void **)(cell + FREE_LINK_OFFSET) = p->free_list;
        p->free_list = cell;
        cell = next;
    }
    p->free_count += n;
    return n;
}

/* ---------------------------------------------------------------------- */
/* Bins                                                                    */

/* Gives a bin's spare batch back to its pool, whole: the batch's cells are
 * not touched, so the lock is held for a few stores whatever the working
 * set. Freeing cells in some order and then allocating gives them back in
 * exactly the reverse order, as one LIFO list would (the pool's batches are a
 * stack too), so a run of instances built together stays together. Lock
 * held. */
void slotarena_bin_flush_spare(slotarena_bin *bin, slotarena_pool *p) {
    slotarena_pool_put_batch(p, bin->spare);
    bin->spare = NULL;
    uint64_t tally = atomic_load_explicit(&bin->tally, RELAXED) - p->batch;
    count_out(p, -(int64_t)p->batch);
    atomic_store_explicit(&bin->tally, tally, RELAXED);
    if (tally_dip(tally) >= dip_limit()) slotarena_note_growth(p->arena);
}

/* Gives every cell of a bin back to its pool, counting the cells its chains
 * hold (in a fork child, a thread stopped between two stores of a push may
 * have left `count` one behind). Lock held. */
void slotarena_bin_empty(slotarena_bin *bin, slotarena_pool *p) {
    slotarena_note_growth(p->arena);
    uint32_t n = 0;
    if (bin->spare != NULL) {
        slotarena_pool_put_batch(p, bin->spare);
        n += p->batch;
    }
    n += slotarena_pool_put_chain(p, bin->head);
    count_out(p, -(int64_t)n);
    bin->spare = bin->head = NULL;
    bin->loaded = 0;
    atomic_store_explicit(&bin->tally, 0, RELAXED);
}

/* Takes up to p->batch cells from the pool into an empty bin: a whole batch
 * if the pool has one, else from the free list, else carved from the newest
 * slab (a new slab only when no cell is left). Returns how many. Lock held. */
uint32_t slotarena_bin_refill(slotarena_bin *bin, slotarena_pool *p) {
    void *head = NULL;
    uint32_t n = slotarena_pool_take_batch(p, &head);
    bin->head = head;
    bin->loaded = n;
    count_out(p, n);
    atomic_store_explicit(&bin->tally, atomic_load_explicit(&bin->tally, RELAXED) + n, RELAXED);
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
    slotarena_bin_empty(bin, old);
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
    atomic_store_explicit(&bin->tally, 0, RELAXED);
    bin->head = bin->spare = NULL; /* cells of a destroyed arena, if detached */
    bin->loaded = 0;
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
#if SLOTARENA_DEBUG_HOOKS
    if (!home_pinned)
#endif
        home_stack = atomic_fetch_add_explicit(&caches_created, 1, memory_order_relaxed) % POOL_BATCH_STACKS;
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
        slotarena_bin_empty(bin, atomic_load_explicit(&bin->pool, RELAXED));
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

#if SLOTARENA_DEBUG_HOOKS
_Atomic uint32_t slotarena_dip_limit = TALLY_DIP_LIMIT;
#endif

int slotarena_debug_dip_limit(uint32_t limit) {
#if SLOTARENA_DEBUG_HOOKS
    atomic_store_explicit(&slotarena_dip_limit, limit == 0 ? TALLY_DIP_LIMIT : limit, memory_order_relaxed);
    return 1;
#else
    (void)limit;
    return 0;
#endif
}

int slotarena_debug_home_stack(unsigned stack) {
#if SLOTARENA_DEBUG_HOOKS
    home_stack = stack % POOL_BATCH_STACKS;
    home_pinned = true;
    return 1;
#else
    (void)stack;
    return 0;
#endif
}
