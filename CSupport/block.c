/*
 * block.c: variable-size blocks, for what is not a fixed cell (per-instance
 * dictionaries, long string bytes), and their deferred release.
 *
 * Model. A block is one backend allocation (sized mallocx in the jemalloc
 * backend, malloc or calloc in the system one) with a 16-byte prefix that
 * links it into one of the arena's circular lists: `blocks` while live,
 * `limbo` once freed, `pending` once a phase flip has sealed it. A by-name
 * reader of another thread may still be copying a freed block (it checks the
 * instance before and after, and discards what it read if the instance
 * changed, but it must not touch memory given back), so a freed block is
 * released only when every reader section that could have reached it has
 * closed (slotarena_reclaim_locked, a two-phase scheme like sleepable RCU).
 *
 * Text blocks (a string's bytes) have no prefix in the jemalloc backend:
 * they cost what they hold, rounded up to 8. Nothing lists them while live
 * (the arena's destroy gives the whole jemalloc arena back; their owner frees
 * them one by one otherwise), and once freed their addresses wait in chunks
 * (`limbo_text`, then `pending_text`) beside the lists, released with them.
 * The system backend, which cannot free an arena at once, links them as
 * blocks, with a prefix it does not count (as malloc's own header is not).
 * A chunk that cannot be allocated makes the free wait for every open reader
 * section instead (synchronize_locked).
 *
 * Invariants. Every block is on exactly one list, under the arena lock, and
 * every freed jemalloc text block in exactly one chunk chain. live_blocks
 * counts the live ones and block_bytes sums their sizes (a block's prefix
 * included, a text block's rounded size: the block share of invariant 3's
 * allocated_bytes, stats.c); a freed block leaves both at once. limbo_* and
 * pending_* count the others, text blocks included. A block reaches limbo
 * only after no live instance points at it any more.
 */
#include "slotarena_internal.h"

static void list_unlink(slotarena_block *b) {
    b->prev->next = b->next;
    b->next->prev = b->prev;
}

static void list_push(slotarena_block *sentinel, slotarena_block *b) {
    b->next = sentinel->next;
    b->prev = sentinel;
    sentinel->next->prev = b;
    sentinel->next = b;
}

/* A listed block of `size` bytes, counted as `charge` bytes. */
static void *block_alloc(slotarena *a, size_t size, bool zeroed, size_t charge) {
    size_t total = size + sizeof(slotarena_block);
    if (total < size) return NULL;
    lock(a);
    slotarena_note_growth(a);
    slotarena_block *b = NULL;
    if (!should_fail(a)) b = slotarena_backend_alloc(a->flags, total, zeroed);
    if (b != NULL) {
        list_push(&a->blocks, b);
        a->live_blocks++;
        a->block_bytes += charge;
        slotarena_note_growth(a);
    }
    unlock(a);
    return b == NULL ? NULL : (void *)(b + 1);
}

void *slotarena_block_alloc(slotarena *a, size_t size, int zeroed) {
    return block_alloc(a, size, zeroed != 0, size + sizeof(slotarena_block));
}

/* Blocks freed and not yet released, beyond which a free tries to release
 * them: a few dozen, or 256 KiB. */
#define LIMBO_BLOCKS 32
#define LIMBO_BYTES ((uint64_t)256 << 10)

void slotarena_block_init_lists(slotarena *a) {
    a->blocks.prev = a->blocks.next = &a->blocks;
    a->limbo.prev = a->limbo.next = &a->limbo;
    a->pending.prev = a->pending.next = &a->pending;
}

/* Moves every block of list `from` to the front of list `to`. */
static void list_splice(slotarena_block *from, slotarena_block *to) {
    if (from->next == from) return;
    slotarena_block *first = from->next, *last = from->prev;
    last->next = to->next;
    to->next->prev = last;
    to->next = first;
    first->prev = to;
    from->prev = from->next = from;
}

/* Gives every block of a list back to the backend. */
static void list_release(slotarena *a, slotarena_block *sentinel) {
    slotarena_block *b = sentinel->next;
    while (b != sentinel) {
        slotarena_block *next = b->next;
        /* The size is not kept; jemalloc looks it up (sallocx), the system
         * backend does not need it. */
        slotarena_backend_free_unsized(a->flags, b);
        b = next;
    }
    sentinel->prev = sentinel->next = sentinel;
}

/* Gives every text block of a chunk chain back to the backend, and the
 * chunks. */
static void text_release(slotarena *a, slotarena_retired **chain) {
    slotarena_retired *c = *chain;
    while (c != NULL) {
        slotarena_retired *older = c->next;
        for (uint64_t i = 0; i < c->count; i++) slotarena_backend_free_unsized(a->flags, c->text[i]);
        slotarena_backend_free(a->flags, c, sizeof(*c));
        c = older;
    }
    *chain = NULL;
}

static void pending_release(slotarena *a) {
    list_release(a, &a->pending);
    text_release(a, &a->pending_text);
    a->pending_blocks = 0;
    a->pending_bytes = 0;
}

/* Releases what no open reader section can reach. A reader section begins
 * with a sequentially consistent increment of readers[phase], and a reader
 * follows a block pointer only after that and after checking the instance
 * again; a block enters limbo only after the pointer to it is gone from the
 * instance (or the instance is dead). So once `phase` flips, blocks freed
 * before the flip can be reached only by sections of the old phase, and when
 * those have all closed, `pending` can go. Lock held. */
void slotarena_reclaim_locked(slotarena *a) {
    uint32_t phase = atomic_load_explicit(&a->phase, memory_order_seq_cst);
    if (a->pending_blocks > 0) {
        if (atomic_load_explicit(&a->readers[(phase ^ 1) & 1], memory_order_seq_cst) != 0) return;
        pending_release(a);
    }
    if (a->limbo_blocks == 0) return;
    list_splice(&a->limbo, &a->pending);
    a->pending_text = a->limbo_text;
    a->limbo_text = NULL;
    a->pending_blocks = a->limbo_blocks;
    a->pending_bytes = a->limbo_bytes;
    a->limbo_blocks = 0;
    a->limbo_bytes = 0;
    atomic_store_explicit(&a->phase, phase + 1, memory_order_seq_cst);
    if (atomic_load_explicit(&a->readers[phase & 1], memory_order_seq_cst) == 0) pending_release(a);
}

#if SLOTARENA_USE_JEMALLOC
/* Waits until no reader section that began before the call is open: two
 * flips, each waiting for the sections of the phase it closes. Then nothing
 * freed so far can be reached, and everything waiting is released. For a
 * free that cannot record what it frees. Lock held (a reader section never
 * takes it). */
static void synchronize_locked(slotarena *a) {
    for (int i = 0; i < 2; i++) {
        uint32_t phase = atomic_load_explicit(&a->phase, memory_order_seq_cst);
        atomic_store_explicit(&a->phase, phase + 1, memory_order_seq_cst);
        unsigned spins = 0;
        while (atomic_load_explicit(&a->readers[phase & 1], memory_order_seq_cst) != 0) slotarena_backoff(&spins);
    }
    pending_release(a);
    list_splice(&a->limbo, &a->pending);
    a->pending_text = a->limbo_text;
    a->limbo_text = NULL;
    pending_release(a);
    a->limbo_blocks = 0;
    a->limbo_bytes = 0;
}
#endif

void slotarena_reclaim(slotarena *a) {
    lock(a);
    slotarena_reclaim_locked(a);
    slotarena_reclaim_locked(a);
    unlock(a);
}

uint32_t slotarena_read_begin(slotarena *a) {
    uint32_t phase = atomic_load_explicit(&a->phase, memory_order_relaxed) & 1;
    atomic_fetch_add_explicit(&a->readers[phase], 1, memory_order_seq_cst);
    return phase;
}

void slotarena_read_end(slotarena *a, uint32_t ticket) {
    atomic_fetch_sub_explicit(&a->readers[ticket & 1], 1, memory_order_release);
}

/* A freed block leaves the live list for limbo at once (the counters drop
 * then, as tracemalloc's would); it is released later. */
/* Frees a listed block counted as `charge` bytes. */
static void block_free(slotarena *a, void *block, size_t charge) {
    slotarena_block *b = (slotarena_block *)block - 1;
    size_t total = charge;
    lock(a);
    slotarena_note_growth(a);
    list_unlink(b);
    a->live_blocks--;
    a->block_bytes -= total;
    list_push(&a->limbo, b);
    a->limbo_blocks++;
    a->limbo_bytes += total;
    if (a->limbo_blocks >= LIMBO_BLOCKS || a->limbo_bytes >= LIMBO_BYTES || a->pending_blocks > 0)
        slotarena_reclaim_locked(a);
    unlock(a);
}

void slotarena_block_free(slotarena *a, void *block, size_t size) {
    if (block == NULL) return;
    block_free(a, block, size + sizeof(slotarena_block));
}

/* Retires every live block at once (slotarena_reset). Lock held. */
void slotarena_block_retire_all(slotarena *a) {
    slotarena_note_growth(a);
    a->limbo_bytes += a->block_bytes;
    a->limbo_blocks += a->live_blocks;
    list_splice(&a->blocks, &a->limbo);
    a->live_blocks = 0;
    a->block_bytes = 0;
}

/* Frees every block, live or waiting, and empties the lists: the arena is
 * being destroyed, so no reader can be left. */
void slotarena_block_free_all(slotarena *a) {
    list_release(a, &a->blocks);
    list_release(a, &a->limbo);
    list_release(a, &a->pending);
    text_release(a, &a->limbo_text);
    text_release(a, &a->pending_text);
    a->live_blocks = 0;
    a->block_bytes = 0;
    a->limbo_blocks = a->limbo_bytes = 0;
    a->pending_blocks = a->pending_bytes = 0;
}

/* ---------------------------------------------------------------------- */
/* Text blocks                                                             */

static size_t text_bytes(size_t size) { return (size + 7) & ~(size_t)7; }

#if SLOTARENA_USE_JEMALLOC

void *slotarena_text_alloc(slotarena *a, size_t size) {
    size_t bytes = text_bytes(size);
    if (bytes < size) return NULL;
    lock(a);
    slotarena_note_growth(a);
    void *t = should_fail(a) ? NULL : slotarena_backend_alloc(a->flags, bytes, false);
    if (t != NULL) {
        a->live_blocks++;
        a->block_bytes += bytes;
        slotarena_note_growth(a);
    }
    unlock(a);
    return t;
}

/* Records a freed text block in limbo; false when no chunk can be had. Lock
 * held. */
static bool text_retire(slotarena *a, void *t) {
    slotarena_retired *c = a->limbo_text;
    if (c == NULL || c->count == RETIRED_PER_CHUNK) {
        slotarena_retired *fresh = slotarena_backend_alloc(a->flags, sizeof(*fresh), false);
        if (fresh == NULL) return false;
        fresh->next = c;
        fresh->count = 0;
        a->limbo_text = c = fresh;
    }
    c->text[c->count++] = t;
    return true;
}

void slotarena_text_free(slotarena *a, void *t, size_t size) {
    if (t == NULL) return;
    size_t bytes = text_bytes(size);
    lock(a);
    slotarena_note_growth(a);
    a->live_blocks--;
    a->block_bytes -= bytes;
    if (text_retire(a, t)) {
        a->limbo_blocks++;
        a->limbo_bytes += bytes;
        if (a->limbo_blocks >= LIMBO_BLOCKS || a->limbo_bytes >= LIMBO_BYTES || a->pending_blocks > 0)
            slotarena_reclaim_locked(a);
    } else {
        synchronize_locked(a);
        slotarena_backend_free(a->flags, t, bytes);
    }
    unlock(a);
}

#else

/* The system backend links text as a block, and counts only its text. */
void *slotarena_text_alloc(slotarena *a, size_t size) {
    size_t bytes = text_bytes(size);
    if (bytes < size) return NULL;
    return block_alloc(a, bytes, false, bytes);
}

void slotarena_text_free(slotarena *a, void *t, size_t size) {
    if (t == NULL) return;
    block_free(a, t, text_bytes(size));
}

#endif
