//===----------------------------------------------------------------------===//
//
// Conformances.swift: what the other members `@SlotClass` generates call:
// `copy()` and `replacing(...)`, equality, the dataclass-style `description`,
// and `Codable`.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

extension Instance {
    /// The space of the instance; traps on a stale handle.
    public var _slottedSpace: ObjectSpace { resolveOrTrap("space").0.space }

    /// `copy.copy`: a new instance of the same class with the same slot values (references
    /// are copied as handles, strings get their own blocks) and a copy of the dictionary.
    ///
    /// - Throws: ``MemoryError`` (nothing is left allocated), ``ReferenceError``.
    public func _slottedCopy() throws -> Instance {
        let (info, cell) = try resolve()
        let space = info.space
        guard let fresh = slotarena_cell_alloc(info.pool, UInt64(info.id) << HeaderBits.classShift) else {
            throw MemoryError("out of memory: the arena refused a \(info.cellSize)-byte instance of '\(info.name)'")
        }
        let copy = Instance(cell: fresh)
        let target = copy._cell
        do {
            for (i, slot) in info.hot.enumerated() where cell.isPresent(slot.presenceOffset, slot.presenceMask) {
                try space.storeSlot(info, i, try ObjectSpace.loadSlot(slot, cell), target)
            }
            if info.dictOffset >= 0 {
                for (name, value) in try ShapedDict.entries(info, cell) {
                    try Instance.setInDict(info, target, name, value)
                }
            }
        } catch {
            space.free(copy)
            throw error
        }
        return copy
    }
}

/// Whether two instances are of the same class, or of classes one `@SlotClass` type
/// registered in two spaces (same name and slots): dataclass equality compares only objects
/// of one class.
public func _slottedSameClass(_ a: Instance, _ b: Instance) -> Bool {
    let ha = a._cell.header & Instance._classMask, hb = b._cell.header & Instance._classMask
    if ha == hb { return true }
    guard let ia = a.resolveIfAlive()?.0, let ib = b.resolveIfAlive()?.0 else { return false }
    return ia.name.hasSameCodePoints(as: ib.name) && ia.slots.count == ib.slots.count
        && zip(ia.slots, ib.slots).allSatisfy { $0.name.hasSameCodePoints(as: $1.name) }
        && ia.slots.map(\.type) == ib.slots.map(\.type)
}

/// Python's `repr()` of a field value, as a dataclass repr prints it.
public func _slottedRepr(_ v: Int) -> String { String(v) }
public func _slottedRepr(_ v: Int32) -> String { String(v) }
public func _slottedRepr(_ v: UInt8) -> String { String(v) }
public func _slottedRepr(_ v: Double) -> String { pythonFloatRepr(v) }
public func _slottedRepr(_ v: Float) -> String { v.isFinite ? v.description : pythonFloatRepr(Double(v)) }
public func _slottedRepr(_ v: Bool) -> String { v ? "True" : "False" }
public func _slottedRepr(_ v: String) -> String { pythonStringRepr(v) }
public func _slottedRepr(_ v: Value) -> String { v.description }
public func _slottedRepr(_ v: Instance) -> String { v.shortDescription }
public func _slottedRepr<V: SlotClassView>(_ v: V) -> String { String(describing: v) }
public func _slottedRepr(_ v: Int?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Int32?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: UInt8?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Double?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Float?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Bool?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: String?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Value?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Instance?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr<V: SlotClassView>(_ v: V?) -> String { v.map { String(describing: $0) } ?? "None" }

/// The space a `@SlotClass` type decodes into: `decoder.userInfo[.slottedSpace]`.
public func _slottedDecodingSpace(_ decoder: any Decoder, _ typeName: String) throws -> ObjectSpace {
    guard let space = decoder.userInfo[.slottedSpace] as? ObjectSpace else {
        throw DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: decoder.codingPath,
            debugDescription: "decoding \(typeName) needs the ObjectSpace to construct it in: set decoder.userInfo[.slottedSpace]"))
    }
    return space
}

/// An untyped ``Value`` field's coded form: `null`, a number, a boolean or a string, as
/// JSON has them. A reference to an instance cannot be encoded.
public struct _SlottedCodedValue: Codable, Sendable {
    public let value: Value

    public init(_ value: Value) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = .none }
        else if let v = try? c.decode(Bool.self) { value = .bool(v) }
        else if let v = try? c.decode(Int.self) { value = .int(v) }
        else if let v = try? c.decode(Double.self) { value = .double(v) }
        else if let v = try? c.decode(String.self) { value = .string(v) }
        else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected null, a number, a boolean or a string")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .none: try c.encodeNil()
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .instance:
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: encoder.codingPath,
                debugDescription: "an untyped field holding an instance reference cannot be encoded"))
        }
    }
}
