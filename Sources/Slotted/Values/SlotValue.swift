/// A Swift type a typed slot can hold: `Int`, `Double`, `Bool`, `String`, `Int32`, `Float`,
/// `UInt8`, ``Instance`` (a reference) and ``Value`` (an untyped slot).
///
/// The underscored requirements are the offset load and store the typed subscript compiles
/// to; they are not for direct use.
public protocol SlotValue: Sendable {
    /// The slot type that stores this Swift type.
    static var slotType: SlotType { get }
    /// Loads the value at `offset` of a cell.
    static func _load(_ cell: _SlotCell, _ offset: Int) -> Self
    /// Stores the value at the accessor's offset (releasing what the slot held, for strings).
    static func _store(_ value: Self, _ cell: _SlotCell, _ slot: _SlotAccessorHot)
    /// Stores the value into a slot known to be unset (``SlotClass/new(_:)``). A store that
    /// allocates a block marks the slot present in the header at once, so that freeing the
    /// instance through any handle releases the block.
    static func _initialize(_ value: Self, _ cell: _SlotCell, _ slot: _SlotAccessorHot)
}

extension SlotValue {
    @inlinable @inline(__always)
    public static func _initialize(_ value: Self, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        _store(value, cell, slot)
    }
}

extension Int: SlotValue {
    /// `.int`
    public static var slotType: SlotType { .int }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Int { cell.load(offset, as: Int.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Int, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        cell.store(value, slot.offset)
    }
}

extension Double: SlotValue {
    /// `.double`
    public static var slotType: SlotType { .double }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Double { cell.load(offset, as: Double.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Double, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        cell.store(value, slot.offset)
    }
}

extension Bool: SlotValue {
    /// `.bool`
    public static var slotType: SlotType { .bool }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Bool { cell.load(offset, as: UInt8.self) != 0 }
    @inlinable @inline(__always)
    public static func _store(_ value: Bool, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        cell.store(UInt8(value ? 1 : 0), slot.offset)
    }
}

extension Int32: SlotValue {
    /// `.int32`
    public static var slotType: SlotType { .int32 }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Int32 { cell.load(offset, as: Int32.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Int32, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        cell.store(value, slot.offset)
    }
}

extension Float: SlotValue {
    /// `.float`
    public static var slotType: SlotType { .float }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Float { cell.load(offset, as: Float.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Float, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        cell.store(value, slot.offset)
    }
}

extension UInt8: SlotValue {
    /// `.uint8`
    public static var slotType: SlotType { .uint8 }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> UInt8 { cell.load(offset, as: UInt8.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: UInt8, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        cell.store(value, slot.offset)
    }
}

extension String: SlotValue {
    /// `.string`
    public static var slotType: SlotType { .string }
    @inlinable
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> String {
        _decodeStringWord(cell.load(offset, as: UInt64.self))
    }
    @inlinable
    public static func _store(_ value: String, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        if let word = _inlineStringWord(value), !cell.isPresent(slot.presenceOffset, slot.presenceMask) {
            cell.store(word, slot.offset)  // short text into an empty slot: no arena call
        } else {
            _storeString(value, cell, slot)
        }
    }
    @inlinable @inline(__always)
    public static func _initialize(_ value: String, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        if let word = _inlineStringWord(value) {
            cell.store(word, slot.offset)
        } else {
            _initializeString(value, cell, slot)
        }
    }
}

extension Instance: SlotValue {
    /// `.instance`
    public static var slotType: SlotType { .instance }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Instance {
        Instance(raw: cell.load(offset, as: UInt64.self))
    }
    public static func _store(_ value: Instance, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        do { try slot.withSpace { try $0.checkReference(value) } } catch {
            _slottedTrap("storing an instance into a typed slot: \(error)")
        }
        cell.store(value.raw, slot.offset)
    }
}

extension Value: SlotValue {
    /// `.any`: an untyped slot.
    public static var slotType: SlotType { .any }
    /// A reference comes back as its handle, as from a typed `.instance` slot: using the
    /// handle of a freed instance is detected when it is used.
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Value {
        do { return try ObjectSpace.loadAnyUnowned(cell, offset, checkingReferences: false) } catch {
            _slottedTrap("reading an untyped slot: \(error)")
        }
    }
    public static func _store(_ value: Value, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        let present = cell.isPresent(slot.presenceOffset, slot.presenceMask)
        do { try slot.withSpace { try $0.storeAny(value, cell, slot.offset, replacing: present) } } catch {
            _slottedTrap("storing into an untyped slot: \(error)")
        }
    }
    /// The store of ``SlotClass/new(_:)``, which marks the slot present at once: a long
    /// string's block is then released however the instance is freed.
    public static func _initialize(_ value: Value, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
        _store(value, cell, slot)
        cell.markPresent(slot.presenceOffset, slot.presenceMask)
    }
}

extension ObjectSpace {
    /// `loadAny` without a space: decoding needs none.
    @inline(__always)
    static func loadAnyUnowned(_ cell: _SlotCell, _ offset: Int, checkingReferences: Bool = true) throws -> Value {
        let payload = cell.load(offset + 8, as: UInt64.self)
        switch AnyTag(rawValue: cell.load(offset, as: UInt8.self)) {
        case .none?: return .none
        case .int?: return .int(Int(Int64(bitPattern: payload)))
        case .double?: return .double(Double(bitPattern: payload))
        case .bool?: return .bool(payload != 0)
        case .string?: return .string(_decodeStringWord(payload))
        case .instance?:
            let target = Instance(raw: payload)
            guard !checkingReferences || target.isAlive else { throw ReferenceError.freed }
            return .instance(target)
        case nil: _slottedTrap("corrupt untyped slot tag")
        }
    }
}

/// The inline word of a string of at most 7 UTF-8 bytes, or nil (see ValueCodec.swift).
///
/// A string that short is almost always in Swift's small form, whose two words already hold
/// the UTF-8 bytes (first word, zero-padded) and the count (bits 56...59 of the second word,
/// whose top nibble reads 1x10: immortal, small, native). Reading those words directly makes
/// the common store a few instructions; any other form takes the general path. A test checks
/// both paths agree, so a change of the standard library's layout fails it.
@inlinable @inline(__always)
func _inlineStringWord(_ s: String) -> UInt64? {
    if let (low, high) = _smallStringWords(s) { return _inlineWord(smallLow: low, high: high) }
    return _inlineStringWordGeneral(s)
}

/// Whether `high`, the second word of a `String`, is a small form's: its top nibble reads
/// 1x10 (immortal, small, native).
@inlinable @inline(__always)
func _isSmallStringForm(_ high: UInt64) -> Bool { high >> 60 & 0b1011 == 0b1010 }

/// The inline word of a string in Swift's small form, from its two words: the UTF-8 bytes
/// of the first word above the count (bits 56...59 of the second); nil past 7 bytes.
@inlinable @inline(__always)
func _inlineWord(smallLow low: UInt64, high: UInt64) -> UInt64? {
    let count = high >> 56 & 0xF
    return count <= 7 ? low << 8 | count << 1 | 1 : nil
}

/// The inline word of at most 7 UTF-8 bytes in any buffer, or nil for more.
func _inlineWord(utf8: UnsafeBufferPointer<UInt8>) -> UInt64? {
    guard utf8.count <= 7 else { return nil }
    var text: UInt64 = 0
    withUnsafeMutableBytes(of: &text) { $0.copyMemory(from: UnsafeRawBufferPointer(utf8)) }
    return UInt64(littleEndian: text) << 8 | UInt64(utf8.count) << 1 | 1
}

/// The two raw words of a string in Swift's small form (UTF-8 bytes zero-padded in the
/// first, bytes 8...14 and the discriminator byte in the second), or nil for any other
/// form. Two small strings are equal exactly when their words are.
@inlinable @inline(__always)
func _smallStringWords(_ s: String) -> (low: UInt64, high: UInt64)? {
    #if _endian(little) && _pointerBitWidth(_64)
    let (low, high) = unsafeBitCast(s, to: (UInt64, UInt64).self)
    return _isSmallStringForm(high) ? (low, high) : nil
    #else
    return nil
    #endif
}

/// ``_inlineStringWord(_:)`` of the string whose two words are at `words`, when it is in
/// Swift's small form (as ``_smallStringWords(_:)`` tells it); nil for a longer string and
/// for any other form. Reads the words without copying the string, so nothing is retained.
@inline(__always)
func _inlineSmallStringWord(_ words: UnsafeRawPointer) -> UInt64? {
    #if _endian(little) && _pointerBitWidth(_64)
    let low = words.load(as: UInt64.self), high = words.load(fromByteOffset: 8, as: UInt64.self)
    return _isSmallStringForm(high) ? _inlineWord(smallLow: low, high: high) : nil
    #else
    return nil
    #endif
}

/// ``_inlineStringWord(_:)`` for any string, through its contiguous UTF-8.
@usableFromInline
func _inlineStringWordGeneral(_ s: String) -> UInt64? {
    // The count first: a long string (a native one knows its count) needs no copy of `s`.
    guard s.utf8.count <= 7 else { return nil }
    var s = s
    return s.withUTF8 { _inlineWord(utf8: $0) }
}

/// The store of a long string by ``SlotClass/new(_:)``: the slot reads as unset, so there
/// is nothing to release; the slot is marked present at once, so that the block is released
/// however the instance is freed.
@usableFromInline
func _initializeString(_ value: String, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
    _storeString(value, cell, slot)
    cell.markPresent(slot.presenceOffset, slot.presenceMask)
}

/// The general string store: a block for long text, releasing what the slot held.
@usableFromInline
func _storeString(_ value: String, _ cell: _SlotCell, _ slot: _SlotAccessorHot) {
    // Neither the class nor the space is retained (``_SlotAccessorHot/withSpace(_:)``).
    guard let entry = ClassTable.lookupUnmanaged(slot.classID) else { slot.spaceDestroyed(slot: nil) }
    entry._withUnsafeGuaranteedRef { info in
        let interned = !info.internedOffsets.isEmpty && info.internedOffsets.contains(slot.offset)
        info.withSpace { space in
            let word: UInt64
            do { word = try space.encodeString(value, interned: interned) } catch { _slottedTrap("storing a string into a typed slot: \(error)") }
            let present = cell.isPresent(slot.presenceOffset, slot.presenceMask)
            let old = cell.load(slot.offset, as: UInt64.self)
            cell.store(word, slot.offset)
            if present { space.releaseString(old) }
        }
    }
}
