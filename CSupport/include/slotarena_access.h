/*
 * slotarena_access.h: concurrent access to live cells, and the class table's
 * lock-free lookups. Part of slotarena.h, which includes it at its end: the
 * inline functions here are on the library's hot paths (peeks, the header's
 * writer bit, reader sections, class lookups).
 */
#ifndef SLOTARENA_ACCESS_H
#define SLOTARENA_ACCESS_H

#include "slotarena.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Concurrent access to live cells                                          */
/*
 * By-name readers and writers may race with slotarena_cell_claim (free) and
 * slotarena_reset on the same cell; typed access through accessors may not
 * (that race is the caller's, as for any Swift stored property).
 *
 *   - Writers (a by-name set or delete, a construction from values) hold the
 *     header's writer bit, SLOTARENA_BUSY_BIT, while they change a live cell:
 *     slotarena_cell_lock takes it with a compare-and-swap, and
 *     slotarena_cell_unlock publishes the new header (presence bits included)
 *     with a release store. Claims and reset wait while the bit is set, so no
 *     store ever lands in a freed cell. Nothing waits for the bit while
 *     holding the arena lock, so a writer may allocate.
 *   - Readers are seqlock readers whose sequence is the whole header word:
 *     read the header, read the values with slotarena_peek*, then check that
 *     the header is unchanged (slotarena_peek64_sc); otherwise retry, and a
 *     changed generation means the instance is gone. Peeks may read a cell
 *     that is being freed, and validation discards what they read then.
 *   - Blocks (long strings, dictionary tables) are not freed at once:
 *     slotarena_block_free retires them, and they are released only when no
 *     reader section that began before the retirement is still open. A reader
 *     follows a block pointer only inside slotarena_read_begin/_end, and only
 *     after validating the header again once the section has begun.
 */

/* Peeks are plain loads written as inline assembly where the target is
 * known: the sanitizers do not instrument them (a seqlock reader's racing
 * load is benign by design, and ASan poisons freed cells), and the compiler
 * may not move memory accesses across them ("memory" clobber). Elsewhere they
 * are relaxed atomic loads. */
#if defined(__x86_64__)
/* The address is a memory operand, so that a constant offset from a base in a
 * register folds into the load instead of taking an instruction of its own. */
static inline uint64_t slotarena_peek64(const void *p) {
    uint64_t v;
    __asm__ volatile("movq %1, %0" : "=r"(v) : "m"(*(const uint64_t *)p) : "memory");
    return v;
}
static inline uint32_t slotarena_peek32(const void *p) {
    uint32_t v;
    __asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(const uint32_t *)p) : "memory");
    return v;
}
static inline uint8_t slotarena_peek8(const void *p) {
    uint8_t v;
    __asm__ volatile("movb %1, %0" : "=q"(v) : "m"(*(const uint8_t *)p) : "memory");
    return v;
}
/* x86 loads are acquire loads, and a sequentially consistent load is a plain
 * load when every SC store is an exchange (as compilers emit them). */
static inline uint64_t slotarena_peek64_acquire(const void *p) { return slotarena_peek64(p); }
static inline uint64_t slotarena_peek64_sc(const void *p) { return slotarena_peek64(p); }
/* Fused peeks: the peeked word goes straight into one operation, so that the
 * load is that instruction's memory operand rather than an instruction of its
 * own (a validated read is mostly peeks, and each costs the front end a slot).
 * v | *p with acquire order (x86 loads are acquire loads), v & *p, and
 * whether *p == v with sequentially consistent order (the flag is the asm's
 * output, so the caller's branch follows the compare). */
static inline uint64_t slotarena_peek64_or_acquire(const void *p, uint64_t v) {
    __asm__ volatile("orq %1, %0" : "+r"(v) : "m"(*(const uint64_t *)p) : "cc", "memory");
    return v;
}
static inline uint64_t slotarena_peek64_and(const void *p, uint64_t v) {
    __asm__ volatile("andq %1, %0" : "+r"(v) : "m"(*(const uint64_t *)p) : "cc", "memory");
    return v;
}
static inline bool slotarena_peek64_sc_equals(const void *p, uint64_t v) {
    bool equal;
    __asm__ volatile("cmpq %1, %2" : "=@ccz"(equal) : "m"(*(const uint64_t *)p), "r"(v) : "memory");
    return equal;
}
#elif defined(__aarch64__)
static inline uint64_t slotarena_peek64(const void *p) {
    uint64_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}
static inline uint32_t slotarena_peek32(const void *p) {
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}
static inline uint8_t slotarena_peek8(const void *p) {
    uint32_t v;
    __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return (uint8_t)v;
}
static inline uint64_t slotarena_peek64_acquire(const void *p) {
    uint64_t v;
    __asm__ volatile("ldar %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}
static inline uint64_t slotarena_peek64_sc(const void *p) {
    uint64_t v;
    __asm__ volatile("dmb ishld\n\tldar %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}
#else
static inline uint64_t slotarena_peek64(const void *p) {
    return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
}
static inline uint32_t slotarena_peek32(const void *p) {
    return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
}
static inline uint8_t slotarena_peek8(const void *p) {
    return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
}
static inline uint64_t slotarena_peek64_acquire(const void *p) {
    return __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE);
}
static inline uint64_t slotarena_peek64_sc(const void *p) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n((const uint64_t *)p, __ATOMIC_SEQ_CST);
}
#endif

#if !defined(__x86_64__)
/* The fused peeks (see the x86 definitions) as a peek and the operation. */
static inline uint64_t slotarena_peek64_or_acquire(const void *p, uint64_t v) { return v | slotarena_peek64_acquire(p); }
static inline uint64_t slotarena_peek64_and(const void *p, uint64_t v) { return v & slotarena_peek64(p); }
static inline bool slotarena_peek64_sc_equals(const void *p, uint64_t v) { return slotarena_peek64_sc(p) == v; }
#endif

/* A seqlock writer's first store: later stores may not pass it. */
static inline void slotarena_store_seq_begin(void *p, uint64_t value) {
    __atomic_store_n((uint64_t *)p, value, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
}
/* An acquire load of 8 bytes that the sanitizers see (unlike the peeks): for
 * words published once under a lock and read without it. */
static inline uint64_t slotarena_load_acquire64(const void *p) {
    return __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE);
}
/* A release store of 8 bytes. */
static inline void slotarena_store_release64(void *p, uint64_t value) {
    __atomic_store_n((uint64_t *)p, value, __ATOMIC_RELEASE);
}
/* ThreadSanitizer annotations for an object that is immutable once published
 * and that readers reach through a peeked word (a dictionary's shape): its
 * creator calls slotarena_tsan_publish once the object is built, and a
 * reader calls slotarena_tsan_follow before it reads the object's fields.
 * The peek is invisible to the sanitizer, so without them the reads look
 * unordered with the object's construction; the hardware orders them (the
 * word was stored with release and the reader validated it). The sanitizer's
 * runtime defines the two functions; elsewhere the weak references are null
 * and each annotation is a test of a constant address. (A feature test would
 * not do: Swift code calls these through a C compiler that is not told about
 * the sanitizer.) */
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));
static inline void slotarena_tsan_publish(const void *object) {
    if (__tsan_release) __tsan_release((void *)object);
}
static inline void slotarena_tsan_follow(const void *object) {
    if (__tsan_acquire) __tsan_acquire((void *)object);
}

/* Copies `n` bytes of an 8-byte aligned block, a word at a time (the last
 * word whole: blocks are allocated in multiples of 8 bytes). */
static inline void slotarena_peek_copy(void *dst, const void *src, size_t n) {
    const unsigned char *s = (const unsigned char *)src;
    unsigned char *d = (unsigned char *)dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = slotarena_peek64(s + i);
        __builtin_memcpy(d + i, &w, 8);
    }
    if (i < n) {
        uint64_t w = slotarena_peek64(s + i);
        __builtin_memcpy(d + i, &w, n - i);
    }
}

/* Takes the writer bit of the live cell whose header holds the generation
 * bits `gen_bits` (in header position) and a class: returns the header
 * (writer bit clear), or 0 when the cell is not live at that generation.
 * Waits while another writer holds the bit. */
uint64_t slotarena_cell_lock(void *cell, uint64_t gen_bits);

/* Publishes `header` (its writer bit cleared) as the cell's header with a
 * release store, ending the write. Also ends the write of a cell that
 * slotarena_cell_alloc handed out holding its writer bit. */
void slotarena_cell_unlock(void *cell, uint64_t header);

/* First half of a free: makes the cell dead for every handle (its generation
 * advances, or the cell retires), waiting while a writer holds it. Writes the
 * header it replaced to *old_header. Returns SLOTARENA_OK, or
 * SLOTARENA_ERR_STALE / SLOTARENA_ERR_FOREIGN with nothing changed. The
 * caller then owns the payload: it may read it and release what it refers
 * to, then must call slotarena_cell_recycle. */
int slotarena_cell_claim(slotarena_pool *pool, void *cell, uint32_t generation, uint64_t *old_header);

/* Second half of a free: zeroes the payload of a claimed cell and returns it
 * to the pool (through the calling thread's cache). */
void slotarena_cell_recycle(slotarena_pool *pool, void *cell);

/* Opens a reader section (see above); returns the ticket to close it with. */
uint32_t slotarena_read_begin(slotarena *arena);
void slotarena_read_end(slotarena *arena, uint32_t ticket);

/* Releases retired blocks that no open reader section can still reach.
 * Statistics reads call it; exposed for tests. */
void slotarena_reclaim(slotarena *arena);

/* 1 when this build poisons free arena memory for AddressSanitizer. */
int slotarena_poisons_free_memory(void);

/* The Swift library's process-wide class table: one entry per class-table index (the low
 * SLOTARENA_CLASS_INDEX_BITS of a class id), in a region of SLOTARENA_CLASS_TABLE_SIZE
 * entries (16 MiB) reserved once (virtual memory only: a page becomes resident when an
 * entry on it is first written). slotarena_class_table_reserve makes it (NULL when the
 * system refuses). An entry holds a class (an opaque, retained Swift object) and the full
 * id it was published under. Publishing and withdrawing happen under the Swift registry's
 * lock; lookups take no lock: a lookup compares the entry's id (an acquire load) before it
 * loads the class, so it never touches a class published under another id, one that may
 * be withdrawn and released by another thread at that moment. */
enum {
    SLOTARENA_CLASS_INDEX_BITS = 20,
    SLOTARENA_CLASS_TABLE_SIZE = 1 << 20,
};
typedef struct slotarena_class_entry {
    void *info;       /* offset 0: the class, NULL when the index holds none */
    uint32_t id;      /* offset 8: the full id it was published under, 0 when none */
    uint32_t unused;  /* offset 12 */
} slotarena_class_entry;
_Static_assert(sizeof(slotarena_class_entry) == 16, "a class-table entry is 16 bytes");

slotarena_class_entry *slotarena_class_table_reserve(void);
extern slotarena_class_entry *const *const slotarena_class_table;

/* The class published under `id`, or NULL: none was, or it was withdrawn, or the index
 * now holds a class with another id (another generation). */
static inline void *slotarena_class_lookup(uint32_t id) {
    slotarena_class_entry *table = __atomic_load_n(slotarena_class_table, __ATOMIC_ACQUIRE);
    if (table == NULL) return NULL;
    slotarena_class_entry *e = &table[id & (SLOTARENA_CLASS_TABLE_SIZE - 1)];
    if (__atomic_load_n(&e->id, __ATOMIC_ACQUIRE) != id) return NULL;
    return __atomic_load_n(&e->info, __ATOMIC_RELAXED);
}

/* Publishes `info` under `id` (nonzero), in a free entry (registry lock held). */
static inline void slotarena_class_publish(slotarena_class_entry *table, uint32_t id, void *info) {
    slotarena_class_entry *e = &table[id & (SLOTARENA_CLASS_TABLE_SIZE - 1)];
    __atomic_store_n(&e->info, info, __ATOMIC_RELAXED);
    __atomic_store_n(&e->id, id, __ATOMIC_RELEASE);
}

/* Withdraws the class published under `id` and returns it for the caller to release, or
 * NULL when the entry holds another id (registry lock held). */
static inline void *slotarena_class_withdraw(slotarena_class_entry *table, uint32_t id) {
    slotarena_class_entry *e = &table[id & (SLOTARENA_CLASS_TABLE_SIZE - 1)];
    if (__atomic_load_n(&e->id, __ATOMIC_RELAXED) != id) return NULL;
    void *info = __atomic_load_n(&e->info, __ATOMIC_RELAXED);
    __atomic_store_n(&e->id, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&e->info, NULL, __ATOMIC_RELAXED);
    return info;
}

#ifdef __cplusplus
}
#endif

#endif /* SLOTARENA_ACCESS_H */
