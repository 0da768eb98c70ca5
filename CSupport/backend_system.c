/*
 * backend_system.c: the system backend, where blocks, pools and the arena
 * struct come from in the build without jemalloc (SLOTTED_DISABLE_JEMALLOC=1,
 * which the sanitizer runs use: Debian's jemalloc replaces malloc beside the
 * sanitizers' own allocators).
 *
 * Model. The arena struct, pools and blocks come from malloc (calloc when
 * zeroed); slabs are mappings of their own in both backends (slab.c). There
 * is no arena index (UINT32_MAX) and no allocator statistics: the backend
 * reports the slab and block bytes the arena holds, and 0 for jemalloc's
 * process-wide counters.
 *
 * Invariants. Releasing an arena frees its blocks, pools and struct to
 * malloc, which reuses them as it likes: no handle points into them. The
 * slabs were shelved before (arena.c), which keeps invariant 4 (slab.c).
 */
#include "slotarena_internal.h"

#if !SLOTARENA_USE_JEMALLOC

#include <stdlib.h>

const char *slotarena_backend(void) { return "system"; }

bool slotarena_backend_create(slotarena *scratch) {
    scratch->index = UINT32_MAX;
    scratch->flags = 0;
    return true;
}

void slotarena_backend_destroy_index(unsigned index) { (void)index; }

/* malloc has no limit of arenas: only memory can be refused. */
int slotarena_backend_create_failure(void) { return SLOTARENA_CREATE_NO_MEMORY; }

void *slotarena_backend_alloc(int flags, size_t size, bool zeroed) {
    (void)flags;
    return zeroed ? calloc(1, size) : malloc(size);
}

void slotarena_backend_free(int flags, void *p, size_t size) {
    (void)flags, (void)size;
    free(p);
}

void slotarena_backend_free_unsized(int flags, void *p) {
    (void)flags;
    free(p);
}

/* Frees every block, pool and the arena struct (the slabs are shelved). */
void slotarena_backend_release(slotarena *a) {
    unsigned index = a->index;
    int flags = a->flags;
    slotarena_block_free_all(a);
    slotarena_pool *p = a->pools;
    while (p != NULL) {
        slotarena_pool *next = p->next;
        slotarena_backend_free(flags, p, sizeof(*p));
        p = next;
    }
    pthread_mutex_destroy(&a->lock);
    slotarena_backend_free(flags, a, sizeof(*a));
    slotarena_backend_destroy_index(index);
}

void slotarena_backend_stats(slotarena_stats *out) {
    out->backend_allocated = out->slab_bytes + out->block_bytes + out->deferred_bytes;
    out->backend_active = out->backend_allocated;
}

uint64_t slotarena_backend_bytes_of_index(uint32_t index) {
    (void)index;
    return 0;
}

uint64_t slotarena_process_allocated_bytes(void) { return 0; }

#endif /* !SLOTARENA_USE_JEMALLOC */
