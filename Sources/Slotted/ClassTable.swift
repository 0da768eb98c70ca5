internal import CSlotArena


/// Process-wide table from class id (the 29-bit field of every instance header) to the
/// class's layout. Ids are never reused, so an accessor or a handle from one space can
/// never be mistaken for a class of another.
///
/// Storage is a fixed array of lazily allocated chunks that never move: lookups read
/// without a lock (an entry is written before its class is handed out, and a handle only
/// reaches an id after that), registration and removal take the lock.
enum ClassTable {
    static let chunkShift = 12
    static let chunkSize = 1 << chunkShift
    static let chunkCount = 1 << 12
    /// The most classes a process can define: 2^24, within the header's 29-bit field.
    static let capacity = chunkSize * chunkCount

    nonisolated(unsafe) static let chunks: UnsafeMutablePointer<UnsafeMutablePointer<Unmanaged<ClassInfo>?>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<Unmanaged<ClassInfo>?>?>.allocate(capacity: chunkCount)
        p.initialize(repeating: nil, count: chunkCount)
        return p
    }()

    static let nextID = Locked<Int>(1)

    /// Reserves an id and stores the class built for it.
    static func register(_ build: (UInt32) throws -> ClassInfo) throws -> ClassInfo {
        try nextID.withLock { next in
            guard next < capacity else {
                throw ValueError("too many classes: a process can define at most \(capacity - 1)")
            }
            let id = next
            let info = try build(UInt32(id))
            let chunk = id >> chunkShift
            if chunks[chunk] == nil {
                let c = UnsafeMutablePointer<Unmanaged<ClassInfo>?>.allocate(capacity: chunkSize)
                c.initialize(repeating: nil, count: chunkSize)
                chunks[chunk] = c
            }
            chunks[chunk]![id & (chunkSize - 1)] = Unmanaged.passRetained(info)
            next += 1
            return info
        }
    }

    /// Removes a class whose space is being destroyed.
    static func unregister(_ id: UInt32) {
        nextID.withLock { _ in
            let i = Int(id)
            guard let chunk = chunks[i >> chunkShift], let entry = chunk[i & (chunkSize - 1)] else { return }
            chunk[i & (chunkSize - 1)] = nil
            entry.release()
        }
    }

    /// The class with this id, if it is registered.
    @inline(__always)
    static func lookup(_ id: UInt32) -> ClassInfo? {
        lookupUnmanaged(id)?.takeUnretainedValue()
    }

    /// The table entry itself, for paths that borrow the class without retaining it.
    @inline(__always)
    static func lookupUnmanaged(_ id: UInt32) -> Unmanaged<ClassInfo>? {
        let i = Int(id)
        guard i < capacity, let chunk = chunks[i >> chunkShift] else { return nil }
        return chunk[i & (chunkSize - 1)]
    }
}

/// Bit masks of the header word and of a handle, from `slotarena.h`.
enum HeaderBits {
    static let classShift = UInt64(SLOTARENA_CLASS_SHIFT)
    static let genShift = UInt64(SLOTARENA_GEN_SHIFT)
    static let classMask: UInt64 = ((1 << UInt64(SLOTARENA_CLASS_BITS)) - 1) << classShift
    static let genMask: UInt64 = ~0 << genShift
    static let presenceBits = Int(SLOTARENA_PRESENCE_BITS)
    static let headerBytes = Int(SLOTARENA_HEADER_BYTES)

    @inline(__always)
    static func classID(_ header: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (header & classMask) >> classShift) }
    @inline(__always)
    static func generation(_ header: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: header >> genShift) }
}
