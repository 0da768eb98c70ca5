/*
 * fork.c: fork() while other threads use the library.
 *
 * Model. One pthread_atfork triple, registered once (slotarena_fork_setup,
 * at the first slotarena_create or slotarena_lock_create), takes every lock
 * of the library before a fork, in the rank order below; the parent releases
 * them in reverse, and the child re-initialises them, as jemalloc does with
 * its own, then repairs what the threads it does not have left behind:
 *   - each arena's reader counts are zeroed (no other thread's reader section
 *     exists in the child), so deferred blocks can be released;
 *   - the bins of other threads' caches give their cells back to their pools,
 *     and those caches are freed (tcache.c);
 *   - access.c's own child handler forgets other threads' writer records.
 * What another thread was doing without a lock at the fork is lost in the
 * child: a cell popped from its bin and not yet handed out, or claimed by a
 * free and not yet recycled, or a batch moving between a bin's two chains,
 * stays counted as live (out of its pool) and is never reused (a bin's
 * stores are ordered so that the child never finds a cell twice: tcache.c); blocks such a free had not yet released stay counted as live
 * blocks. The child leaks them, and its statistics say so.
 *
 * The Swift library's mutexes (Locked: each space's state, the class
 * registry, the @SlotClass registrations) are created here with their rank
 * (slotarena_lock_create), on a list the handlers walk. slotarena_fork_run,
 * last, runs a child with a deadline for the tests and the stress run.
 *
 * Order of the handlers. POSIX runs prepare handlers in the reverse order of
 * registration, parent and child handlers in that order. jemalloc registers
 * its handlers when it initialises, before ours: our prepare runs before its
 * own takes jemalloc's locks (a thread holding one of ours may still need
 * them), and our child handler runs once jemalloc's has made it usable. The
 * writer gate of access.c registers after ours (at the first write, which
 * needs an arena; its setup calls slotarena_fork_setup first), so its
 * prepare runs first and drains by-name writers, which may still need the
 * locks ours takes.
 *
 * Invariants.
 *   8. Every lock of the library has one rank, outermost first:
 *        registrations (Swift), newest first: a derived type's before its
 *          base's, which classInfo(in:) takes inside it;
 *        the class registry (Swift), then the class table's mutex;
 *        each space's state (Swift);
 *        each space's table of interned strings (Swift), which allocates
 *          and frees text under the arena's lock;
 *        the thread caches' registry (tcache.c);
 *        the list of live arenas (arena.c);
 *        each arena's lock, in list order (no thread holds two);
 *        the slab shelf (slab.c).
 *      A thread holding a lock takes only locks of later ranks. `locks_lock`
 *      guards the list of Swift mutexes and is held through a fork, so a
 *      Locked is never created or destroyed while its thread holds a lock.
 */
#include "slotarena_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A mutex of the Swift library. */
typedef struct slotarena_lock_node {
    pthread_mutex_t mutex;            /* offset 0: the caller's mutex, so its address is the node's */
    int rank;                         /* after the mutex: SLOTARENA_RANK_* */
    struct slotarena_lock_node *prev; /* newer node (locks_lock) */
    struct slotarena_lock_node *next; /* older node (locks_lock) */
} slotarena_lock_node;
_Static_assert(offsetof(slotarena_lock_node, mutex) == 0, "a Swift mutex's address is its node's");

static pthread_mutex_t locks_lock = PTHREAD_MUTEX_INITIALIZER;
static slotarena_lock_node *newest_lock;

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

/* ---------------------------------------------------------------------- */
/* The handlers                                                            */

static void take_rank(int rank) {
    for (slotarena_lock_node *n = newest_lock; n != NULL; n = n->next)
        if (n->rank == rank) pthread_mutex_lock(&n->mutex);
}

static void release_rank(int rank) {
    slotarena_lock_node *oldest = newest_lock;
    while (oldest != NULL && oldest->next != NULL) oldest = oldest->next;
    for (slotarena_lock_node *n = oldest; n != NULL; n = n->prev)
        if (n->rank == rank) pthread_mutex_unlock(&n->mutex);
}

static void prepare(void) {
    pthread_mutex_lock(&locks_lock);
    take_rank(SLOTARENA_RANK_REGISTRATION);
    take_rank(SLOTARENA_RANK_CLASS_REGISTRY);
    pthread_mutex_lock(slotarena_classtable_mutex());
    take_rank(SLOTARENA_RANK_SPACE_STATE);
    take_rank(SLOTARENA_RANK_STRING_TABLE);
    pthread_mutex_lock(slotarena_tcache_registry_mutex());
    pthread_mutex_lock(slotarena_live_mutex());
    for (slotarena *a = slotarena_live_first(); a != NULL; a = a->live_next) lock(a);
    pthread_mutex_lock(slotarena_shelf_mutex());
}

static void parent(void) {
    pthread_mutex_unlock(slotarena_shelf_mutex());
    slotarena *last = slotarena_live_first();
    while (last != NULL && last->live_next != NULL) last = last->live_next;
    for (slotarena *a = last; a != NULL; a = a->live_prev) unlock(a);
    pthread_mutex_unlock(slotarena_live_mutex());
    pthread_mutex_unlock(slotarena_tcache_registry_mutex());
    release_rank(SLOTARENA_RANK_STRING_TABLE);
    release_rank(SLOTARENA_RANK_SPACE_STATE);
    pthread_mutex_unlock(slotarena_classtable_mutex());
    release_rank(SLOTARENA_RANK_CLASS_REGISTRY);
    release_rank(SLOTARENA_RANK_REGISTRATION);
    pthread_mutex_unlock(&locks_lock);
}

static void child(void) {
    pthread_mutex_init(&locks_lock, NULL);
    for (slotarena_lock_node *n = newest_lock; n != NULL; n = n->next) pthread_mutex_init(&n->mutex, NULL);
    pthread_mutex_init(slotarena_classtable_mutex(), NULL);
    pthread_mutex_init(slotarena_tcache_registry_mutex(), NULL);
    pthread_mutex_init(slotarena_live_mutex(), NULL);
    pthread_mutex_init(slotarena_shelf_mutex(), NULL);
    slotarena_tcache *mine = slotarena_tcache_current();
    for (slotarena *a = slotarena_live_first(); a != NULL; a = a->live_next) {
        pthread_mutex_init(&a->lock, NULL);
        atomic_store_explicit(&a->readers[0], 0, memory_order_relaxed);
        atomic_store_explicit(&a->readers[1], 0, memory_order_relaxed);
        lock(a);
        slotarena_bins_adopt(a, mine);
        slotarena_reclaim_locked(a);
        unlock(a);
    }
    slotarena_tcaches_forget_others(mine);
}

static void fork_register(void) {
    /* jemalloc registers its handlers when it initialises: allocate once, so
     * that it has before ours are registered. */
    void *volatile first = malloc(1);
    free(first);
    (void)pthread_atfork(prepare, parent, child);
}

void slotarena_fork_setup(void) { pthread_once(&fork_once, fork_register); }

/* ---------------------------------------------------------------------- */
/* The Swift library's mutexes                                             */

void *slotarena_lock_create(int rank) {
    slotarena_fork_setup();
    slotarena_lock_node *n = calloc(1, sizeof(*n));
    if (n == NULL) return NULL;
    if (pthread_mutex_init(&n->mutex, NULL) != 0) {
        free(n);
        return NULL;
    }
    n->rank = rank;
    pthread_mutex_lock(&locks_lock);
    n->next = newest_lock;
    if (newest_lock != NULL) newest_lock->prev = n;
    newest_lock = n;
    pthread_mutex_unlock(&locks_lock);
    return &n->mutex;
}

void slotarena_lock_destroy(void *mutex) {
    slotarena_lock_node *n = mutex;
    pthread_mutex_lock(&locks_lock);
    if (n->prev != NULL) n->prev->next = n->next;
    else newest_lock = n->next;
    if (n->next != NULL) n->next->prev = n->prev;
    pthread_mutex_unlock(&locks_lock);
    pthread_mutex_destroy(&n->mutex);
    free(n);
}

/* ---------------------------------------------------------------------- */
/* A child with a deadline (tests and the stress run)                      */

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int slotarena_fork_run(int (*child)(void *context), void *context, uint32_t timeout_ms) {
    pid_t pid = fork();
    if (pid == 0) _exit(child(context));
    if (pid < 0) return -1;
    int status = 0;
    double deadline = now_ms() + timeout_ms;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) return -1;
        if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
            break;
        }
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}
