/*
 * access.c: writers of live cells, and the fork gate that keeps a fork from
 * copying a cell in the middle of a write.
 *
 * Model. A by-name writer (set, delete, a construction from values) holds
 * the writer bit of the cell's header (SLOTARENA_BUSY_BIT) while it changes
 * the instance; slotarena_cell_claim and reset wait for the bit, so no store
 * lands in a freed cell, and readers that see the bit, or see the header
 * change, read again (include/slotarena.h, "Concurrent access"). The bit is
 * taken with a compare-and-swap that the thread sanitizer does not see,
 * followed by an acquire load it does see: a writer whose handle went stale
 * while a new instance is being built in the same cell (a race the library
 * resolves, with ReferenceError) then reports nothing, while the
 * happens-before edge from the previous writer's release is kept.
 *
 * Each thread that writes has a record with an `active` flag, set for the
 * whole write. Before a fork, the prepare handler closes the gate and waits
 * until no record is active: a writer that finds the gate closed after it
 * marked itself active backs out and waits, so the child never inherits a
 * writer bit that no thread of its own will clear.
 *
 * The writer's "mark active, then look at the gate" and the fork's "close
 * the gate, then look at the records" need a full fence on each side (a
 * Dekker handshake). Writes are frequent and forks rare, so on Linux the
 * fence is asymmetric, as in liburcu and folly: the writer orders its store
 * and load with a compiler barrier only, and the fork side runs
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED), which makes every running
 * thread of the process execute a full fence. Where membarrier is missing
 * or refused, both sides use a sequentially consistent fence.
 *
 * Invariants.
 *   5. Nothing waits for a writer bit while holding the arena lock, and a
 *      writer never waits for the gate while holding a writer bit: writers
 *      may allocate (which takes the lock), and a fork always completes.
 *   6. A record is active from before its thread takes a writer bit (or is
 *      handed a cell born holding one) until after it publishes the header.
 */
#include "slotarena_internal.h"

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#endif

/* Spins, then yields, then sleeps 50 us at a time: the thread waited for may
 * be descheduled or waiting for a lock itself. */
void slotarena_backoff(unsigned *spins) {
    unsigned n = ++*spins;
    if (n > 4096)
        usleep(50);
    else if (n > 64)
        sched_yield();
}

/* ---------------------------------------------------------------------- */
/* Writer records and the fork gate                                        */

typedef struct slotarena_writer {
    _Atomic uint32_t active;         /* offset 0: inside a write */
    struct slotarena_writer *next;   /* offset 8: next record (writers_lock) */
} slotarena_writer;

static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static slotarena_writer *writers;
static _Atomic uint32_t fork_gate;  /* 1 while a fork is being prepared */
static pthread_key_t writer_key;
static pthread_once_t writer_once = PTHREAD_ONCE_INIT;
static bool writer_key_made;
static _Thread_local slotarena_writer *me;
/* Writers without a record (no memory for one) share this count. */
static _Atomic uint32_t unrecorded_active;

static void writer_exit(void *arg) {
    slotarena_writer *w = arg;
    pthread_mutex_lock(&writers_lock);
    for (slotarena_writer **at = &writers; *at != NULL; at = &(*at)->next) {
        if (*at == w) {
            *at = w->next;
            break;
        }
    }
    pthread_mutex_unlock(&writers_lock);
    if (me == w) me = NULL;
    free(w);
}

/* 1 when the process is registered for expedited private membarriers: the
 * writers' side of the handshake is then a compiler barrier (see above). */
static int asymmetric_fence;

static void asymmetric_fence_setup(void) {
#if defined(__linux__) && defined(SYS_membarrier)
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
        asymmetric_fence = 1;
#endif
}

/* The writers' half of the fence: cheap when the fork side is heavy. */
static inline void light_fence(void) {
    if (__atomic_load_n(&asymmetric_fence, __ATOMIC_RELAXED))
        atomic_signal_fence(memory_order_seq_cst);
    else
        atomic_thread_fence(memory_order_seq_cst);
}

/* The fork's half: a fence in every running thread of the process. */
static void heavy_fence(void) {
#if defined(__linux__) && defined(SYS_membarrier)
    if (__atomic_load_n(&asymmetric_fence, __ATOMIC_RELAXED) &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
        return;
#endif
    atomic_thread_fence(memory_order_seq_cst);
}

static void fork_prepare(void) {
    atomic_store_explicit(&fork_gate, 1, memory_order_seq_cst);
    heavy_fence();
    pthread_mutex_lock(&writers_lock);
    unsigned spins = 0;
    for (slotarena_writer *w = writers; w != NULL; w = w->next)
        while (atomic_load_explicit(&w->active, memory_order_seq_cst) != 0) slotarena_backoff(&spins);
    while (atomic_load_explicit(&unrecorded_active, memory_order_seq_cst) != 0) slotarena_backoff(&spins);
}

static void fork_parent(void) {
    pthread_mutex_unlock(&writers_lock);
    atomic_store_explicit(&fork_gate, 0, memory_order_seq_cst);
}

/* The child has only the forking thread: every other record is gone. */
static void fork_child(void) {
    slotarena_writer *w = writers;
    writers = NULL;
    while (w != NULL) {
        slotarena_writer *next = w->next;
        if (w == me) {
            w->next = writers;
            writers = w;
        } else {
            free(w);
        }
        w = next;
    }
    atomic_store_explicit(&unrecorded_active, 0, memory_order_relaxed);
    pthread_mutex_init(&writers_lock, NULL);
    atomic_store_explicit(&fork_gate, 0, memory_order_seq_cst);
}

static void writer_setup(void) {
    asymmetric_fence_setup();
    writer_key_made = pthread_key_create(&writer_key, writer_exit) == 0;
    /* Registered after the allocator's handlers and after fork.c's (an arena
     * exists before any write; the call below makes sure), so this prepare
     * handler runs before theirs, which take the arena locks and the others:
     * writers may still need those locks. */
    slotarena_fork_setup();
    (void)pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static slotarena_writer *writer_record(void) {
    if (me != NULL) return me;
    pthread_once(&writer_once, writer_setup);
    if (!writer_key_made) return NULL;
    slotarena_writer *w = calloc(1, sizeof(*w));
    if (w == NULL) return NULL;
    if (pthread_setspecific(writer_key, w) != 0) {
        free(w);
        return NULL;
    }
    pthread_mutex_lock(&writers_lock);
    w->next = writers;
    writers = w;
    pthread_mutex_unlock(&writers_lock);
    me = w;
    return w;
}

/* Marks the calling thread as writing, waiting while a fork is prepared. */
void slotarena_writer_enter(void) {
    slotarena_writer *w = writer_record();
    _Atomic uint32_t *flag = w != NULL ? &w->active : &unrecorded_active;
    unsigned spins = 0;
    for (;;) {
        if (w != NULL) {
            atomic_store_explicit(flag, 1, memory_order_relaxed);
            light_fence();
        } else {
            atomic_fetch_add_explicit(flag, 1, memory_order_seq_cst);
        }
        if (atomic_load_explicit(&fork_gate, memory_order_relaxed) == 0) return;
        if (w != NULL)
            atomic_store_explicit(flag, 0, memory_order_release);
        else
            atomic_fetch_sub_explicit(flag, 1, memory_order_release);
        while (atomic_load_explicit(&fork_gate, memory_order_acquire) != 0) slotarena_backoff(&spins);
    }
}

void slotarena_writer_exit(void) {
    slotarena_writer *w = me;
    if (w != NULL)
        atomic_store_explicit(&w->active, 0, memory_order_release);
    else
        atomic_fetch_sub_explicit(&unrecorded_active, 1, memory_order_release);
}

/* ---------------------------------------------------------------------- */
/* The writer bit                                                          */

/* The compare-and-swap that takes the bit, out of the thread sanitizer's
 * sight (see the model above). */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 8)
__attribute__((no_sanitize("thread")))
#endif
static bool take_bit(uint64_t *header, uint64_t expected) {
    return __atomic_compare_exchange_n(header, &expected, expected | BUSY_MASK, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

uint64_t slotarena_cell_lock(void *cell, uint64_t gen_bits) {
    uint64_t *header = cell;
    slotarena_writer_enter();
    unsigned spins = 0;
    for (;;) {
        uint64_t h = slotarena_peek64(header);
        if ((h & GEN_MASK) != gen_bits || (h & CLASS_FIELD_MASK) == 0) {
            slotarena_writer_exit();
            return 0;
        }
        if (h & BUSY_MASK) {
            slotarena_backoff(&spins);
            continue;
        }
        if (take_bit(header, h)) {
            (void)__atomic_load_n(header, __ATOMIC_ACQUIRE);
            return h;
        }
    }
}

void slotarena_cell_unlock(void *cell, uint64_t header) {
    __atomic_store_n((uint64_t *)cell, header & ~BUSY_MASK, __ATOMIC_RELEASE);
    slotarena_writer_exit();
}
