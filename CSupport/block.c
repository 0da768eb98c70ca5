/*
 * block.c: variable-size blocks, for what is not a fixed cell (per-instance
 * dictionaries, long string bytes).
 *
 * Model. A block is one backend allocation (sized mallocx in the jemalloc
 * backend, malloc or calloc in the system one) with a 16-byte prefix that
 * links it into the arena's circular block list; the caller sees the bytes
 * after the prefix. The list lets reset (and the system backend's destroy)
 * free every block at once without the caller's sizes.
 *
 * Invariants. Every live block is on the list exactly once, under the arena
 * lock; live_blocks counts them and block_bytes sums their sizes, prefix
 * included (the block share of invariant 3's allocated_bytes, stats.c).
 */
#include "slotarena_internal.h"

void *slotarena_block_alloc(slotarena *a, size_t size, int zeroed) {
    size_t total = size + sizeof(slotarena_block);
    if (total < size) return NULL;
    lock(a);
    slotarena_note_growth(a);
    slotarena_block *b = NULL;
    if (!should_fail(a)) b = slotarena_backend_alloc(a->flags, total, zeroed != 0);
    if (b != NULL) {
        b->next = a->blocks.next;
        b->prev = &a->blocks;
        a->blocks.next->prev = b;
        a->blocks.next = b;
        a->live_blocks++;
        a->block_bytes += total;
        slotarena_note_growth(a);
    }
    unlock(a);
    return b == NULL ? NULL : (void *)(b + 1);
}

void slotarena_block_free(slotarena *a, void *block, size_t size) {
    if (block == NULL) return;
    slotarena_block *b = (slotarena_block *)block - 1;
    size_t total = size + sizeof(slotarena_block);
    lock(a);
    slotarena_note_growth(a);
    b->prev->next = b->next;
    b->next->prev = b->prev;
    a->live_blocks--;
    a->block_bytes -= total;
    slotarena_backend_free(a->flags, b, total);
    unlock(a);
}

/* Frees every block and empties the list. Lock held, or the arena is being
 * destroyed. */
void slotarena_block_free_all(slotarena *a) {
    slotarena_block *b = a->blocks.next;
    while (b != &a->blocks) {
        slotarena_block *next = b->next;
        /* The size is not kept; jemalloc looks it up (sallocx), the system
         * backend does not need it. */
        slotarena_backend_free_unsized(a->flags, b);
        b = next;
    }
    a->blocks.prev = a->blocks.next = &a->blocks;
    a->live_blocks = 0;
    a->block_bytes = 0;
}
