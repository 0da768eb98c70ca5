//===----------------------------------------------------------------------===//
//
// FieldValues.swift: the Swift types a `@SlotClass` field stores directly.
//
// `_SlotFieldValue` adds to `SlotValue` a store that knows the slot only by
// its compile-time offset, not through a `SlotAccessor`. A store that needs
// the space (a string's block, a reference's check) finds it from the class
// id in the cell's header.
//
//===----------------------------------------------------------------------===//

/// A Swift type a `@SlotClass` field stores directly: the ``SlotValue`` types, with a store
/// that knows the slot only by its compile-time layout.
public protocol _SlotFieldValue: SlotValue {
    /// Stores `value` at `offset`, releasing what the slot held when `replacing` (it was set).
    static func _slottedStore(_ value: Self, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws
}

extension Int: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Int, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension Double: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Double, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension Bool: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Bool, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(UInt8(value ? 1 : 0), offset)
    }
}

extension Int32: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Int32, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension Float: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Float, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension UInt8: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: UInt8, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension String: _SlotFieldValue {
    @inlinable
    public static func _slottedStore(_ value: String, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        if !replacing, let word = _inlineStringWord(value) {
            cell.store(word, offset)  // short text into an empty slot: no arena call, no space
        } else {
            try _slottedStoreString(value, cell, offset, replacing: replacing)
        }
    }

    @usableFromInline
    static func _slottedStoreString(_ value: String, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        let space = ObjectSpace.owning(cell)
        let word = try space.encodeString(value)
        if replacing { space.releaseString(cell.load(offset, as: UInt64.self)) }
        cell.store(word, offset)
    }
}

extension Instance: _SlotFieldValue {
    public static func _slottedStore(_ value: Instance, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        try ObjectSpace.owning(cell).checkReference(value)
        cell.store(value.raw, offset)
    }
}

extension Value: _SlotFieldValue {
    public static func _slottedStore(_ value: Value, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        try ObjectSpace.owning(cell).storeAny(value, cell, offset, replacing: replacing)
    }
}

extension ObjectSpace {
    /// The space of the live instance whose cell this is.
    static func owning(_ cell: _SlotCell) -> ObjectSpace {
        guard let info = ClassTable.lookup(HeaderBits.classID(cell.header)) else { Instance.spaceDestroyed() }
        return info.space
    }
}
