/*
 * slotarena.h: the memory of one Slotted object space.
 *
 * Model. A slotarena owns one private jemalloc arena (or, in the build
 * without jemalloc, a set of mmap'ed regions plus the system malloc) and
 * hands out two kinds of memory:
 *
 *   - cells: fixed-size pieces of exactly the requested size (rounded up to
 *     8 bytes), carved contiguously out of large slabs, one pool per cell
 *     size, with a LIFO free list for reuse. Every cell starts with a 64-bit
 *     header word (see "Header word" below) whose generation field the pool
 *     maintains; every other byte of a cell is zero when it is handed out.
 *   - blocks: variable-size pieces (sized mallocx/sdallocx) for what is not a
 *     fixed cell: per-instance dictionaries, long string bytes.
 *
 * Invariant. A slab is never returned to the system, so the first 8 bytes
 * of any cell address are always a header, live or free: a stale handle can
 * always read the generation it must compare. While the arena lives, the
 * slab stays with its pool. When the arena is destroyed, each slab is left
 * mapped read-only and zero-filled (no physical memory) until a pool of the
 * same cell size, in a later arena, takes it over; that pool carves its cells
 * at the same addresses with generations above any the destroyed arena
 * handed out. So a handle that outlives its space reads generation 0 or a
 * generation it does not hold, never a live object's. Everything else the
 * arena held (its blocks, its bookkeeping) is given back to the system or
 * the allocator, whose address space is reused.
 *
 * Threads. Every function that takes a slotarena or a pool is safe to call
 * from several threads at once. Each thread keeps a small cache of free
 * cells per pool, so most allocations and frees of cells take no lock; the
 * rest (refilling or emptying a cache, blocks, statistics) take the arena's
 * lock. Statistics count cached cells as free, so they are exact whenever no
 * other thread is allocating at the same moment.
 *
 * Errors. Nothing here aborts: an allocation that fails returns NULL, and a
 * misuse that can be detected (freeing a cell whose generation does not
 * match) returns an error code.
 */
#ifndef SLOTARENA_H
#define SLOTARENA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Header word. Little-endian 64-bit word at offset 0 of every cell.
 *   bits  0..15  presence bits of the first 16 slots (bytes 0 and 1); in
 *                a class with a __dict__ and at most 6 slots, the Swift
 *                library keeps its dictionary's shape number in bits 6..15
 *   bits 16..43  class id, 28 bits; 0 means "no class" (free cell). The
 *                Swift library makes it a class-table index (bits 16..35,
 *                SLOTARENA_CLASS_INDEX_BITS) and that index's generation
 *                (bits 36..43), so an id is never repeated while an index is
 *                reused after its space is gone
 *   bit  44      the writer bit (SLOTARENA_BUSY_BIT): set while a by-name
 *                writer changes the instance
 *   bits 45..63  generation, 19 bits; 0 is never live, SLOTARENA_GEN_RETIRED
 *                marks a cell that exhausted its generations and is never
 *                reused
 * A handle stores the same generation bits at the same position, so one
 * masked compare checks liveness, class and presence together. */
enum {
    SLOTARENA_HEADER_BYTES = 8,
    SLOTARENA_PRESENCE_BITS = 16,
    SLOTARENA_CLASS_SHIFT = 16,
    SLOTARENA_CLASS_BITS = 28,
    /* The writer bit, between the class id and the generation (see
     * "Concurrent access to live cells"). */
    SLOTARENA_BUSY_BIT = 44,
    SLOTARENA_GEN_SHIFT = 45,
    SLOTARENA_GEN_BITS = 19,
    SLOTARENA_GEN_RETIRED = (1 << 19) - 1,
    /* Smallest cell: the header plus the free-list link of a free cell. */
    SLOTARENA_MIN_CELL = 16,
    /* Largest cell: keeps at least 4 cells in the smallest slab. */
    SLOTARENA_MAX_CELL = 16384,
};

/* Results of slotarena_cell_free. */
enum {
    SLOTARENA_OK = 0,
    SLOTARENA_ERR_STALE = 1,    /* generation differs: already freed or reused */
    SLOTARENA_ERR_FOREIGN = 2,  /* pointer is not a cell of this pool */
};

typedef struct slotarena slotarena;
typedef struct slotarena_pool slotarena_pool;

/* Counters of one arena. Byte counts are in bytes. */
typedef struct slotarena_stats {
    uint64_t live_cells;      /* cells handed out now, all pools */
    uint64_t cell_bytes;      /* bytes in those cells */
    uint64_t live_blocks;     /* variable-size blocks handed out now */
    uint64_t block_bytes;     /* bytes of those blocks: a block with its 16-byte
                                 tracking prefix, a text block rounded up to 8 */
    uint64_t allocated_bytes; /* cell_bytes + block_bytes: tracemalloc's current */
    uint64_t peak_bytes;      /* high-water mark of allocated_bytes since the
                                 last slotarena_peak_reset: exact while one thread
                                 allocates; with several, it may read high, by at
                                 most the cells their caches held (stats.c) */
    uint64_t slab_count;      /* slabs held by all pools */
    uint64_t slab_bytes;      /* bytes reserved in slabs */
    uint64_t retired_cells;   /* cells that used up their generations */
    uint64_t cached_cells;    /* free cells held in threads' caches (counted as free) */
    uint64_t deferred_blocks; /* freed blocks waiting for open reader sections to close
                                 (not in live_blocks, block_bytes or allocated_bytes) */
    uint64_t deferred_bytes;  /* their bytes, prefix included */
    uint64_t backend_allocated; /* jemalloc: stats.arenas.<i>.small.allocated
                                   + large.allocated; system backend: slab and
                                   block bytes it holds */
    uint64_t backend_active;  /* jemalloc: stats.arenas.<i>.pactive * page;
                                 system backend: the same as backend_allocated */
    uint32_t arena_index;     /* jemalloc arena index; UINT32_MAX without jemalloc */
    uint32_t pool_count;      /* pools created (one per distinct cell size) */
} slotarena_stats;

/* Counters of one pool. */
typedef struct slotarena_pool_stats {
    uint32_t cell_size;       /* bytes per cell */
    uint32_t slab_count;
    uint64_t live_cells;
    uint64_t free_cells;      /* carved cells on the free list or in thread caches */
    uint64_t carved_cells;    /* cells ever carved from slabs */
    uint64_t retired_cells;
    uint64_t slab_bytes;
    uint64_t bin_cells;       /* most free cells of this pool one thread's cache holds
                                 (two batches: about 64 KiB, at least 2 cells) */
} slotarena_pool_stats;

/* "jemalloc" or "system": which allocator this build uses. */
const char *slotarena_backend(void);

/* Creates an arena (jemalloc: arenas.create with this library's extent hooks).
 * Returns NULL when the system refuses memory or an arena; then
 * slotarena_create_failure says which. */
slotarena *slotarena_create(void);

/* Why the calling thread's last slotarena_create returned NULL (0 when it
 * did not). */
enum {
    SLOTARENA_CREATE_NO_MEMORY = 1, /* the system refused memory */
    SLOTARENA_CREATE_TOO_MANY = 2,  /* jemalloc's arenas are all taken by live ones */
    /* jemalloc's limit of arenas in a process (MALLOCX_ARENA_LIMIT), its own
     * automatic arenas included; the index of a destroyed arena is reused. */
    SLOTARENA_ARENA_LIMIT = 4095,
};
int slotarena_create_failure(void);

/* Arenas created and not yet destroyed. */
uint32_t slotarena_live_count(void);

/* Destroys the arena (jemalloc: arena.<i>.destroy). Every cell and block is
 * gone. The slabs are shelved, read-only zeros, for later pools of the same
 * cell size (see the invariant above); the rest is unmapped or freed. */
void slotarena_destroy(slotarena *arena);

/* Slabs of destroyed arenas waiting for a pool of their cell size, and their
 * bytes (address space only: their pages hold no memory). */
void slotarena_shelf_stats(uint64_t *slabs, uint64_t *bytes);

/* Frees every cell and block and keeps the arena and its slabs. Every live
 * cell's generation is advanced, so no handle from before matches. As
 * slotarena_reset_each with no callback, then every block allocated before
 * the call is freed: meant for a caller that owns no blocks through cells
 * allocated concurrently. Text blocks (slotarena_text_alloc) are their
 * owner's to free. */
void slotarena_reset(slotarena *arena);

/* What slotarena_reset_each calls for each cell it frees, after claiming it
 * (see slotarena_cell_claim): `header` is the header the cell had while live,
 * and the callback releases what the cell refers to. */
typedef void (*slotarena_release_fn)(void *context, void *cell, uint64_t header);

/* Frees every live cell, one at a time as slotarena_cell_claim and
 * slotarena_cell_recycle do (waiting for writers), calling `release` (if not
 * NULL) between the two; blocks are left to the callback. Cells allocated
 * while it runs may survive it. Safe to call while other threads use the
 * arena; no lock is held while it waits or calls `release`. */
void slotarena_reset_each(slotarena *arena, slotarena_release_fn release, void *context);

/* The pool of cells of `cell_size` bytes (rounded up to 8, at least
 * SLOTARENA_MIN_CELL), created on first use. NULL when the size exceeds
 * SLOTARENA_MAX_CELL or memory is refused. */
slotarena_pool *slotarena_pool_for_size(slotarena *arena, size_t cell_size);

/* Bytes per cell of a pool. */
uint32_t slotarena_pool_cell_size(const slotarena_pool *pool);

/* A zeroed cell whose header word is `(generation << SLOTARENA_GEN_SHIFT) |
 * header_bits`; the generation bits of header_bits are ignored, and the class
 * id in it must be non-zero (a cell with class 0 counts as free). NULL when
 * memory is refused. With the writer bit in header_bits, the cell is born
 * held by the calling thread, which ends the write with slotarena_cell_unlock. */
void *slotarena_cell_alloc(slotarena_pool *pool, uint64_t header_bits);

/* `count` cells as slotarena_cell_alloc makes them, under one lock (the free list first,
 * then fresh cells; the thread's cache is left alone), each written to out[0 ..< count] as
 * a handle: (address >> 3) | (generation << SLOTARENA_GEN_SHIFT), the form a Slotted
 * Instance keeps. Returns count, or 0 with nothing allocated when memory is refused. */
size_t slotarena_cell_alloc_many(slotarena_pool *pool, uint64_t header_bits, uint64_t *out, size_t count);

/* Returns a live cell to its pool if its generation equals `generation`;
 * advances the generation. SLOTARENA_ERR_STALE leaves everything untouched. */
int slotarena_cell_free(slotarena_pool *pool, void *cell, uint32_t generation);

/* A block of `size` bytes from the arena, zeroed when `zeroed` != 0; NULL when
 * memory is refused. */
void *slotarena_block_alloc(slotarena *arena, size_t size, int zeroed);

/* Frees a block; `size` must be the size it was allocated with. */
void slotarena_block_free(slotarena *arena, void *block, size_t size);

/* A text block of `size` bytes (not zeroed): the out-of-line storage of a
 * string. Counted as a block of `size` rounded up to 8, with no tracking
 * prefix: the jemalloc backend keeps no list of live text blocks (destroy
 * gives the whole arena back), so slotarena_reset leaves them to their owner,
 * which frees each with slotarena_text_free (the Swift library's reset does,
 * instance by instance). Freed text is released once no reader section can
 * reach it, as a block's is. NULL when memory is refused. */
void *slotarena_text_alloc(slotarena *arena, size_t size);

/* Frees a text block; `size` must be the size it was allocated with. */
void slotarena_text_free(slotarena *arena, void *text, size_t size);

/* Reads the counters; refreshes jemalloc's epoch (about 14 us: not for hot
 * paths). */
void slotarena_stats_read(slotarena *arena, slotarena_stats *out);

/* The counters of the pool for `cell_size`; zeros when no such pool. */
void slotarena_pool_stats_read(slotarena *arena, size_t cell_size,
                               slotarena_pool_stats *out);

/* Sets the peak to the current allocated_bytes (tracemalloc.reset_peak). */
void slotarena_peak_reset(slotarena *arena);

/* jemalloc's own count of bytes allocated in arena `index`
 * (small.allocated + large.allocated), 0 when the index names no live arena.
 * Always 0 in the system backend. */
uint64_t slotarena_backend_bytes_of_index(uint32_t index);

/* jemalloc's process-wide stats.allocated (0 in the system backend); the
 * benchmark uses it to weigh native Swift objects. Refreshes the epoch. */
uint64_t slotarena_process_allocated_bytes(void);

/* The process's address space (VmSize) and resident memory (VmRSS), in bytes, from
 * /proc/self/statm; both 0 where that file does not exist. Tests and the stress run
 * use it to check that churn and destroyed arenas leave neither growing. */
void slotarena_process_memory(uint64_t *virtual_bytes, uint64_t *resident_bytes);

/* Debug builds only (SLOTARENA_DEBUG_HOOKS): after `skip` more allocations of
 * this arena succeed, the next `count` (cells, blocks or pools) fail as if
 * memory were refused. Returns 1 when the hook is compiled in, 0 otherwise. */
int slotarena_debug_fail_next(slotarena *arena, uint32_t skip, uint32_t count);

/* Debug builds only (returns 0 elsewhere): turns the calling thread's cell cache off
 * (its cells go back to their pools first) or back on, so that tests reach the locked
 * paths taken when a thread has no cache. */
int slotarena_debug_thread_cache(int enabled);

/* Debug builds only (returns 0 elsewhere): makes `stack` (modulo the number of
 * stacks) the calling thread's home stack of whole batches in every pool, the
 * one its bins give batches back to and refill from first, so that tests can
 * place two threads on different stacks. */
int slotarena_debug_home_stack(unsigned stack);

/* Debug builds only (returns 0 elsewhere): the dip at which a bin's trade samples the
 * peak (TALLY_DIP_LIMIT, 2^31, by default; 0 restores it), so that tests reach that
 * sample without 2^31 frees. */
int slotarena_debug_dip_limit(uint32_t limit);

/* One run of the arena against plain sized allocation, for the benchmark report:
 * `count` cells of `cell_size` bytes from a pool, against as many
 * mallocx(cell_size, MALLOCX_ARENA | MALLOCX_TCACHE_NONE) in a second private
 * arena (the system backend: malloc). Bytes are what jemalloc counts for each
 * arena (0 in the system backend); times are per alloc/free pair, repeated
 * on one warm cell, in nanoseconds. Returns 0, or -1 when memory is refused. */
typedef struct slotarena_plain_comparison {
    uint64_t pool_bytes;   /* stats.arenas.<i> small+large.allocated, pool arena */
    uint64_t plain_bytes;  /* the same for the mallocx arena */
    double pool_pair_ns;   /* slotarena_cell_alloc + slotarena_cell_free */
    double plain_pair_ns;  /* mallocx + sdallocx */
} slotarena_plain_comparison;

int slotarena_compare_with_plain(size_t cell_size, size_t count, slotarena_plain_comparison *out);

/* ---------------------------------------------------------------------- */
/* fork()                                                                   */
/*
 * A fork while other threads use the library leaves the child with only the
 * forking thread. The library takes every lock it has before the fork, in
 * one rank order (outermost first):
 *   SLOTARENA_RANK_REGISTRATION    the Swift library's @SlotClass registrations
 *   SLOTARENA_RANK_CLASS_REGISTRY  its class registry, then the class table's
 *   SLOTARENA_RANK_SPACE_STATE     each object space's state
 *   SLOTARENA_RANK_STRING_TABLE    each object space's table of interned strings
 *   then the thread caches' registry, the list of live arenas, each arena,
 *   and the slab shelf.
 * The parent releases them in reverse; the child re-initialises them, forgets
 * the reader sections and thread caches of the threads it does not have
 * (their cached cells go back to their pools), and can use every arena. A
 * cell or block that another thread was in the middle of freeing at the fork
 * stays counted as live in the child, and is never reused there.
 *
 * The Swift library's mutexes come from slotarena_lock_create so that the
 * fork handlers can find them: a thread holding a lock of one rank takes only
 * locks of later ranks, and locks of one rank in creation order, newest
 * first. A lock is never created or destroyed while its thread holds one.
 */
enum {
    SLOTARENA_RANK_REGISTRATION = 0,
    SLOTARENA_RANK_CLASS_REGISTRY = 1,
    SLOTARENA_RANK_SPACE_STATE = 2,
    SLOTARENA_RANK_STRING_TABLE = 3,
};

/* An initialised pthread_mutex_t of `rank`, known to the fork handlers; NULL
 * when memory is refused. */
void *slotarena_lock_create(int rank);
/* Destroys a mutex from slotarena_lock_create (not held by anyone). */
void slotarena_lock_destroy(void *mutex);

/* For tests and the stress run: forks; the child returns child(context) as
 * its exit status (_exit: nothing of the parent's runs at exit); the parent
 * waits at most `timeout_ms`, then kills the child (SIGKILL), as a hang.
 * Returns the child's exit status, 128 + the signal that ended it, or -1
 * when fork or waitpid fails. */
int slotarena_fork_run(int (*child)(void *context), void *context, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif

/* Concurrent access to live cells and the class table (the inline hot paths). */
#include "slotarena_access.h"

#endif /* SLOTARENA_H */
