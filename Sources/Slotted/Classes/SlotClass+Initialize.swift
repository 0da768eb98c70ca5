//===----------------------------------------------------------------------===//
//
// SlotClass+Initialize.swift: constructing an instance with its typed slot
// values in one step.
//
// `new()` followed by typed stores checks the header once per store and sets
// one presence bit per store, each a read-modify-write of the header that the
// next store has to wait for. An initializer instead checks, with one compare
// of the header's class and generation bits, that the instance is still the
// one being built and of the accessor's class, stores the value at its
// offset, and collects the presence bits; the header is written once, when
// the initializer returns. The bulk form takes the cells of a batch from the
// arena a chunk at a time, one call (one lock) a chunk.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// The instance belongs to `new` until the closure returns: freeing it inside the
    /// closure (`space.free(e.handle)`, or `space.reset()`) is a misuse. A store or read
    /// through `e` after that traps, even when a new instance has taken the cell, and so does
    /// the closure's return, rather than handing back a stale handle. A closure that frees
    /// the instance and then throws gets its error through, and nothing is freed twice.
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
            _abandon(initializer)
            throw error
        }
        initializer.finish()
        return instance
    }

    /// Frees the instance of an initializer that threw, unless the closure freed it itself.
    @usableFromInline
    func _abandon(_ initializer: consuming SlotInitializer) {
        let instance = initializer.instance
        if initializer.finishAbandoned() { space.free(instance) }
    }
}

/// The view of a new instance that ``SlotClass/new(_:)`` hands its closure: typed stores
/// without a header update each; the presence bits reach the header when the closure
/// returns (a store that allocates a block, a long string, marks its slot at once).
///
/// Each store still reads the header, to check that the instance is the one being built
/// (the closure may have freed it, and a new instance may have taken its cell): a store
/// through a freed instance traps with `Slotted: typed initializer store after its instance
/// was freed`.
public struct SlotInitializer: ~Copyable {
    @usableFromInline let instance: Instance
    /// The instance's cell, computed once from the handle.
    @usableFromInline let cell: _SlotCell
    @usableFromInline let classID: UInt32
    /// The handle's generation bits shifted down past the presence bits, as `header >> 16`
    /// has them; with a class id in the low bits, what `header >> 16` of a live instance of
    /// that class reads.
    @usableFromInline let generation: UInt64
    /// Presence bits of the slots stored so far that live in the header (slots 0...15).
    @usableFromInline var bits: UInt64 = 0

    @inlinable
    init(instance: Instance, classID: UInt32) {
        self.instance = instance
        self.cell = instance._cell
        self.classID = classID
        self.generation = instance._generationBits &>> 16
    }

    /// The instance under construction. It belongs to ``SlotClass/new(_:)`` until the
    /// closure returns: freeing it there is a misuse, which the next store or the closure's
    /// return traps on.
    public var handle: Instance { instance }

    /// A typed slot of the new instance: reading an unset slot traps as the typed subscript
    /// does; writing stores the value (writing a slot twice keeps the last value).
    ///
    /// Traps when the accessor belongs to a class that is neither the instance's class nor
    /// one of its bases (CPython's `TypeError: descriptor 'x' for 'A' objects doesn't apply
    /// to a 'B' object`), as the typed subscript does, and when the instance was freed since
    /// the closure began.
    @inlinable
    public subscript<T: SlotValue>(slot: SlotAccessor<T>) -> T {
        get {
            flush("read")
            return instance[slot]
        }
        @inline(__always) set {
            let hot = slot.hot
            let bit = hot.headerBit
            // The fast path needs the header to hold this handle's generation and the
            // accessor's class (one compare: the instance is still the one being built, and
            // of the accessor's class), and the slot's presence bit to be a header bit not
            // collected yet (`bits & bit == bit` for a collected bit and for bit 0).
            if _slowPath(cell.header &>> 16 != generation | UInt64(hot.classID) || bits & bit == bit) {
                storeChecked(newValue, slot)
                return
            }
            T._initialize(newValue, cell, hot)
            bits |= bit
        }
    }

    /// The general store: an accessor of a base class, a slot whose presence byte lies after
    /// the header, a second store to a slot (the ordinary store releases what the first
    /// one left), or an instance that was freed.
    @inline(never) @usableFromInline
    func storeChecked<T: SlotValue>(_ value: T, _ slot: SlotAccessor<T>) {
        flush()
        instance[slot] = value
    }

    /// Whether the instance is still the one being built: its header holds the class and
    /// generation it was made with.
    var isIntact: Bool { cell.header &>> 16 == generation | UInt64(classID) }

    /// Writes the collected presence bits into the header, after checking that the instance
    /// is still the one being built (the read and the general store, which then use the
    /// header). The bits stay collected, so that a later store to one of those slots still
    /// takes the general path.
    @usableFromInline @inline(never)
    func flush(_ use: StaticString = "store") {
        if !isIntact { Self.instanceFreed(use) }
        if bits != 0 { cell.store(cell.header | bits, 0) }
    }

    /// The end of a closure that returned: checks that the instance is still there, then
    /// writes the presence bits, with one load of the header.
    @inlinable @inline(__always)
    consuming func finish() {
        let header = cell.header
        if _slowPath(header &>> 16 != generation | UInt64(classID)) { Self.freedInsideClosure() }
        cell.store(header | bits, 0)
    }

    /// The end of a closure that threw: writes the presence bits, so that freeing the
    /// instance releases what it holds, and returns whether there is an instance left to free
    /// (false when the closure freed it itself).
    @usableFromInline
    consuming func finishAbandoned() -> Bool {
        guard isIntact else { return false }
        flush()
        return true
    }

    @usableFromInline @inline(never)
    static func instanceFreed(_ use: StaticString) -> Never {
        _slottedTrap("typed initializer \(use) after its instance was freed: the closure of new { } must not free the instance it builds")
    }

    @usableFromInline @inline(never)
    static func freedInsideClosure() -> Never {
        _slottedTrap("the instance under construction was freed inside its initializer closure; new { } cannot return it")
    }
}

extension SlotClass {
    /// Constructs `count` instances at once and lets `initialize` store each one's typed
    /// slots: `initialize(i, &e)` runs for `i` in `0..<count`, in order. The bulk form of
    /// ``new(_:)``, for building a collection of objects such as the article's list of
    /// events. The cells come from the arena a chunk of a few hundred at a time (one arena
    /// call, one lock, a chunk), each chunk initialized before the next is taken.
    ///
    /// ```swift
    /// let events = try EventSlots.new(count: 100_000) { i, e in
    ///     e[ts] = i
    ///     e[kind] = "click"
    ///     e[value] = Double(i) * 1.5
    /// }
    /// ```
    ///
    /// Each closure call builds its own instance under the rules of ``new(_:)``: freeing it
    /// inside the closure traps at the next store through `e` or when the closure returns.
    ///
    /// - Throws: ``MemoryError`` when the arena or the system refuses the memory (the
    ///   instances, or the array of their handles); what `initialize` throws. Either way
    ///   every instance of the call that is still alive is freed first.
    @inlinable
    public func new(count: Int, _ initialize: (Int, inout SlotInitializer) throws -> Void) throws -> [Instance] {
        try _checkCount(count)
        if count == 0 { return [] }
        return try [Instance](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress.unsafelyUnwrapped
            // Cells come a chunk at a time, each chunk initialized while its cells are still
            // in the cache that handing them out brought them to.
            var start = 0
            while start < count {
                let chunk = Swift.min(_bulkChunk, count &- start)
                do {
                    try _allocate(chunk, into: base + start)
                } catch {
                    _abandon(base, start)
                    throw error
                }
                for i in start..<(start &+ chunk) {
                    var initializer = SlotInitializer(instance: base[i], classID: _classID)
                    do {
                        try initialize(i, &initializer)
                    } catch {
                        _ = initializer.finishAbandoned()
                        _abandon(base, start &+ chunk)
                        throw error
                    }
                    initializer.finish()
                }
                start &+= chunk
            }
            initialized = count
        }
    }

    /// Instances per arena call of ``new(count:_:)``: few enough that a chunk's cells
    /// (16 KiB of 32-byte cells) stay in the first-level cache until they are initialized,
    /// many enough that the lock is taken rarely.
    @inlinable
    var _bulkChunk: Int { 512 }

    /// Traps on a negative count; throws ``MemoryError`` unless the system gives the memory
    /// for an array of `count` handles. Swift's own array allocation stops the program when
    /// the system refuses it, so a large batch asks `malloc` for the same size first (the
    /// array's 32-byte header and the handles, with room to spare) and gives it back: the
    /// array then reuses those pages. Small batches are not checked.
    @usableFromInline
    func _checkCount(_ count: Int) throws {
        _slottedCheck(count >= 0, "new(count:) needs a count of at least 0, not \(count)")
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Instance>.stride)
        if !overflow, bytes < 1 << 16 { return }
        guard !overflow, bytes <= Int.max - 64, let probe = malloc(bytes + 64) else {
            throw MemoryError("out of memory: the system refused \(count) handles for new(count:) of '\(info.name)'")
        }
        free(probe)
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

    /// Frees the instances of a bulk construction whose initializer threw, except those the
    /// closure already freed itself.
    @usableFromInline
    func _abandon(_ instances: UnsafeMutablePointer<Instance>, _ count: Int) {
        for i in 0..<count where instances[i].isAlive { space.free(instances[i]) }
    }
}
