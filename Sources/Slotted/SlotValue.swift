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
    static func _store(_ value: Self, _ cell: _SlotCell, _ accessor: SlotAccessor<Self>)
}

extension Int: SlotValue {
    /// `.int`
    public static var slotType: SlotType { .int }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Int { cell.load(offset, as: Int.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Int, _ cell: _SlotCell, _ accessor: SlotAccessor<Int>) {
        cell.store(value, accessor.offset)
    }
}

extension Double: SlotValue {
    /// `.double`
    public static var slotType: SlotType { .double }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Double { cell.load(offset, as: Double.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Double, _ cell: _SlotCell, _ accessor: SlotAccessor<Double>) {
        cell.store(value, accessor.offset)
    }
}

extension Bool: SlotValue {
    /// `.bool`
    public static var slotType: SlotType { .bool }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Bool { cell.load(offset, as: UInt8.self) != 0 }
    @inlinable @inline(__always)
    public static func _store(_ value: Bool, _ cell: _SlotCell, _ accessor: SlotAccessor<Bool>) {
        cell.store(UInt8(value ? 1 : 0), accessor.offset)
    }
}

extension Int32: SlotValue {
    /// `.int32`
    public static var slotType: SlotType { .int32 }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Int32 { cell.load(offset, as: Int32.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Int32, _ cell: _SlotCell, _ accessor: SlotAccessor<Int32>) {
        cell.store(value, accessor.offset)
    }
}

extension Float: SlotValue {
    /// `.float`
    public static var slotType: SlotType { .float }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Float { cell.load(offset, as: Float.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: Float, _ cell: _SlotCell, _ accessor: SlotAccessor<Float>) {
        cell.store(value, accessor.offset)
    }
}

extension UInt8: SlotValue {
    /// `.uint8`
    public static var slotType: SlotType { .uint8 }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> UInt8 { cell.load(offset, as: UInt8.self) }
    @inlinable @inline(__always)
    public static func _store(_ value: UInt8, _ cell: _SlotCell, _ accessor: SlotAccessor<UInt8>) {
        cell.store(value, accessor.offset)
    }
}

extension String: SlotValue {
    /// `.string`
    public static var slotType: SlotType { .string }
    @inlinable
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> String {
        _decodeStringWord(cell.load(offset, as: UInt64.self))
    }
    public static func _store(_ value: String, _ cell: _SlotCell, _ accessor: SlotAccessor<String>) {
        let space = accessor.owner.space
        let word: UInt64
        do { word = try space.encodeString(value) } catch { preconditionFailure("Slotted: \(error)") }
        if cell.isPresent(accessor.presenceOffset, accessor.presenceMask) {
            space.releaseString(cell.load(accessor.offset, as: UInt64.self))
        }
        cell.store(word, accessor.offset)
    }
}

extension Instance: SlotValue {
    /// `.instance`
    public static var slotType: SlotType { .instance }
    @inlinable @inline(__always)
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Instance {
        Instance(raw: cell.load(offset, as: UInt64.self))
    }
    public static func _store(_ value: Instance, _ cell: _SlotCell, _ accessor: SlotAccessor<Instance>) {
        do { try accessor.owner.space.checkReference(value) } catch {
            preconditionFailure("Slotted: storing an instance into slot '\(accessor.name)': \(error)")
        }
        cell.store(value.raw, accessor.offset)
    }
}

extension Value: SlotValue {
    /// `.any`: an untyped slot.
    public static var slotType: SlotType { .any }
    public static func _load(_ cell: _SlotCell, _ offset: Int) -> Value {
        do { return try ObjectSpace.loadAnyUnowned(cell, offset) } catch {
            preconditionFailure("Slotted: reading an untyped slot: \(error)")
        }
    }
    public static func _store(_ value: Value, _ cell: _SlotCell, _ accessor: SlotAccessor<Value>) {
        let present = cell.isPresent(accessor.presenceOffset, accessor.presenceMask)
        do { try accessor.owner.space.storeAny(value, cell, accessor.offset, replacing: present) } catch {
            preconditionFailure("Slotted: storing into slot '\(accessor.name)': \(error)")
        }
    }
}

extension ObjectSpace {
    /// `loadAny` without a space: decoding needs none.
    static func loadAnyUnowned(_ cell: _SlotCell, _ offset: Int) throws -> Value {
        let payload = cell.load(offset + 8, as: UInt64.self)
        switch AnyTag(rawValue: cell.load(offset, as: UInt8.self)) {
        case .none?: return .none
        case .int?: return .int(Int(Int64(bitPattern: payload)))
        case .double?: return .double(Double(bitPattern: payload))
        case .bool?: return .bool(payload != 0)
        case .string?: return .string(_decodeStringWord(payload))
        case .instance?:
            let target = Instance(raw: payload)
            guard target.isAlive else { throw ReferenceError.freed }
            return .instance(target)
        case nil: preconditionFailure("Slotted: corrupt untyped slot tag")
        }
    }
}
