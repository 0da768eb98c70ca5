/*
 * classtable.c: the Swift library's process-wide class table.
 *
 * Model. One region of SLOTARENA_CLASS_TABLE_SIZE pointers, one per class id,
 * reserved once per process as virtual memory only (MAP_NORESERVE): a page
 * becomes resident when the Swift side first writes an entry on it. The C
 * code never reads the entries.
 *
 * Invariants. The region is reserved at most once and never unmapped, so a
 * pointer read through slotarena_class_table stays valid for the life of the
 * process; it is published with a release store after the mapping exists,
 * and stays NULL when the system refused it.
 */
#include "slotarena_internal.h"

#include <sys/mman.h>

static void **class_table;
void **const *const slotarena_class_table = &class_table;
/* Taken inside the Swift class registry's lock (rank order: fork.c). */
static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;

pthread_mutex_t *slotarena_classtable_mutex(void) { return &once; }

void **slotarena_class_table_reserve(void) {
    pthread_mutex_lock(&once);
    if (class_table == NULL) {
        void *p = mmap(NULL, (size_t)SLOTARENA_CLASS_TABLE_SIZE * sizeof(void *), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) __atomic_store_n(&class_table, (void **)p, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&once);
    return class_table;
}
