/*
 * pool.c: pools, slabs and cells, with the two hot paths (slotarena_cell_alloc
 * and slotarena_cell_free).
 *
 * Model. A pool keeps a list of slabs (newest first) and a LIFO free list
 * threaded through free cells at offset 8. A slab is one large allocation: a
 * 64-byte slab header, then cells of the pool's size back to back, carved
 * lazily from the front; slabs grow from 64 KiB to 1 MiB as the pool grows,
 * each a mapping of its own from slab.c (a fresh one, or one of the same
 * size shelved when an arena with a pool of the same cell size was
 * destroyed, whose cells start at its floor generation).
 * Most allocations pop a cell from the calling thread's bin and most frees
 * push one there (tcache.c keeps the bins), without the arena lock; the rest
 * take the lock and use the free list or carve. A bulk allocation
 * (slotarena_cell_alloc_many) takes one lock for its whole chunk: free cells
 * first, each handed out as it is unlinked, then fresh cells carved a slab's
 * run at a time, with no call per cell. Bins trade whole batches with
 * the pool: a pool whose cells have room for a second link (24 bytes or
 * more) keeps the batches bins give back on stacks, `batches`, linked
 * through +16 of each batch's first cell, so a trade is O(1) under the lock
 * (a thread gives back to and refills from its home stack first, tcache.c);
 * smaller cells go through the free list one by one. The free list and the
 * batches together are the pool's free cells. The thread's cache pointer is
 * a `static _Thread_local` of this file, so the fast paths read it directly
 * (an extern thread-local read from another -fPIC file may cost a call to
 * __tls_get_addr); tcache.c makes a thread's cache and reads or clears the
 * pointer through slotarena_tcache_current and slotarena_tcache_forget.
 *
 * Invariants.
 *   1. A slab stays with its pool until the arena is destroyed, so every cell
 *      address keeps a header of that pool; generations only ever grow, and a
 *      cell whose generation reaches SLOTARENA_GEN_RETIRED leaves circulation.
 *      After destroy, slab.c keeps them growing (invariant 4).
 *   2. A free cell's header holds only its (already advanced) generation;
 *      class and presence bits are zero, so no handle can match it. Its
 *      payload is zero but for its links (+8, and +16 for a batch's first
 *      cell on `batches`), which are cleared as it leaves the pool or bin.
 * Every cell taken out of a pool or put back is counted with count_out, which
 * keeps invariant 3 (stats.c).
 */
#include "slotarena_internal.h"

#include <string.h>

/* Spreads pools over the bins of every thread cache. */
static _Atomic uint32_t pools_created;

/* The calling thread's cache; NULL before its first cell operation, and when
 * it has none (every operation then takes the locked path). */
static _Thread_local slotarena_tcache *tcache;

slotarena_tcache *slotarena_tcache_current(void) { return tcache; }

void slotarena_tcache_forget(slotarena_tcache *t) {
    if (tcache == t) tcache = NULL;
}

/* The calling thread's cache, made on first use; NULL when it has none. */
static inline slotarena_tcache *tcache_get(void) {
    slotarena_tcache *t = tcache;
    if (t == NULL && (t = slotarena_tcache_create()) != NULL) tcache = t;
    return t;
}

/* ---------------------------------------------------------------------- */
/* Pools and slabs                                                         */

slotarena_pool *slotarena_pool_for_size(slotarena *a, size_t cell_size) {
    if (cell_size > SLOTARENA_MAX_CELL) return NULL;
    uint32_t size = (uint32_t)round_cell(cell_size);
    lock(a);
    slotarena_pool *p;
    for (p = a->pools; p != NULL; p = p->next)
        if (p->cell_size == size) break;
    if (p == NULL && !should_fail(a)) {
        p = slotarena_backend_alloc(a->flags, sizeof(*p), false);
        if (p != NULL) {
            memset(p, 0, sizeof(*p));
            p->arena = a;
            p->cell_size = size;
            p->bin = atomic_fetch_add_explicit(&pools_created, 1, RELAXED) % TCACHE_BINS;
            uint32_t batch = (uint32_t)(TCACHE_BIN_BYTES / 2 / size);
            p->batch = batch < 1 ? 1 : batch > TCACHE_BATCH ? TCACHE_BATCH : batch;
            p->next = a->pools;
            a->pools = p;
            a->pool_count++;
        }
    }
    unlock(a);
    return p;
}

uint32_t slotarena_pool_cell_size(const slotarena_pool *pool) { return pool->cell_size; }

/* Takes a new slab for the pool. Lock held. */
SLOTARENA_NO_ASAN
static bool add_slab(slotarena_pool *p) {
    slotarena *a = p->arena;
    size_t bytes = SLAB_MIN << (p->slab_count < 4 ? p->slab_count : 4);
    if (bytes > SLAB_MAX) bytes = SLAB_MAX;
    slotarena_slab *s = slotarena_slab_take(p->cell_size, bytes);
    if (s == NULL) return false;
    s->carved = 0;
    s->capacity = (bytes - SLAB_HEADER) / p->cell_size;
    s->next = p->slabs;
    p->slabs = s;
    p->slab_count++;
    p->slab_bytes += bytes;
    a->slab_count++;
    a->slab_bytes += bytes;
    SLOTARENA_POISON((char *)s + SLAB_HEADER, bytes - SLAB_HEADER);
    return true;
}

/* ---------------------------------------------------------------------- */
/* Cells                                                                   */

/* The newest cell of the pool's free list, taken off it (link cleared), or
 * NULL; an empty free list takes the newest whole batch first. Lock held. */
SLOTARENA_NO_ASAN
static char *pop_free(slotarena_pool *p) {
    for (int i = 0; p->free_list == NULL && i < POOL_BATCH_STACKS; i++) {
        char *first = p->batches[i];
        if (first == NULL) continue;
        p->batches[i] = *(void **)(first + BATCH_LINK_OFFSET);
        *(void **)(first + BATCH_LINK_OFFSET) = NULL;
        p->free_list = first;
    }
    char *cell = p->free_list;
    if (cell != NULL) {
        p->free_list = *(void **)(cell + FREE_LINK_OFFSET);
        *(void **)(cell + FREE_LINK_OFFSET) = NULL;
        p->free_count--;
    }
    return cell;
}

/* A cell carved from the newest slab: zero (as every byte of a slab past its
 * carved cells is, invariant 7), at the slab's floor generation, poisoned
 * after its header. When that slab is full, a new slab if `may_add_slab`,
 * else NULL; NULL too when memory is refused. Lock held. */
SLOTARENA_NO_ASAN
char *slotarena_pool_carve(slotarena_pool *p, bool may_add_slab) {
    slotarena_slab *s = p->slabs;
    if (s == NULL || s->carved == s->capacity) {
        if (!may_add_slab || !add_slab(p)) return NULL;
        s = p->slabs;
    }
    size_t size = p->cell_size;
    char *cell = (char *)s + SLAB_HEADER + s->carved * size;
    s->carved++;
    p->carved++;
    SLOTARENA_UNPOISON(cell, size);
    *header_of(cell) = s->floor << SLOTARENA_GEN_SHIFT;
    SLOTARENA_POISON(cell + SLOTARENA_HEADER_BYTES, size - SLOTARENA_HEADER_BYTES);
    return cell;
}

/* Allocation without a thread cache (no memory for one): the newest free
 * cell, else a fresh one. Lock held. */
SLOTARENA_NO_ASAN
static char *pool_take(slotarena_pool *p) {
    char *cell = pop_free(p);
    if (cell == NULL && (cell = slotarena_pool_carve(p, true)) == NULL) return NULL;
    count_out(p, 1);
    return cell;
}

/* Puts a cell whose header already holds its advanced generation and whose
 * payload is zero on the free list. Lock held. */
SLOTARENA_NO_ASAN
static void pool_put(slotarena_pool *p, char *cell) {
    *(void **)(cell + FREE_LINK_OFFSET) = p->free_list;
    p->free_list = cell;
    p->free_count++;
}

/* Marks a cell retired: out of generations, never handed out again. */
SLOTARENA_NO_ASAN
static void retire(slotarena_pool *p, char *cell) {
    __atomic_store_n(header_of(cell), (uint64_t)SLOTARENA_GEN_RETIRED << SLOTARENA_GEN_SHIFT, __ATOMIC_RELAXED);
    p->retired++;
    p->arena->retired_cells++;
}

/* Whether `cell` lies on a carved cell boundary of one of the pool's slabs. */
static bool owns_cell(slotarena_pool *p, const char *cell) {
    for (slotarena_slab *s = p->slabs; s != NULL; s = s->next) {
        const char *first = (const char *)s + SLAB_HEADER;
        if (cell >= first && cell < first + s->carved * p->cell_size)
            return (size_t)(cell - first) % p->cell_size == 0;
    }
    return false;
}

/* Pops the newest cell of a bin whose tally holds a count > 0 of cells of its
 * pool, the spare batch becoming the loaded chain when that is empty. The
 * count falls by one and so does the dip, down to 0 (a new low). The signal
 * fences keep the stores in an order a fork child can walk (fork.c): a chain
 * is never reachable from both `spare` and `head`. */
SLOTARENA_NO_ASAN
static inline char *bin_pop(slotarena_bin *bin, uint64_t tally) {
    if (bin->loaded == 0) {
        void *full = bin->spare;
        bin->spare = NULL;
        atomic_signal_fence(memory_order_seq_cst);
        bin->head = full;
        bin->loaded = tally_count(tally);
    }
    char *cell = bin->head;
    bin->head = *(void **)(cell + FREE_LINK_OFFSET);
    *(void **)(cell + FREE_LINK_OFFSET) = NULL;
    bin->loaded--;
    uint64_t dip_step = tally_dip(tally) != 0 ? TALLY_DIP_ONE : 0;
    atomic_store_explicit(&bin->tally, tally - 1 - dip_step, RELAXED);
    return cell;
}

/* Pushes a free cell on a bin of its pool; a full loaded chain becomes the
 * spare batch first, and a spare batch already there goes back to the pool,
 * whole, under the lock. */
SLOTARENA_NO_ASAN
static inline void bin_push(slotarena_bin *bin, slotarena_pool *p, char *cell) {
    if (bin->loaded == p->batch) {
        if (bin->spare != NULL) {
            lock(p->arena);
            slotarena_bin_flush_spare(bin, p);
            unlock(p->arena);
        }
        void *full = bin->head;
        bin->head = NULL;
        bin->loaded = 0;
        atomic_signal_fence(memory_order_seq_cst);
        bin->spare = full;
    }
    *(void **)(cell + FREE_LINK_OFFSET) = bin->head;
    atomic_signal_fence(memory_order_seq_cst);
    bin->head = cell;
    bin->loaded++;
    atomic_store_explicit(&bin->tally, atomic_load_explicit(&bin->tally, RELAXED) + 1 + TALLY_DIP_ONE, RELAXED);
}

SLOTARENA_NO_ASAN __attribute__((noinline))
static void *cell_alloc_slow(slotarena_pool *p, uint64_t header_bits) {
    slotarena *a = p->arena;
    slotarena_tcache *t = tcache_get();
    slotarena_bin *bin = t != NULL ? &t->bins[p->bin] : NULL;
    if (bin != NULL && atomic_load_explicit(&bin->pool, memory_order_acquire) != p) slotarena_bin_claim(bin, p);
    char *cell = NULL;
    lock(a);
    if (!should_fail(a)) {
        if (bin == NULL) {
            cell = pool_take(p);
            slotarena_note_growth(a);
        } else if (tally_count(atomic_load_explicit(&bin->tally, RELAXED)) > 0 || slotarena_bin_refill(bin, p) > 0) {
            cell = bin_pop(bin, atomic_load_explicit(&bin->tally, RELAXED));
        }
    }
    unlock(a);
    return cell == NULL ? NULL : hand_out(cell, p->cell_size, header_bits);
}

/* The allocation itself: a pop from the calling thread's bin when it holds a
 * cell of this pool, else the slow path. */
SLOTARENA_NO_ASAN
static inline void *cell_alloc(slotarena_pool *p, uint64_t header_bits) {
    slotarena_tcache *t = tcache;
    if (t != NULL) {
        slotarena_bin *bin = &t->bins[p->bin];
        uint64_t tally = atomic_load_explicit(&bin->tally, RELAXED);
        if (atomic_load_explicit(&bin->pool, RELAXED) == p && tally_count(tally) > 0 && !fail_armed(p->arena))
            return hand_out(bin_pop(bin, tally), p->cell_size, header_bits);
    }
    return cell_alloc_slow(p, header_bits);
}

/* A cell born holding its writer bit: the write begins before the cell is
 * published (invariant 6, access.c). */
__attribute__((noinline))
static void *cell_alloc_held(slotarena_pool *p, uint64_t header_bits) {
    slotarena_writer_enter();
    void *cell = cell_alloc(p, header_bits);
    if (cell == NULL) slotarena_writer_exit();
    return cell;
}

void *slotarena_cell_alloc(slotarena_pool *p, uint64_t header_bits) {
    if (__builtin_expect((header_bits & BUSY_MASK) != 0, 0)) return cell_alloc_held(p, header_bits);
    return cell_alloc(p, header_bits);
}

/* The handle of a cell handed out: (address >> 3) | its generation bits. */
static inline uint64_t handle_of(const char *cell, uint64_t header) {
    return ((uint64_t)(uintptr_t)cell >> 3) | (header & GEN_MASK);
}

/* Fresh cells for a batch: up to `want` cells carved from the newest slab in
 * one step (a new slab when it is full), each header written and its handle
 * stored in `out`, in address order. Zero when memory is refused. Lock held. */
SLOTARENA_NO_ASAN
static size_t carve_run(slotarena_pool *p, uint64_t header_bits, uint64_t *out, size_t want) {
    slotarena_slab *s = p->slabs;
    if (s == NULL || s->carved == s->capacity) {
        if (!add_slab(p)) return 0;
        s = p->slabs;
    }
    size_t size = p->cell_size;
    size_t run = s->capacity - s->carved;
    if (run > want) run = want;
    char *cell = (char *)s + SLAB_HEADER + s->carved * size;
    s->carved += run;
    p->carved += run;
    SLOTARENA_UNPOISON(cell, run * size);
    /* Past the carved cells a slab is zero (invariant 7): only the headers are written. */
    uint64_t header = (s->floor << SLOTARENA_GEN_SHIFT) | (header_bits & ~GEN_MASK);
    bool busy = (header_bits & BUSY_MASK) != 0;
    for (size_t k = 0; k < run; k++, cell += size) {
        if (busy) slotarena_store_seq_begin(header_of(cell), header);
        else __atomic_store_n(header_of(cell), header, __ATOMIC_RELEASE);
        out[k] = handle_of(cell, header);
    }
    return run;
}

/* Bulk allocation, one pass under the lock: free cells first (whole batches,
 * then the free list), each handed out as it is unlinked, then fresh cells
 * carved a slab's run at a time. A refusal puts every cell taken back on the
 * free list, free again (class bits cleared, payload still zero). */
SLOTARENA_NO_ASAN
size_t slotarena_cell_alloc_many(slotarena_pool *p, uint64_t header_bits, uint64_t *out, size_t count) {
    slotarena *a = p->arena;
    size_t size = p->cell_size;
    size_t n = 0;
    lock(a);
    if (count == 0 || should_fail(a)) {
        unlock(a);
        return 0;
    }
    slotarena_note_growth(a);
    char *cell;
    while (n < count && (cell = pop_free(p)) != NULL) {
        hand_out(cell, size, header_bits);
        out[n++] = handle_of(cell, *header_of(cell));
    }
    while (n < count) {
        size_t run = carve_run(p, header_bits, out + n, count - n);
        if (run == 0) break;
        n += run;
    }
    if (n < count) {
        for (size_t k = 0; k < n; k++) {
            cell = (char *)(uintptr_t)((out[k] & ~GEN_MASK) << 3);
            __atomic_store_n(header_of(cell), out[k] & GEN_MASK, __ATOMIC_RELAXED);
            SLOTARENA_POISON(cell + SLOTARENA_HEADER_BYTES, size - SLOTARENA_HEADER_BYTES);
            pool_put(p, cell);
        }
        unlock(a);
        return 0;
    }
    count_out(p, (int64_t)n);
    slotarena_note_growth(a);
    unlock(a);
    return n;
}

/* Claims a live cell for freeing: one compare-and-swap advances its
 * generation (or retires it), so of two threads freeing the same handle
 * exactly one wins, and every reader and writer of the old handle sees it
 * gone. Waits while a writer holds the cell's writer bit (access.c). */
SLOTARENA_NO_ASAN
int slotarena_cell_claim(slotarena_pool *p, void *cell_ptr, uint32_t generation, uint64_t *old_header) {
    char *cell = cell_ptr;
#if SLOTARENA_DEBUG_HOOKS
    slotarena *a = p->arena;
    lock(a);
    bool owned = owns_cell(p, cell);
    unlock(a);
    if (!owned) return SLOTARENA_ERR_FOREIGN;
#else
    (void)p;
    (void)owns_cell;
#endif
    uint64_t header = __atomic_load_n(header_of(cell), __ATOMIC_RELAXED);
    unsigned spins = 0;
    for (;;) {
        uint32_t gen = gen_of(header);
        /* A live cell has a class; a free one has none. */
        if (gen != generation || gen == 0 || gen == SLOTARENA_GEN_RETIRED || (header & CLASS_FIELD_MASK) == 0)
            return SLOTARENA_ERR_STALE;
        if (header & BUSY_MASK) {
            slotarena_backoff(&spins);
            header = __atomic_load_n(header_of(cell), __ATOMIC_RELAXED);
            continue;
        }
        /* Straight to the retired generation when none is left: the header
         * never reads 0, which only a destroyed arena's pages do. */
        uint64_t next = (uint64_t)gen + 1;
        if (next > SLOTARENA_GEN_RETIRED) next = SLOTARENA_GEN_RETIRED;
        if (__atomic_compare_exchange_n(header_of(cell), &header, next << SLOTARENA_GEN_SHIFT, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            break;
    }
    *old_header = header;
    return SLOTARENA_OK;
}

/* Returns a claimed cell to its pool: zeroes its payload, then pushes it on
 * the calling thread's bin (a full bin gives its spare batch back under the
 * lock), or retires it when it has no generation left. */
SLOTARENA_NO_ASAN
void slotarena_cell_recycle(slotarena_pool *p, void *cell_ptr) {
    slotarena *a = p->arena;
    char *cell = cell_ptr;
    clear_payload(cell, p->cell_size);
    if (gen_of(__atomic_load_n(header_of(cell), __ATOMIC_RELAXED)) == SLOTARENA_GEN_RETIRED) {
        lock(a);
        slotarena_note_growth(a);
        retire(p, cell);
        count_out(p, -1);
        unlock(a);
        return;
    }
    slotarena_tcache *t = tcache_get();
    slotarena_bin *bin = t != NULL ? &t->bins[p->bin] : NULL;
    if (bin != NULL) {
        if (atomic_load_explicit(&bin->pool, memory_order_acquire) != p) slotarena_bin_claim(bin, p);
        bin_push(bin, p, cell);
        return;
    }
    lock(a);
    slotarena_note_growth(a);
    pool_put(p, cell);
    count_out(p, -1);
    unlock(a);
}

int slotarena_cell_free(slotarena_pool *p, void *cell, uint32_t generation) {
    uint64_t header;
    int result = slotarena_cell_claim(p, cell, generation, &header);
    if (result == SLOTARENA_OK) slotarena_cell_recycle(p, cell);
    return result;
}
