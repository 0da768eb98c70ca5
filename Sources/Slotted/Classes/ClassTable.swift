internal import CSlotArena

/// Process-wide table from class id (the 28-bit field of every instance header) to the
/// class's layout.
///
/// A class id is a table index (its low 20 bits) and that index's generation (the 8 bits
/// above). When a space is destroyed, the indices of its classes go on a free list; a new
/// class takes a free index with the index's next generation, so its id differs from every
/// id the index had before. An index that has had 255 generations is retired, never used
/// again. The entry at an index answers a lookup only for its own full id: an accessor or a
/// handle that carries an older generation never resolves to the new class, and the typed
/// fast path compares the full id with the header, so it cannot match either.
///
/// Storage is one region of 2^20 entries (a class and the id it was published under) that
/// the C target reserves on the first registration (address space only; pages become
/// resident as indices reach them) and never moves. Lookups take no lock: they compare the
/// entry's id, an atomic load, before they load the class, so a lookup with an id from a
/// destroyed space never touches the class that reuses its index while another thread
/// publishes or withdraws it (`slotarena_class_lookup`). Registration and removal take the
/// lock.
enum ClassTable {
    /// Table entries (`SLOTARENA_CLASS_TABLE_SIZE`); index 0 is never a class, so at most
    /// `capacity - 1` classes are alive at once.
    static let capacity = Int(SLOTARENA_CLASS_TABLE_SIZE)
    /// Bits of a class id that hold the table index; the generation is above them.
    static let indexBits = UInt32(SLOTARENA_CLASS_INDEX_BITS)
    static let indexMask: UInt32 = (1 << indexBits) - 1
    /// Generations an index goes through (0...254) before it is retired.
    static let generationsPerIndex = (1 << (Int(SLOTARENA_CLASS_BITS) - Int(indexBits))) - 1

    /// Which ids registration hands out next.
    struct Registry {
        /// The first index never used.
        var nextIndex = 1
        /// Ids to hand out again: a freed index with its next generation, most recent last.
        var free: [UInt32] = []
        /// Indices below this are the only ones used (tests shrink it).
        var limit = capacity
    }

    static let registry = Locked(Registry(), rank: .classRegistry)

    static func index(of id: UInt32) -> Int { Int(id & indexMask) }
    static func generation(of id: UInt32) -> Int { Int(id >> indexBits) }

    /// Reserves an id and stores the class built for it.
    static func register(_ build: (UInt32) throws -> ClassInfo) throws -> ClassInfo {
        try registry.withLock { r in
            guard let table = slotarena_class_table_reserve() else {
                throw MemoryError("out of memory: the system refused the class table's address space")
            }
            let id: UInt32
            let fresh: Bool
            if let reused = r.free.last {
                (id, fresh) = (reused, false)
            } else if r.nextIndex < r.limit {
                (id, fresh) = (UInt32(r.nextIndex), true)
            } else {
                throw ValueError("too many classes: a process can hold at most \(r.limit - 1) at once, and none has left a free id")
            }
            let info = try build(id)
            _slottedCheck(info.id == id, "a class was built for another id")
            slotarena_class_publish(table, id, Unmanaged.passRetained(info).toOpaque())
            if fresh { r.nextIndex += 1 } else { r.free.removeLast() }
            return info
        }
    }

    /// Removes a class whose space is being destroyed; its index is used again with the next
    /// generation, or retired once it has had them all.
    static func unregister(_ id: UInt32) {
        registry.withLock { r in
            guard let table = slotarena_class_table.pointee,
                  let entry = slotarena_class_withdraw(table, id)
            else { return }
            Unmanaged<ClassInfo>.fromOpaque(entry).release()
            let next = generation(of: id) + 1
            if next < generationsPerIndex && index(of: id) < r.limit {
                r.free.append(UInt32(next) << indexBits | UInt32(index(of: id)))
            }
        }
    }

    /// Lets registration use only the first `classes` indices, for tests; ids already handed
    /// out stay valid.
    static func limit(to classes: Int) {
        registry.withLock { r in
            r.limit = min(classes + 1, capacity)
            r.free.removeAll { index(of: $0) >= r.limit }
        }
    }

    /// The class with this id, if it is registered.
    @inline(__always)
    static func lookup(_ id: UInt32) -> ClassInfo? {
        lookupUnmanaged(id)?.takeUnretainedValue()
    }

    /// The table entry itself, for paths that borrow the class without retaining it. An id
    /// comes from a header (28 bits) or an accessor; the entry at its index answers only if
    /// it holds the class of this very id, not one that reused the index.
    @inline(__always)
    static func lookupUnmanaged(_ id: UInt32) -> Unmanaged<ClassInfo>? {
        guard let entry = slotarena_class_lookup(id) else { return nil }
        return Unmanaged<ClassInfo>.fromOpaque(entry)
    }
}

/// Bit masks of the header word and of a handle, from `slotarena.h`.
enum HeaderBits {
    static let classShift = UInt64(SLOTARENA_CLASS_SHIFT)
    static let genShift = UInt64(SLOTARENA_GEN_SHIFT)
    static let classMask: UInt64 = ((1 << UInt64(SLOTARENA_CLASS_BITS)) - 1) << classShift
    /// The writer bit (see ConcurrentAccess.swift).
    static let busy: UInt64 = 1 << UInt64(SLOTARENA_BUSY_BIT)
    static let genMask: UInt64 = ~0 << genShift
    static let presenceBits = Int(SLOTARENA_PRESENCE_BITS)
    static let headerBytes = Int(SLOTARENA_HEADER_BYTES)

    @inline(__always)
    static func classID(_ header: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (header & classMask) >> classShift) }
    @inline(__always)
    static func generation(_ header: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: header >> genShift) }
}
