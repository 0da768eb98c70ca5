/*
 * stats.c: an arena's counters, its peak, the debug hooks, and the process's
 * address space and resident memory as the kernel reports them.
 *
 * Model. The arena counts what is out of its pools (cells and their bytes,
 * including cells parked in threads' bins), its blocks, slabs and retired
 * cells, under its lock. Cached cells are counted as free: the statistics
 * subtract what the bins hold, read from the counts each bin publishes.
 *
 * The peak. Live bytes are out_bytes + block_bytes less what the bins hold.
 * Seen bin by bin, the cells live are the sum over bins of (cells the bin
 * took from its pool, net) - (cells it holds), plus cells handed out without
 * a bin. A bin's trade moves both terms of its part by the same amount, so
 * only allocations (up) and frees (down) move a bin's part, and a bin's dip
 * (its tally's high word: its count less the lowest count since the last
 * sample, a trade shifting both) is how far its part stands below the highest
 * it reached since then. A sample, slotarena_note_growth, adds up each bin's
 * highest part, caps the sum with interval_high (out_bytes + block_bytes
 * never fall below live bytes), folds it into the peak, and resets every dip
 * with a compare-and-swap (an owner's store racing it keeps the old dip: high,
 * never low). Statistics reads, blocks allocated or freed, cells handed out or
 * taken back without a bin and bins emptied take samples; trades do not (save
 * one whose dip passed TALLY_DIP_LIMIT), so a trade touches no other thread's
 * bin. With one thread allocating the sum is exactly the highest live total.
 * With several, the bins' highest parts may come at different moments, so it
 * can read high, by at most the cells the bins held when interval_high was
 * reached.
 * The fail-next hook lives here, both the setter and the check that consumes
 * it (should_fail, inline in slotarena_internal.h, calls
 * slotarena_should_fail only in debug builds): arming and consuming share the
 * three counters and read best side by side; arena.c has no use for them.
 *
 * Invariants.
 *   3. out + free + retired == carved for every pool, where out counts cells
 *      handed to users or to thread-cache bins; live = out - cached, and
 *      allocated_bytes is the sum of live cell sizes and live block sizes
 *      (prefix included).
 */
#include "slotarena_internal.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Cells and bytes the arena's bins hold now. Lock held. */
static void cached_totals(slotarena *a, uint64_t *cells, uint64_t *bytes) {
    uint64_t c = 0, b = 0;
    for (slotarena_bin *bin = a->bins; bin != NULL; bin = bin->next) {
        uint32_t n = tally_count(atomic_load_explicit(&bin->tally, RELAXED));
        c += n;
        b += (uint64_t)n * bin->cell_size;
    }
    *cells = c;
    *bytes = b;
}

/* Folds the highest live total since the last sample into the peak (see
 * "The peak" above) and starts the next interval. Lock held. */
void slotarena_note_growth(slotarena *a) {
    int64_t fewest = 0; /* bytes of the bins' counts at their lows: may be below 0 */
    for (slotarena_bin *bin = a->bins; bin != NULL; bin = bin->next) {
        uint64_t t = atomic_load_explicit(&bin->tally, RELAXED);
        while (!atomic_compare_exchange_weak_explicit(&bin->tally, &t, (uint64_t)tally_count(t), RELAXED, RELAXED)) {
        }
        fewest += ((int64_t)tally_count(t) - (int64_t)tally_dip(t)) * (int64_t)bin->cell_size;
    }
    uint64_t now = a->out_bytes + a->block_bytes;
    uint64_t cap = a->interval_high > now ? a->interval_high : now;
    int64_t sum = (int64_t)now - fewest;
    uint64_t high = sum < 0 ? 0 : (uint64_t)sum > cap ? cap : (uint64_t)sum;
    if (high > a->peak_bytes) a->peak_bytes = high;
    a->interval_high = now;
}

void slotarena_stats_read(slotarena *a, slotarena_stats *out) {
    memset(out, 0, sizeof(*out));
    lock(a);
    /* Freed blocks no reader can reach go back to the backend first, so the
     * backend's counters match the arena's whenever no reader is open. */
    slotarena_reclaim_locked(a);
    slotarena_reclaim_locked(a);
    slotarena_note_growth(a);
    uint64_t cached_cells, cached_bytes;
    cached_totals(a, &cached_cells, &cached_bytes);
    out->cached_cells = cached_cells;
    out->deferred_blocks = a->limbo_blocks + a->pending_blocks;
    out->deferred_bytes = a->limbo_bytes + a->pending_bytes;
    out->live_cells = a->out_cells - cached_cells;
    out->cell_bytes = a->out_bytes - cached_bytes;
    out->live_blocks = a->live_blocks;
    out->block_bytes = a->block_bytes;
    out->allocated_bytes = out->cell_bytes + a->block_bytes;
    out->peak_bytes = a->peak_bytes;
    out->slab_count = a->slab_count;
    out->slab_bytes = a->slab_bytes;
    out->retired_cells = a->retired_cells;
    out->pool_count = a->pool_count;
    out->arena_index = a->index;
    unlock(a);
    slotarena_backend_stats(out);
}

void slotarena_pool_stats_read(slotarena *a, size_t cell_size, slotarena_pool_stats *out) {
    memset(out, 0, sizeof(*out));
    uint32_t size = (uint32_t)round_cell(cell_size);
    lock(a);
    for (slotarena_pool *p = a->pools; p != NULL; p = p->next) {
        if (p->cell_size != size) continue;
        out->cell_size = p->cell_size;
        out->slab_count = p->slab_count;
        uint64_t cached = 0;
        for (slotarena_bin *bin = a->bins; bin != NULL; bin = bin->next)
            if (atomic_load_explicit(&bin->pool, RELAXED) == p) cached += tally_count(atomic_load_explicit(&bin->tally, RELAXED));
        out->live_cells = p->out - cached;
        out->free_cells = p->free_count + cached;
        out->carved_cells = p->carved;
        out->retired_cells = p->retired;
        out->slab_bytes = p->slab_bytes;
        out->bin_cells = 2 * (uint64_t)p->batch;
        break;
    }
    unlock(a);
}

void slotarena_peak_reset(slotarena *a) {
    lock(a);
    slotarena_note_growth(a); /* starts a new interval: every dip is 0 */
    uint64_t cached_cells, cached_bytes;
    cached_totals(a, &cached_cells, &cached_bytes);
    a->peak_bytes = a->out_bytes - cached_bytes + a->block_bytes;
    unlock(a);
}

/* /proc/self/statm: size and resident, in pages, are its first two fields. */
void slotarena_process_memory(uint64_t *virtual_bytes, uint64_t *resident_bytes) {
    *virtual_bytes = 0;
    *resident_bytes = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) return;
    unsigned long long size = 0, resident = 0;
    long page = sysconf(_SC_PAGESIZE);
    if (fscanf(f, "%llu %llu", &size, &resident) == 2 && page > 0) {
        *virtual_bytes = (uint64_t)size * (uint64_t)page;
        *resident_bytes = (uint64_t)resident * (uint64_t)page;
    }
    fclose(f);
}

/* ---------------------------------------------------------------------- */
/* Debug hooks                                                             */

#if SLOTARENA_DEBUG_HOOKS
/* Consumes one refusal if armed. Lock held. */
bool slotarena_should_fail(slotarena *a) {
    if (a->fail_next > 0) {
        if (a->fail_skip > 0) {
            a->fail_skip--;
            return false;
        }
        a->fail_next--;
        if (a->fail_next == 0) atomic_store_explicit(&a->fail_armed, 0, memory_order_relaxed);
        return true;
    }
    return false;
}
#endif

int slotarena_debug_fail_next(slotarena *a, uint32_t skip, uint32_t count) {
#if SLOTARENA_DEBUG_HOOKS
    lock(a);
    a->fail_skip = skip;
    a->fail_next = count;
    atomic_store_explicit(&a->fail_armed, count > 0, RELAXED);
    unlock(a);
    return 1;
#else
    (void)a, (void)skip, (void)count;
    return 0;
#endif
}

int slotarena_poisons_free_memory(void) {
#if SLOTARENA_ASAN
    return 1;
#else
    return 0;
#endif
}
