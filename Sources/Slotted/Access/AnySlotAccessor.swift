//===----------------------------------------------------------------------===//
//
// AnySlotAccessor.swift: a slot resolved once, of any type, read and written
// as a `Value`: for hosts whose schema says which slots exist but not, at
// compile time, their Swift types.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

/// A slot of any type (typed or untyped), resolved once on a class, that reads and writes
/// its value as a ``Value`` with no name lookup: Python's member descriptor (`C.x`), whose
/// `__get__` and `__set__` a schema-driven host calls for each field.
///
/// Where ``SlotAccessor`` is generic over the slot's Swift type and traps on misuse, as a
/// Swift property would, this accessor is one type for every slot and throws, as
/// ``Instance/get(_:)`` and ``Instance/set(_:_:)`` do: ``AttributeError`` for an unset slot
/// or a read-only one, ``TypeError`` for a value the slot refuses or an instance of an
/// unrelated class (CPython's `descriptor 'x' for 'C' objects doesn't apply to a 'D'
/// object`), ``ReferenceError`` for a stale handle. Reads are validated reads, safe against
/// a concurrent `free` as by-name reads are; writes hold the instance's writer bit.
///
/// The accessor is plain bytes and does not keep its space alive; used after its space was
/// destroyed, it traps as ``SlotAccessor`` does.
public struct AnySlotAccessor: Sendable, BitwiseCopyable {
    let hot: _SlotAccessorHot
    let slotIndex: Int
    /// The slot's type: ``SlotType/any`` for a Python-style untyped slot, which accepts any
    /// ``Value``.
    public let type: SlotType
    let isReadOnly: Bool

    init(owner: ClassInfo, slot: SlotInfo) {
        let classBits = UInt64(owner.id) << HeaderBits.classShift
        let mask = HeaderBits.genMask | HeaderBits.classMask
        hot = _SlotAccessorHot(classID: owner.id, offset: slot.offset, readMask: mask, readExpected: classBits,
                               writeMask: mask, writeExpected: classBits,
                               presenceOffset: slot.presenceOffset, presenceMask: slot.presenceMask)
        slotIndex = slot.index
        type = slot.type
        isReadOnly = owner.frozenSlots.contains(AttributeName(slot.name))
    }

    /// The class the accessor was resolved on (the descriptor's `__objclass__`). Traps if
    /// its space was destroyed.
    public var owner: SlotClass {
        let info = hot.classInfo
        return SlotClass(info: info, space: info.space)
    }

    /// The slot's name (the descriptor's `__name__`). Traps if its space was destroyed.
    public var name: String { hot.classInfo.slots[slotIndex].name }

    /// Byte offset of the value in the instance (CPython's `PyMemberDef.offset`).
    public var offset: Int { hot.offset }

    /// Reads the slot, as `C.x.__get__(p)`.
    ///
    /// - Throws: ``AttributeError`` for an unset slot (`'C' object has no attribute 'x'`),
    ///   ``TypeError`` for an instance of a class that does not have the slot,
    ///   ``ReferenceError`` for a stale handle or a slot that refers to a freed instance.
    public func get(_ instance: Instance) throws -> Value {
        if let value = fastRead(instance) { return value }
        return try read(instance, throwing: true)!
    }

    /// Reads the slot, or returns nil when it is unset (`getattr(p, 'x', None)` through the
    /// descriptor). Throws as ``get(_:)`` does otherwise.
    public func getIfPresent(_ instance: Instance) throws -> Value? {
        if let value = fastRead(instance) { return value }
        return try read(instance, throwing: false)
    }

    /// Writes the slot, as `C.x.__set__(p, value)`.
    ///
    /// - Throws: ``TypeError`` for a value the slot's type refuses (the message of
    ///   ``Instance/set(_:_:)``) or an instance of a class that does not have the slot,
    ///   ``AttributeError`` for a read-only slot, ``OverflowError``, ``MemoryError``,
    ///   ``ReferenceError`` for a stale handle. The instance is unchanged when it throws.
    public func set(_ instance: Instance, _ value: Value) throws {
        try instance.withWriteLock { info, cell, header in
            try check(info)
            if isReadOnly { throw AttributeError.readOnly(info.name, info.slots[slotIndex].name) }
            try info.withSpace { try $0.storeSlot(info, slotIndex, value, cell, header: &header) }
        }
    }

    /// Unsets the slot, as `C.x.__delete__(p)` (`del p.x` through the descriptor), releasing
    /// what it held: what a loader calls for a missing field, with no name lookup.
    ///
    /// - Throws: ``AttributeError`` for a slot that is not set (the bare name, `x`, as
    ///   CPython's member descriptor raises it) or a read-only one, ``TypeError`` for an
    ///   instance of a class that does not have the slot, ``ReferenceError`` for a stale
    ///   handle. The instance is unchanged when it throws.
    public func delete(_ instance: Instance) throws {
        try instance.withWriteLock { info, cell, header in
            try check(info)
            let name = info.slots[slotIndex].name
            if isReadOnly { throw AttributeError.readOnly(info.name, name) }
            try info.space.deleteSlot(info.hot[slotIndex], named: name, cell, header: &header)
        }
    }

    /// A number or a boolean in a set slot (or None in an untyped one) of an instance of
    /// the accessor's own class: one validated load. Nil for anything else.
    @inline(__always)
    private func fastRead(_ instance: Instance) -> Value? {
        let cell = instance._cell
        let h = cell.peekHeader
        guard h & (hot.readMask | HeaderBits.busy) == instance._generationBits | hot.readExpected else { return nil }
        let present = hot.headerBit != 0
            ? h & hot.headerBit != 0
            : cell.peek8(hot.presenceOffset) & hot.presenceMask != 0
        guard present else { return nil }
        let o = hot.offset
        let value: Value
        switch type {
        case .int: value = .int(Int(Int64(bitPattern: cell.peek64(o))))
        case .double: value = .double(Double(bitPattern: cell.peek64(o)))
        case .bool: value = .bool(cell.peek8(o) != 0)
        case .int32: value = .int(Int(Int32(bitPattern: cell.peek32(o))))
        case .float: value = .double(Double(Float(bitPattern: cell.peek32(o))))
        case .uint8: value = .int(Int(cell.peek8(o)))
        case .any:
            guard let v = cell.peekSimpleAny(o) else { return nil }
            value = v
        case .string, .instance: return nil
        }
        guard slotarena_peek64_sc(cell.base) == h else { return nil }
        return value
    }

    @inline(never)
    private func read(_ instance: Instance, throwing: Bool) throws -> Value? {
        try instance.withValidatedRead { info, read in
            try check(info)
            let slot = info.hot[slotIndex]
            if read.isPresent(slot) { return try ObjectSpace.peekSlot(slot, &read) }
            if throwing { throw AttributeError.missing(info.name, info.slots[slotIndex].name) }
            return Optional<Value>.none
        }
    }

    /// Throws the descriptor's `TypeError` unless `info` is the accessor's class or a subclass.
    private func check(_ info: ClassInfo) throws {
        guard info.ancestorIDs.contains(hot.classID) else {
            let owner = hot.classInfo
            throw TypeError(
                "descriptor '\(owner.slots[slotIndex].name)' for '\(owner.name)' objects doesn't apply to a '\(info.name)' object")
        }
    }
}

extension SlotClass {
    /// An accessor for a slot of any type, resolved once, that reads and writes it as a
    /// ``Value`` (Python's member descriptor `C.x`, found once).
    ///
    /// - Throws: ``AttributeError`` when the class has no such slot (`type object 'C' has no
    ///   attribute 'z'`), as ``slot(_:as:)`` does.
    public func anySlot(_ name: String) throws -> AnySlotAccessor {
        guard case .slot(let i)? = info.member(name) else {
            throw AttributeError("type object '\(info.name)' has no attribute '\(name)'")
        }
        return AnySlotAccessor(owner: info, slot: info.slots[i])
    }
}
