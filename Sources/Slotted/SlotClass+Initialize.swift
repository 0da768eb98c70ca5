//===----------------------------------------------------------------------===//
//
// SlotClass+Initialize.swift: constructing an instance with its typed slot
// values in one step.
//
// `new()` followed by typed stores checks the header once per store and sets
// one presence bit per store, each a read-modify-write of the header that the
// next store has to wait for. An initializer instead checks each accessor
// against the class (a compare of two values in registers), stores the value
// at its offset, and collects the presence bits; the header is written once,
// when the initializer returns. The bulk form takes every cell of a batch from
// the arena in one call.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

extension SlotClass {
    /// Constructs an instance and lets `initialize` store its typed slots before anyone else
    /// can see it: the typed `C(x=1.0, y=2.0)` for a class whose `__init__` assigns its
    /// arguments.
    ///
    /// ```swift
    /// let ts = try EventSlots.slot("ts", as: Int.self)
    /// let kind = try EventSlots.slot("kind", as: String.self)
    /// let e = try EventSlots.new { e in
    ///     e[ts] = 1
    ///     e[kind] = "click"
    /// }   // `value` stays unset
    /// ```
    ///
    /// Slots the closure does not set stay unset, as after ``new()``.
    ///
    /// - Throws: ``MemoryError`` when the arena refuses memory, or what `initialize` throws;
    ///   either way nothing stays allocated.
    @inlinable
    public func new(_ initialize: (inout SlotInitializer) throws -> Void) throws -> Instance {
        let instance = try new()
        var initializer = SlotInitializer(instance: instance, classID: _classID)
        do {
            try initialize(&initializer)
        } catch {
            initializer.finish()
            _abandon(instance)
            throw error
        }
        initializer.finish()
        return instance
    }

    /// Frees an instance whose initializer threw.
    @usableFromInline
    func _abandon(_ instance: Instance) {
        space.free(instance)
    }
}

/// The view of a new instance that ``SlotClass/new(_:)`` hands its closure: typed stores
/// without a header check or header update each; the presence bits reach the header when
/// the closure returns.
public struct SlotInitializer: ~Copyable {
    @usableFromInline let instance: Instance
    @usableFromInline let classID: UInt32
    /// Presence bits of the slots stored so far that live in the header (slots 0...15).
    @usableFromInline var bits: UInt64 = 0

    @inlinable
    init(instance: Instance, classID: UInt32) {
        self.instance = instance
        self.classID = classID
    }

    /// The instance under construction.
    public var handle: Instance { instance }

    /// A typed slot of the new instance: reading an unset slot traps as the typed subscript
    /// does; writing stores the value (writing a slot twice keeps the last value).
    ///
    /// Traps when the accessor belongs to a class that is neither the instance's class nor
    /// one of its bases (CPython's `TypeError: descriptor 'x' for 'A' objects doesn't apply
    /// to a 'B' object`), as the typed subscript does.
    @inlinable
    public subscript<T: SlotValue>(slot: SlotAccessor<T>) -> T {
        get {
            flush()
            return instance[slot]
        }
        @inline(__always) set {
            let hot = slot.hot
            let bit = hot.headerBit
            if _slowPath(hot.classID != classID || bits & bit != 0 || bit == 0) {
                storeChecked(newValue, slot)
                return
            }
            T._initialize(newValue, instance._cell, hot)
            bits |= bit
        }
    }

    /// The general store: an accessor of a base class, a slot whose presence byte lies after
    /// the header, or a second store to a slot (the ordinary store releases what the first
    /// one left).
    @inline(never) @usableFromInline
    func storeChecked<T: SlotValue>(_ value: T, _ slot: SlotAccessor<T>) {
        flush()
        instance[slot] = value
    }

    /// Writes the collected presence bits into the header. They stay collected, so that a
    /// later store to one of those slots still takes the general path.
    @inlinable
    func flush() {
        if bits != 0 {
            let cell = instance._cell
            cell.store(cell.header | bits, 0)
        }
    }

    @inlinable
    consuming func finish() {
        flush()
    }
}

extension SlotClass {
    /// Constructs `count` instances at once and lets `initialize` store each one's typed
    /// slots: one arena call (one lock) hands out every cell, then `initialize(i, &e)` runs
    /// for `i` in `0..<count`, in order. The bulk form of ``new(_:)``, for building a
    /// collection of objects such as the article's list of events.
    ///
    /// ```swift
    /// let events = try EventSlots.new(count: 100_000) { i, e in
    ///     e[ts] = i
    ///     e[kind] = "click"
    ///     e[value] = Double(i) * 1.5
    /// }
    /// ```
    ///
    /// - Throws: ``MemoryError`` when the arena refuses the memory, before `initialize` runs;
    ///   what `initialize` throws, after freeing every instance of the call.
    @inlinable
    public func new(count: Int, _ initialize: (Int, inout SlotInitializer) throws -> Void) throws -> [Instance] {
        _slottedCheck(count >= 0, "new(count:) needs a count of at least 0, not \(count)")
        if count == 0 { return [] }
        return try [Instance](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress.unsafelyUnwrapped
            try _allocate(count, into: base)
            for i in 0..<count {
                var initializer = SlotInitializer(instance: base[i], classID: _classID)
                do {
                    try initialize(i, &initializer)
                } catch {
                    initializer.finish()
                    _abandon(base, count)
                    throw error
                }
                initializer.finish()
            }
            initialized = count
        }
    }

    /// Fills `out[0 ..< count]` with new instances, every slot unset. The arena writes the
    /// handles themselves (an ``Instance`` is its 64-bit handle word).
    @usableFromInline
    func _allocate(_ count: Int, into out: UnsafeMutablePointer<Instance>) throws {
        let handled = out.withMemoryRebound(to: UInt64.self, capacity: count) {
            slotarena_cell_alloc_many(pool, headerBits, $0, count)
        }
        guard handled == count else {
            throw MemoryError("out of memory: the arena refused \(count) instances of '\(info.name)' (\(info.cellSize) bytes each)")
        }
    }

    /// Frees the instances of a bulk construction whose initializer threw.
    @usableFromInline
    func _abandon(_ instances: UnsafeMutablePointer<Instance>, _ count: Int) {
        for i in 0..<count { space.free(instances[i]) }
    }
}
