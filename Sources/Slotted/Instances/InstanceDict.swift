internal import CSlotArena

/// The per-instance `__dict__` of instances whose class has one: an open-addressing hash
/// table in one arena block, allocated on the first attribute set.
///
/// Block layout (bytes):
///   +0  count: UInt32      live entries
///   +4  capacity: UInt32   entries, a power of two, at least 4 (8 when a set creates it)
///   +8  used: UInt32       live plus deleted entries (grows until a rehash)
///   +12 (padding)
///   +16 entries, 24 bytes each: key UInt32 (an interned name id; 0 empty,
///       UInt32.max deleted), 4 bytes padding, then an untyped value (16 bytes).
/// The table rehashes at 2/3 load, as CPython's dict does; keys are the space's interned
/// attribute-name ids, so equal names compare as integers. Each entry counts as one use of
/// its name in the space's ``NameTable``: inserting an entry adds one, deleting or freeing
/// it takes one away.
enum InstanceDict {
    static let headerBytes = 16
    static let entryBytes = 24
    /// The smallest table: a shaped dictionary of one or two entries moves into one.
    static let minCapacity = 4
    /// The table a first `set` creates, as CPython's smallest dict.
    static let firstCapacity = 8
    static let deleted = UInt32.max

    static func blockBytes(capacity: Int) -> Int { headerBytes + capacity * entryBytes }

    /// The table, when the dictionary is in dictionary mode (see ``DictWord``).
    static func table(_ cell: _SlotCell, _ dictOffset: Int) -> UnsafeMutableRawPointer? {
        let w = cell.load(dictOffset, as: UInt64.self)
        return w & DictWord.modeMask == DictWord.table ? DictWord.pointer(w) : nil
    }

    /// Publishes `table` in the dictionary word, keeping the cell's inline capacity.
    static func publish(_ cell: _SlotCell, _ dictOffset: Int, _ table: UnsafeMutableRawPointer?) {
        let k = DictWord.capacity(cell.load(dictOffset, as: UInt64.self))
        DictWord.publish(DictWord.make(table, DictWord.table, capacity: k), at: cell.base + dictOffset)
    }

    @inline(__always)
    static func home(_ key: UInt32, _ capacity: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & (capacity - 1)
    }

    /// Offset of the entry holding `key`, or nil.
    static func find(_ t: UnsafeMutableRawPointer, _ key: UInt32) -> Int? {
        let capacity = Int(t.load(fromByteOffset: 4, as: UInt32.self))
        var i = home(key, capacity)
        while true {
            let e = headerBytes + i * entryBytes
            let k = t.load(fromByteOffset: e, as: UInt32.self)
            if k == key { return e }
            if k == 0 { return nil }
            i = (i + 1) & (capacity - 1)
        }
    }

    /// Sets `key` to `value`, growing the table when needed. On failure nothing changes.
    ///
    /// A new entry counts one more use of the name `key`, unless `counted` says the caller
    /// has counted it already (``ObjectSpace/nameIDForSet(_:in:)``).
    static func set(_ cell: _SlotCell, _ dictOffset: Int, _ key: UInt32, _ value: Value,
                    space: ObjectSpace, counted: Bool = false) throws
    {
        var t = table(cell, dictOffset)
        if let t, let e = find(t, key) {
            _slottedCheck(!counted, "an instance dict counted a name it already has")
            try space.storeAny(value, _SlotCell(t), e + 8, replacing: true)
            return
        }
        let used = t.map { Int($0.load(fromByteOffset: 8, as: UInt32.self)) } ?? 0
        let capacity = t.map { Int($0.load(fromByteOffset: 4, as: UInt32.self)) } ?? 0
        if t == nil || (used + 1) * 3 > capacity * 2 {
            let count = t.map { Int($0.load(as: UInt32.self)) } ?? 0
            var newCapacity = t == nil ? firstCapacity : minCapacity
            while (count + 1) * 3 > newCapacity * 2 { newCapacity *= 2 }
            t = try rehash(cell, dictOffset, newCapacity, space: space)
        }
        let table = t!
        let tcap = Int(table.load(fromByteOffset: 4, as: UInt32.self))
        var i = home(key, tcap)
        var slot = -1
        while true {
            let e = headerBytes + i * entryBytes
            let k = table.load(fromByteOffset: e, as: UInt32.self)
            if k == 0 { if slot < 0 { slot = e }; break }
            if k == deleted && slot < 0 { slot = e }
            i = (i + 1) & (tcap - 1)
        }
        // The value before the key: a reader that sees the key sees the value's new
        // sequence (``entryStill(_:_:_:)``).
        try space.storeAny(value, _SlotCell(table), slot + 8, replacing: false)
        let reused = table.load(fromByteOffset: slot, as: UInt32.self) == deleted
        table.storeBytes(of: key, toByteOffset: slot, as: UInt32.self)
        table.storeBytes(of: table.load(as: UInt32.self) + 1, as: UInt32.self)
        if !reused {
            table.storeBytes(of: table.load(fromByteOffset: 8, as: UInt32.self) + 1, toByteOffset: 8, as: UInt32.self)
        }
        if !counted { space.state.withLock { $0.names.retain(id: key) } }
    }

    /// Moves the live entries into a new table of `capacity`; frees the old block.
    static func rehash(_ cell: _SlotCell, _ dictOffset: Int, _ capacity: Int,
                       space: ObjectSpace) throws -> UnsafeMutableRawPointer
    {
        guard let fresh = slotarena_block_alloc(space.arena, blockBytes(capacity: capacity), 1) else {
            throw MemoryError("out of memory: the arena refused \(blockBytes(capacity: capacity)) bytes for an instance dict")
        }
        fresh.storeBytes(of: UInt32(capacity), toByteOffset: 4, as: UInt32.self)
        if let old = table(cell, dictOffset) {
            let oldCapacity = Int(old.load(fromByteOffset: 4, as: UInt32.self))
            var count: UInt32 = 0
            for j in 0..<oldCapacity {
                let e = headerBytes + j * entryBytes
                let k = old.load(fromByteOffset: e, as: UInt32.self)
                guard k != 0, k != deleted else { continue }
                var i = home(k, capacity)
                while fresh.load(fromByteOffset: headerBytes + i * entryBytes, as: UInt32.self) != 0 {
                    i = (i + 1) & (capacity - 1)
                }
                (fresh + headerBytes + i * entryBytes).copyMemory(from: old + e, byteCount: entryBytes)
                count += 1
            }
            fresh.storeBytes(of: count, as: UInt32.self)
            fresh.storeBytes(of: count, toByteOffset: 8, as: UInt32.self)
            // The new table is in place before the old one is retired: a reader that
            // still holds the old one does so inside a reader section.
            publish(cell, dictOffset, fresh)
            slotarena_block_free(space.arena, old, blockBytes(capacity: oldCapacity))
            return fresh
        }
        publish(cell, dictOffset, fresh)
        return fresh
    }

    /// Removes `key`, and its entry's use of the name; false when it is not there.
    static func delete(_ cell: _SlotCell, _ dictOffset: Int, _ key: UInt32, space: ObjectSpace) -> Bool {
        guard let t = table(cell, dictOffset), let e = find(t, key) else { return false }
        // The entry leaves the table before what its value owns is released.
        t.storeBytes(of: deleted, toByteOffset: e, as: UInt32.self)
        t.storeBytes(of: t.load(as: UInt32.self) - 1, as: UInt32.self)
        let owned = space.clearAny(_SlotCell(t), e + 8)
        space.releaseAnyWords(owned.0, owned.1)
        space.state.withLock { $0.names.release(key) }
        return true
    }

    /// Every (name id, value) pair, in table order.
    static func entries(_ cell: _SlotCell, _ dictOffset: Int, space: ObjectSpace) throws -> [(UInt32, Value)] {
        guard let t = table(cell, dictOffset) else { return [] }
        let capacity = Int(t.load(fromByteOffset: 4, as: UInt32.self))
        var out: [(UInt32, Value)] = []
        for j in 0..<capacity {
            let e = headerBytes + j * entryBytes
            let k = t.load(fromByteOffset: e, as: UInt32.self)
            guard k != 0, k != deleted else { continue }
            out.append((k, try space.loadAny(_SlotCell(t), e + 8)))
        }
        return out
    }

    // MARK: Validated reads (see ConcurrentAccess.swift)

    /// The table of an instance within a validated read: the pointer is read inside the
    /// reader section and checked against the header before it is followed; nil when the
    /// instance has no table yet. Throws ``RetryRead`` when what it read is inconsistent.
    static func peekTable(_ read: inout ValidatedRead, _ dictOffset: Int) throws -> (UnsafeMutableRawPointer, Int)? {
        try read.protectBlocks()
        let w = read.cell.peek64(dictOffset)
        guard w & DictWord.modeMask == DictWord.table, let t = DictWord.pointer(w) else { return nil }
        try read.protectBlocks()
        let capacity = Int(slotarena_peek32(t + 4))
        guard capacity >= minCapacity, capacity & (capacity - 1) == 0, capacity <= 1 << 27 else { throw RetryRead() }
        return (t, capacity)
    }

    /// `get` within a validated read; probes at most `capacity` entries. `names` checks
    /// that `key` still names the name it was looked up as; nil for an id that cannot be
    /// released meanwhile (an attribute site's pinned name).
    static func peekGet(_ read: inout ValidatedRead, _ dictOffset: Int, _ key: UInt32, names: NameCheck?) throws -> Value? {
        guard let (t, capacity) = try peekTable(&read, dictOffset) else { return nil }
        var i = home(key, capacity)
        for _ in 0..<capacity {
            let e = headerBytes + i * entryBytes
            let k = slotarena_peek32(t + e)
            if k == key {
                // The value, the key again, the value's tag word again: a writer that
                // deletes the key and adds another name in this entry stores its value
                // before its key (see ``entryStill(_:_:_:)``).
                #if DEBUG
                _ = _DictReadPause.at(read.cell.base, .beforeValue)
                #endif
                let (value, tag) = try ObjectSpace.peekAnyTagged(t + e + 8, &read)
                #if DEBUG
                _ = _DictReadPause.at(read.cell.base, .beforeRecheck)
                #endif
                guard entryStill(t, e, key), names?.unchanged ?? true, ObjectSpace.samePlace(t + e + 8, tag) else {
                    throw RetryRead()
                }
                return value
            }
            if k == 0 { return nil }
            i = (i + 1) & (capacity - 1)
        }
        return nil
    }

    /// `entries` within a validated read, with the name of each id (`name(id)`, nil when
    /// none has it now: the read starts again).
    static func peekEntries(_ read: inout ValidatedRead, _ dictOffset: Int, space: ObjectSpace) throws -> [(String, Value)] {
        let names = NameCheck(space.nameReleases)
        guard let (t, capacity) = try peekTable(&read, dictOffset) else { return [] }
        var out: [(UInt32, Value)] = [], places: [(entry: Int, tagWord: UInt64)] = []
        for j in 0..<capacity {
            let e = headerBytes + j * entryBytes
            let k = slotarena_peek32(t + e)
            guard k != 0, k != deleted else { continue }
            let (value, tag) = try ObjectSpace.peekAnyTagged(t + e + 8, &read)
            out.append((k, value))
            places.append((e, tag))
        }
        // The keys again, their names, then the tag words again (``peekGet(_:_:_:names:)``).
        for (i, place) in places.enumerated() where !entryStill(t, place.entry, out[i].0) { throw RetryRead() }
        let named = try out.map { id, value in
            guard let name = space.nameIfInterned(id) else { throw RetryRead() }
            return (name, value)
        }
        guard names.unchanged else { throw RetryRead() }
        for place in places where !ObjectSpace.samePlace(t + place.entry + 8, place.tagWord) { throw RetryRead() }
        return named
    }

    /// Whether the entry at byte offset `e` of table `t` still has `key`: a sequentially
    /// consistent load, after the value was read and before its tag word is read again.
    /// An entry's key changes only after its value does (``set(_:_:_:_:space:counted:)``
    /// stores the value, then the key; a delete marks the key, then clears the value), so
    /// a reader that saw the key before the value and sees it again here, with the value's
    /// tag word unchanged after, read that key's value.
    @inline(__always)
    static func entryStill(_ t: UnsafeMutableRawPointer, _ e: Int, _ key: UInt32) -> Bool {
        UInt32(truncatingIfNeeded: slotarena_peek64_sc(t + e)) == key
    }

    /// Frees the table and what its values own, and releases its entries' uses of their names.
    static func release(_ cell: _SlotCell, _ dictOffset: Int, space: ObjectSpace) {
        guard let t = table(cell, dictOffset) else { return }
        let capacity = Int(t.load(fromByteOffset: 4, as: UInt32.self))
        for j in 0..<capacity {
            let e = headerBytes + j * entryBytes
            let k = t.load(fromByteOffset: e, as: UInt32.self)
            if k != 0, k != deleted { space.releaseAny(_SlotCell(t), e + 8) }
        }
        if t.load(as: UInt32.self) != 0 {
            space.state.withLock { s in
                for j in 0..<capacity {
                    let k = t.load(fromByteOffset: headerBytes + j * entryBytes, as: UInt32.self)
                    if k != 0, k != deleted { s.names.release(k) }
                }
            }
        }
        slotarena_block_free(space.arena, t, blockBytes(capacity: capacity))
        publish(cell, dictOffset, nil)
    }
}
