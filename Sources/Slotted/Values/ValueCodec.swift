internal import CSlotArena

// How values are stored in the arena.
//
// String word (8 bytes, in a `.string` slot and in an untyped payload):
//   up to 7 UTF-8 bytes inline: byte 0 = count << 1 | 1, bytes 1...7 = the text;
//   longer text: the address of an arena text block `[count: Int][UTF-8 bytes]` (low bit 0),
//   with bit 1 set when the block is interned (shared through the space's StringTable).
// Untyped value (16 bytes): the tag word at +0 (the tag in byte 0, a store sequence in
//   bytes 1...7: odd while a store is writing, see `storeAny`), the payload at +8.

@usableFromInline
enum AnyTag: UInt8 {
    // int and double differ only in the low bit: a fast path tests `tag | 1 == double`.
    case none = 1, int, double, bool, string, instance
}

/// The tag word of an untyped value.
@usableFromInline
enum AnyWord {
    /// The sequence's lowest bit: set while a store writes the value.
    @inlinable static var writing: UInt64 { 0x100 }
    static let tagMask: UInt64 = 0xFF
}

/// Decodes a string word (inline or block).
///
/// Inline text becomes a String in Swift's small form directly: the UTF-8 bytes in the
/// first word, the count and the flags (immortal, small, ASCII when no byte has its top
/// bit set) in the top byte of the second; the mirror of `_inlineStringWord`. The bytes
/// were valid UTF-8 when stored, which the small form requires. A test round-trips strings
/// of every origin through both directions.
@inlinable @inline(__always)
func _decodeStringWord(_ word: UInt64) -> String {
    #if _endian(little) && _pointerBitWidth(_64)
    if word & 1 == 1 {
        let count = (word & 0xFF) >> 1
        let bytes = word >> 8
        let flags: UInt64 = bytes & 0x8080_8080_8080_8080 == 0 ? 0xE0 : 0xA0
        return unsafeBitCast((bytes, (flags | count) << 56), to: String.self)
    }
    #endif
    return _decodeStringWordGeneral(word)
}

/// ``_decodeStringWord(_:)`` by copying the bytes: block text, and inline text where the
/// small form is not known.
@usableFromInline @inline(never)
func _decodeStringWordGeneral(_ word: UInt64) -> String {
    if word & 1 == 1 {
        let count = Int((word & 0xFF) >> 1)
        return withUnsafeBytes(of: word) { bytes in
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[1..<(1 + count)]), as: UTF8.self)
        }
    }
    let block = UnsafeRawPointer(bitPattern: UInt(word & ~7))!
    let count = block.load(as: Int.self)
    return String(decoding: UnsafeRawBufferPointer(start: block + 8, count: count), as: UTF8.self)
}

extension ObjectSpace {
    /// Encodes a string as a word, allocating a text block for text longer than 7 bytes: its
    /// UTF-8 bytes after an 8-byte count, rounded up to 8. With `interned`, the block is the
    /// space's shared one for that text (``StringTable``).
    func encodeString(_ string: String, interned: Bool = false) throws -> UInt64 {
        if let (low, high) = _smallStringWords(string), let word = _inlineWord(smallLow: low, high: high) {
            return word
        }
        // A native string lends its UTF-8 without a copy of `string`.
        if let word = try string.utf8.withContiguousStorageIfAvailable({ try encodeUTF8($0, interned: interned) }) {
            return word
        }
        var s = string
        return try s.withUTF8 { try encodeUTF8($0, interned: interned) }
    }

    /// ``encodeString(_:interned:)`` for contiguous UTF-8.
    private func encodeUTF8(_ utf8: UnsafeBufferPointer<UInt8>, interned: Bool) throws -> UInt64 {
        // Short text in another form than Swift's small one: inline all the same.
        if let word = _inlineWord(utf8: utf8) { return word }
        if interned {
            return try strings.withLock { try $0.intern(UnsafeRawBufferPointer(utf8), arena: arena) }
        }
        guard let block = slotarena_text_alloc(arena, 8 + utf8.count) else {
            throw MemoryError("out of memory: the arena refused \(8 + utf8.count) bytes for a string")
        }
        block.storeBytes(of: utf8.count, as: Int.self)
        (block + 8).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
        return UInt64(UInt(bitPattern: block))
    }

    /// Frees the block of a long string word (an interned one loses a user); inline words
    /// own nothing.
    func releaseString(_ word: UInt64) {
        guard word & 1 == 0, word != 0 else { return }
        if word & StringTable.internedBit != 0 {
            strings.withLock { $0.release(word, arena: arena) }
            return
        }
        let block = UnsafeMutableRawPointer(bitPattern: UInt(word))!
        slotarena_text_free(arena, block, 8 + block.load(as: Int.self))
    }

    /// Frees what an untyped value at `offset` owns.
    func releaseAny(_ cell: _SlotCell, _ offset: Int) {
        if cell.load(offset, as: UInt8.self) == AnyTag.string.rawValue {
            releaseString(cell.load(offset + 8, as: UInt64.self))
        }
    }

    /// Checks that an instance stored into this space is alive and belongs here.
    func checkReference(_ target: Instance) throws {
        let info = try target.resolve().0
        guard info.space === self else {
            throw ValueError("an instance of another ObjectSpace cannot be stored here",
                             culprit: Value.instance(target).description)
        }
    }

    /// Stores an untyped value; the old value at `offset` (if `replacing`) is released
    /// only after the new one is encoded and stored, so a failed store changes nothing and
    /// a reader never meets a released block.
    ///
    /// The tag word's sequence makes the 16 bytes one unit for readers that race with the
    /// store (a seqlock): odd while the payload is written, even again with the new tag.
    func storeAny(_ value: Value, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        let tag: AnyTag
        let payload: UInt64
        switch value {
        case .none: (tag, payload) = (.none, 0)
        case .int(let v): (tag, payload) = (.int, UInt64(bitPattern: Int64(v)))
        case .double(let v): (tag, payload) = (.double, v.bitPattern)
        case .bool(let v): (tag, payload) = (.bool, v ? 1 : 0)
        case .string(let s): (tag, payload) = (.string, try encodeString(s))
        case .instance(let i):
            try checkReference(i)
            (tag, payload) = (.instance, i.raw)
        }
        let old = cell.load(offset, as: UInt64.self)
        let oldPayload = cell.load(offset + 8, as: UInt64.self)
        // A new value of a shaped dictionary may start over a raw value's bytes: a sequence
        // never keeps the writing bit at rest, whatever those bytes were.
        let sequence = old & ~(AnyWord.tagMask | AnyWord.writing)
        slotarena_store_seq_begin(cell.base + offset, (sequence &+ AnyWord.writing) | (old & AnyWord.tagMask))
        cell.store(payload, offset + 8)
        slotarena_store_release64(cell.base + offset, (sequence &+ 2 &* AnyWord.writing) | UInt64(tag.rawValue))
        if replacing, UInt8(truncatingIfNeeded: old) == AnyTag.string.rawValue { releaseString(oldPayload) }
    }

    /// Marks an untyped value unset (tag 0) without restarting its sequence, and returns
    /// the old tag word and payload for the caller to release.
    func clearAny(_ cell: _SlotCell, _ offset: Int) -> (UInt64, UInt64) {
        let old = cell.load(offset, as: UInt64.self)
        let oldPayload = cell.load(offset + 8, as: UInt64.self)
        let sequence = old & ~AnyWord.tagMask
        slotarena_store_seq_begin(cell.base + offset, (sequence &+ AnyWord.writing) | (old & AnyWord.tagMask))
        cell.store(UInt64(0), offset + 8)
        slotarena_store_release64(cell.base + offset, sequence &+ 2 &* AnyWord.writing)
        return (old, oldPayload)
    }

    /// Releases what an untyped value that is no longer reachable owned.
    func releaseAnyWords(_ tagWord: UInt64, _ payload: UInt64) {
        if UInt8(truncatingIfNeeded: tagWord) == AnyTag.string.rawValue { releaseString(payload) }
    }

    /// Reads an untyped value. A reference to a freed instance throws.
    func loadAny(_ cell: _SlotCell, _ offset: Int) throws -> Value {
        try Self.loadAnyUnowned(cell, offset)
    }

    /// Reads a set slot as a ``Value``.
    @inline(__always)
    static func loadSlot(_ slot: SlotHot, _ cell: _SlotCell) throws -> Value {
        let o = slot.offset
        switch slot.type {
        case .any: return try loadAnyUnowned(cell, o)
        case .int: return .int(cell.load(o, as: Int.self))
        case .double: return .double(cell.load(o, as: Double.self))
        case .bool: return .bool(cell.load(o, as: UInt8.self) != 0)
        case .string: return .string(_decodeStringWord(cell.load(o, as: UInt64.self)))
        case .int32: return .int(Int(cell.load(o, as: Int32.self)))
        case .float: return .double(Double(cell.load(o, as: Float.self)))
        case .uint8: return .int(Int(cell.load(o, as: UInt8.self)))
        case .instance:
            let target = Instance(raw: cell.load(o, as: UInt64.self))
            guard target.isAlive else { throw ReferenceError.freed }
            return .instance(target)
        }
    }

    /// Type-checks and stores a value into a slot, then marks it present. Throws
    /// ``TypeError`` (wrong type), ``OverflowError`` (a finite float too large for a `.float`
    /// slot) or ``MemoryError`` and leaves the slot as it was.
    ///
    /// For a cell whose writer bit the caller holds: presence bits of the first 16 slots go
    /// into `header`, which the caller publishes.
    func storeSlot(_ info: ClassInfo, _ index: Int, _ value: Value, _ cell: _SlotCell, header: inout UInt64) throws {
        let slot = info.hot[index]
        guard slot.type.accepts(value) else {
            throw TypeError("slot '\(info.slots[index].name)' of '\(info.name)' objects holds \(slot.type), not '\(value.typeName)'",
                            culprit: value.description)
        }
        let present = cell.isPresent(slot.presenceOffset, slot.presenceMask, header: header)
        let o = slot.offset
        switch (slot.type, value) {
        case (.any, _): try storeAny(value, cell, o, replacing: present)
        case (.int, .int(let v)): cell.store(v, o)
        case (.double, .double(let v)): cell.store(v, o)
        case (.double, .int(let v)): cell.store(Double(v), o)
        case (.bool, .bool(let v)): cell.store(UInt8(v ? 1 : 0), o)
        case (.string, .string(let s)):
            let word = try encodeString(s, interned: slot.interned)
            let old = cell.load(o, as: UInt64.self)
            cell.store(word, o)
            if present { releaseString(old) }
        case (.instance, .instance(let i)):
            try checkReference(i)
            cell.store(i.raw, o)
        case (.int32, .int(let v)): cell.store(Int32(v), o)
        case (.float, .double(let v)):
            let f = Float(v)
            if f.isInfinite, v.isFinite { throw OverflowError.floatTooLarge(v) }
            cell.store(f, o)
        case (.float, .int(let v)): cell.store(Float(v), o)
        case (.uint8, .int(let v)): cell.store(UInt8(v), o)
        default: _slottedTrap("SlotType.accepts and storeSlot disagree")
        }
        cell.markPresent(slot.presenceOffset, slot.presenceMask, header: &header)
    }

    /// `storeSlot` into an instance no other thread can reach (a copy under construction):
    /// the header is updated in place.
    func storeSlot(_ info: ClassInfo, _ index: Int, _ value: Value, _ cell: _SlotCell) throws {
        var header = cell.header
        try storeSlot(info, index, value, cell, header: &header)
        if header != cell.header { cell.store(header, 0) }
    }

    /// Unsets a slot (Python's `del c.x`), releasing what it owned; for a writer holding the
    /// writer bit, whose header copy is `header`. The value is gone from the cell before what
    /// it owned is released.
    func clearSlot(_ slot: SlotHot, _ cell: _SlotCell, header: inout UInt64) {
        let owned = unsetValue(slot, cell)
        cell.clearPresent(slot.presenceOffset, slot.presenceMask, header: &header)
        releaseAnyWords(owned.0, owned.1)
    }

    /// `del c.x` of a slot once it may be written: throws the bare name (`AttributeError: x`,
    /// as CPython) when the slot is not set, else unsets it as ``clearSlot(_:_:header:)``.
    func deleteSlot(_ slot: SlotHot, named name: String, _ cell: _SlotCell, header: inout UInt64) throws {
        guard cell.isPresent(slot.presenceOffset, slot.presenceMask, header: header) else {
            throw AttributeError(name)
        }
        clearSlot(slot, cell, header: &header)
    }

    /// Unsets a slot through the typed path (`@SlotClass` optional fields set to nil).
    func clearSlot(_ slot: SlotHot, _ cell: _SlotCell) {
        let owned = unsetValue(slot, cell)
        cell.clearPresent(slot.presenceOffset, slot.presenceMask)
        releaseAnyWords(owned.0, owned.1)
    }

    /// Zeroes a slot's value (an untyped one keeps its sequence) and returns what it owned,
    /// as a tag word and payload for ``releaseAnyWords(_:_:)``.
    private func unsetValue(_ slot: SlotHot, _ cell: _SlotCell) -> (UInt64, UInt64) {
        switch slot.type {
        case .any:
            return clearAny(cell, slot.offset)
        case .string:
            let word = cell.load(slot.offset, as: UInt64.self)
            cell.store(UInt64(0), slot.offset)
            return (UInt64(AnyTag.string.rawValue), word)
        default:
            // Zero the bytes so a later typed store starts clean.
            for i in 0..<slot.type.size { cell.store(UInt8(0), slot.offset + i) }
            return (0, 0)
        }
    }
}
