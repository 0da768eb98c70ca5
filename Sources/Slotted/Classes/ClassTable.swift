internal import CSlotArena

/// Process-wide table from class id (the 29-bit field of every instance header) to the
/// class's layout. Ids are never reused, so an accessor or a handle from one space can
/// never be mistaken for a class of another.
///
/// Storage is one region of 2^24 entries that the C target reserves on the first
/// registration (address space only; pages become resident as ids reach them) and never
/// moves: lookups read without a lock (an entry is written before its class is handed out,
/// and a handle only reaches an id after that), registration and removal take the lock.
enum ClassTable {
    /// The most classes a process can define: 2^24, within the header's 29-bit field.
    static let capacity = Int(SLOTARENA_CLASS_TABLE_SIZE)

    /// The entries, one per class id: a region the C target reserves on the first
    /// registration and never moves, so a lookup is one load from its base.
    @inline(__always)
    static var entries: UnsafeMutablePointer<Unmanaged<ClassInfo>?>? {
        slotarena_class_table.pointee.map {
            UnsafeMutableRawPointer($0).assumingMemoryBound(to: Unmanaged<ClassInfo>?.self)
        }
    }

    static let nextID = Locked<Int>(1)

    /// Reserves an id and stores the class built for it.
    static func register(_ build: (UInt32) throws -> ClassInfo) throws -> ClassInfo {
        try nextID.withLock { next in
            guard next < capacity else {
                throw ValueError("too many classes: a process can define at most \(capacity - 1)")
            }
            guard let table = slotarena_class_table_reserve() else {
                throw MemoryError("out of memory: the system refused the class table's address space")
            }
            let id = next
            let info = try build(UInt32(id))
            UnsafeMutableRawPointer(table).assumingMemoryBound(to: Unmanaged<ClassInfo>?.self)[id] =
                Unmanaged.passRetained(info)
            next += 1
            return info
        }
    }

    /// Removes a class whose space is being destroyed.
    static func unregister(_ id: UInt32) {
        nextID.withLock { _ in
            guard let table = entries, let entry = table[Int(id)] else { return }
            table[Int(id)] = nil
            entry.release()
        }
    }

    /// The class with this id, if it is registered.
    @inline(__always)
    static func lookup(_ id: UInt32) -> ClassInfo? {
        lookupUnmanaged(id)?.takeUnretainedValue()
    }

    /// The table entry itself, for paths that borrow the class without retaining it. An id
    /// comes from a header (29 bits) or an accessor; ids past the table read as absent.
    @inline(__always)
    static func lookupUnmanaged(_ id: UInt32) -> Unmanaged<ClassInfo>? {
        let i = Int(id)
        guard i < capacity, let table = entries else { return nil }
        return table[i]
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
