/*
 * slab.c: where slabs come from, in both backends, and where they go when
 * their arena is destroyed.
 *
 * Model. A slab is an anonymous mapping of its own (64 KiB to 1 MiB), never
 * a backend allocation: the backend's memory (the arena struct, pools,
 * blocks) is unmapped or reused once freed, since no handle points into it,
 * while handles point into slabs. A slab stays with its pool while the arena
 * lives (invariant 1, pool.c). When the arena is destroyed, each of its slabs
 * is shelved: its carved cells are scanned for the highest generation any of
 * them reached, the range is replaced with read-only zero pages that hold no
 * memory (tombstone, below), and a record of it waits on the shelf of its
 * cell size with its floor, the generation its cells start at when carved
 * again. A pool of the same cell size, in any arena, takes a shelved slab of
 * the size it wants next before it maps a new one (so a pool's slabs are the
 * same sizes whatever the shelf holds): the pages become writable again and
 * the cells are carved afresh at the floor, at the same boundaries. So a
 * loop that creates and destroys spaces reuses the same few slabs, and the
 * address space of destroyed spaces stays bounded by what live ones need.
 *
 * Invariants.
 *   4. Every cell address ever handed out stays mapped for the life of the
 *      process, and its first 8 bytes read either 0 (a shelved slab, or one
 *      tombstoned for good) or the header of a cell of the same size starting
 *      at the same address, at a generation above every generation a handle
 *      from an earlier life of the slab can hold. A handle that outlives its
 *      space therefore reads 0 (the Swift library traps with a message) or a
 *      generation it does not hold (stale), never another live object.
 *   7. A slab's floor only grows. A slab whose floor would reach
 *      SLOTARENA_GEN_RETIRED has no generation left to hand out: it is
 *      tombstoned for good and not shelved. Pages of a slab past its carved
 *      cells are zero (a fresh mapping, or a shelved slab's tombstone).
 * The shelf has its own lock, taken with an arena's lock held (add_slab) and
 * last in the library's rank order (fork.c).
 */
#include "slotarena_internal.h"

#include <stdlib.h>
#include <sys/mman.h>

/* A slab waiting on the shelf. */
typedef struct slotarena_shelved {
    struct slotarena_shelved *next; /* offset 0: next slab of the same cell size */
    void *base;                     /* offset 8: the slab's first byte */
    uint64_t bytes;                 /* offset 16 */
    uint64_t floor;                 /* offset 24: generation of cells carved next */
} slotarena_shelved;

/* One list per cell size (multiples of 8 up to SLOTARENA_MAX_CELL), newest first. */
static slotarena_shelved *shelf[SLOTARENA_MAX_CELL / 8 + 1];
static pthread_mutex_t shelf_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t shelved_slabs, shelved_bytes;

pthread_mutex_t *slotarena_shelf_mutex(void) { return &shelf_lock; }

/* Replaces [addr, addr+size) with read-only zero pages that hold no memory. */
static void tombstone(void *addr, size_t size) {
    void *p = mmap(addr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        /* Keep the old mapping rather than open a hole: its pages read as
         * zeros again once dropped. */
        (void)madvise(addr, size, MADV_DONTNEED);
    }
}

slotarena_slab *slotarena_slab_take(uint32_t cell_size, size_t bytes) {
    pthread_mutex_lock(&shelf_lock);
    slotarena_shelved **at = &shelf[cell_size / 8];
    while (*at != NULL && (*at)->bytes != bytes) at = &(*at)->next;
    slotarena_shelved *r = *at;
    if (r != NULL) {
        *at = r->next;
        shelved_slabs--;
        shelved_bytes -= r->bytes;
    }
    pthread_mutex_unlock(&shelf_lock);
    if (r != NULL) {
        slotarena_slab *s = r->base;
        if (mprotect(s, r->bytes, PROT_READ | PROT_WRITE) == 0) {
            s->bytes = r->bytes;
            s->floor = r->floor;
            free(r);
            return s;
        }
        /* Not writable now (no memory to commit): back on the shelf. */
        pthread_mutex_lock(&shelf_lock);
        r->next = shelf[cell_size / 8];
        shelf[cell_size / 8] = r;
        shelved_slabs++;
        shelved_bytes += r->bytes;
        pthread_mutex_unlock(&shelf_lock);
        return NULL;
    }
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    slotarena_slab *s = p;
    s->bytes = bytes;
    s->floor = 1;
    return s;
}

/* The arena is being destroyed: nothing uses the slab any more. */
SLOTARENA_NO_ASAN
void slotarena_slab_shelve(slotarena_slab *s, uint32_t cell_size) {
    size_t bytes = s->bytes;
    uint64_t floor = s->floor;
    const char *first = (const char *)s + SLAB_HEADER;
    for (uint64_t i = 0, n = s->carved; i < n; i++) {
        uint64_t gen = gen_of(__atomic_load_n(header_of((void *)(first + i * cell_size)), __ATOMIC_RELAXED));
        if (gen >= floor) floor = (uint64_t)gen + 1;
    }
    SLOTARENA_UNPOISON(s, bytes);
    tombstone(s, bytes);
    if (floor >= SLOTARENA_GEN_RETIRED) return; /* invariant 7 */
    slotarena_shelved *r = malloc(sizeof(*r));
    if (r == NULL) return; /* tombstoned for good */
    r->base = s;
    r->bytes = bytes;
    r->floor = floor;
    pthread_mutex_lock(&shelf_lock);
    r->next = shelf[cell_size / 8];
    shelf[cell_size / 8] = r;
    shelved_slabs++;
    shelved_bytes += bytes;
    pthread_mutex_unlock(&shelf_lock);
}

void slotarena_shelf_stats(uint64_t *slabs, uint64_t *bytes) {
    pthread_mutex_lock(&shelf_lock);
    *slabs = shelved_slabs;
    *bytes = shelved_bytes;
    pthread_mutex_unlock(&shelf_lock);
}
