internal import CSlotArena

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a `pthread_mutex_t`.
///
/// Slotted uses this rather than `Synchronization.Mutex` because ThreadSanitizer intercepts
/// pthread mutexes, while `Mutex` on Linux waits on futexes TSan cannot see, which makes it
/// report false races on every guarded value.
///
/// The mutex comes from the C arena (`slotarena_lock_create`) with a ``Rank``, so that a
/// `fork()` while another thread holds it leaves the child a usable lock: the fork handlers
/// take every lock of the library in one rank order, release them in the parent and
/// re-initialise them in the child. A thread holding a lock takes only locks of later ranks
/// (and, within a rank, only locks created before the one it holds); it never creates or
/// destroys a `Locked` while it holds one.
package final class Locked<State>: @unchecked Sendable {
    /// Where a lock stands in the library's one rank order (`slotarena.h`, "fork()"),
    /// outermost first; the C arena's own locks come after these.
    package enum Rank {
        /// A `@SlotClass` type's table of its class in each space; a derived type's is taken
        /// before its base's.
        case registration
        /// The process-wide class registry (`ClassTable.nextID`).
        case classRegistry
        /// An object space's state: attribute names, classes.
        case spaceState
        /// An object space's table of interned strings (``StringTable``).
        case stringTable

        var value: Int32 {
            switch self {
            case .registration: Int32(SLOTARENA_RANK_REGISTRATION)
            case .classRegistry: Int32(SLOTARENA_RANK_CLASS_REGISTRY)
            case .spaceState: Int32(SLOTARENA_RANK_SPACE_STATE)
            case .stringTable: Int32(SLOTARENA_RANK_STRING_TABLE)
            }
        }
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Accessed only under `mutex`, which is what makes the access exclusive: the dynamic
    /// exclusivity check would only repeat it, at a cost on every locked call.
    @exclusivity(unchecked) private var state: State

    package init(_ state: State, rank: Rank) {
        self.state = state
        guard let raw = slotarena_lock_create(rank.value) else {
            _slottedTrap("out of memory for a lock")
        }
        mutex = raw.assumingMemoryBound(to: pthread_mutex_t.self)
    }

    deinit {
        slotarena_lock_destroy(mutex)
    }

    package func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}
