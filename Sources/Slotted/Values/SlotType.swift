/// The type of a slot: what it stores and how many bytes it takes in the instance.
///
/// Python slots are untyped (each cell holds a pointer to any object); Slotted also offers
/// typed slots that store the value itself at a fixed offset, so a typed read is one load.
public enum SlotType: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Any ``Value`` (Python's untyped slot): 16 bytes, a tag and an 8-byte payload.
    case any
    /// A 64-bit integer, stored in 8 bytes.
    case int
    /// A 64-bit float, stored in 8 bytes.
    case double
    /// A boolean, stored in 1 byte.
    case bool
    /// A string, stored in 8 bytes: up to 7 UTF-8 bytes inline, longer text in an arena block.
    case string
    /// A reference to another instance of the same space, stored as its 8-byte handle.
    case instance
    /// A 32-bit integer, stored in 4 bytes.
    case int32
    /// A 32-bit float, stored in 4 bytes: CPython's `struct` format `'f'`.
    ///
    /// A `float` (or an `int`) is stored as the nearest `Float`, so precision is lost as
    /// `struct.pack('f', x)` loses it: 16777217 reads back as 16777216.0, 0.1 as
    /// 0.10000000149011612. A finite value too large for a `Float` is refused with
    /// ``OverflowError`` (`float too large to pack with f format`) instead of becoming
    /// `inf`; `inf`, `-inf` and `nan` themselves are stored.
    case float
    /// An unsigned byte, stored in 1 byte.
    case uint8

    /// Bytes the slot takes in the instance.
    public var size: Int {
        switch self {
        case .any: 16
        case .int, .double, .string, .instance: 8
        case .int32, .float: 4
        case .bool, .uint8: 1
        }
    }

    /// Alignment of the slot's offset.
    public var alignment: Int { self == .any ? 8 : size }

    /// The Python-style name used in messages and layouts (`int`, `float`, `str`, `object`…).
    public var description: String {
        switch self {
        case .any: "object"
        case .int: "int"
        case .double: "float"
        case .bool: "bool"
        case .string: "str"
        case .instance: "instance"
        case .int32: "int32"
        case .float: "float32"
        case .uint8: "uint8"
        }
    }

    /// Whether a value of this Python type may be stored: an exact type match, an `int` into
    /// a `.double` slot (converted exactly when representable), an `int` within range into a
    /// `.int32` or `.uint8` slot, or an `int` or a `float` into a `.float` slot, as Python's
    /// typed containers (`array`, `struct`) accept. A `.float` slot rounds to the nearest
    /// `Float` and refuses a finite value too large for one when it stores it.
    func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _): true
        case (.int, .int), (.double, .double), (.bool, .bool), (.string, .string), (.instance, .instance): true
        case (.double, .int), (.float, .int), (.float, .double): true
        case (.int32, .int(let v)): Int32(exactly: v) != nil
        case (.uint8, .int(let v)): UInt8(exactly: v) != nil
        default: false
        }
    }
}
