/*
 * classtable.c: the Swift library's process-wide class table.
 *
 * Model. One region of SLOTARENA_CLASS_TABLE_SIZE entries (a class and the
 * id it was published under), one per class-table index, reserved once per
 * process as virtual memory only (MAP_NORESERVE): a page becomes resident
 * when the Swift side first publishes an entry on it. Lookups, publishing
 * and withdrawing are the inline functions of include/slotarena_access.h.
 *
 * Invariants. The region is reserved at most once and never unmapped, so a
 * pointer read through slotarena_class_table stays valid for the life of the
 * process; it is published with a release store after the mapping exists,
 * and stays NULL when the system refused it.
 */
#include "slotarena_internal.h"

#include <sys/mman.h>

static slotarena_class_entry *class_table;
slotarena_class_entry *const *const slotarena_class_table = &class_table;
/* Taken inside the Swift class registry's lock (rank order: fork.c). */
static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;

pthread_mutex_t *slotarena_classtable_mutex(void) { return &once; }

slotarena_class_entry *slotarena_class_table_reserve(void) {
    pthread_mutex_lock(&once);
    if (class_table == NULL) {
        void *p = mmap(NULL, (size_t)SLOTARENA_CLASS_TABLE_SIZE * sizeof(slotarena_class_entry), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) __atomic_store_n(&class_table, (slotarena_class_entry *)p, __ATOMIC_RELEASE);
    }
    slotarena_class_entry *table = class_table;
    pthread_mutex_unlock(&once);
    return table;
}
