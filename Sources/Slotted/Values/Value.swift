/// A value stored in a slot or an instance dictionary.
///
/// The Python objects Slotted can hold: `None`, `int`, `float`, `bool`, `str` and references
/// to other instances. `.none` is a real value, distinct from an unset slot (Python's NULL
/// cell), exactly as `c.x = None` differs from never assigning `c.x`.
public enum Value: Hashable, Sendable {
    /// Python's `None`.
    case none
    /// Python's `int` (64-bit here).
    case int(Int)
    /// Python's `float`.
    case double(Double)
    /// Python's `bool`.
    case bool(Bool)
    /// Python's `str`.
    case string(String)
    /// A reference to another instance of the same object space.
    case instance(Instance)

    /// The Python type name of the value (`NoneType`, `int`, `float`, `bool`, `str`, or the
    /// class name of an instance), as CPython's messages spell it.
    public var typeName: String {
        switch self {
        case .none: "NoneType"
        case .int: "int"
        case .double: "float"
        case .bool: "bool"
        case .string: "str"
        case .instance(let i): i.className ?? "instance"
        }
    }
}

extension Value: CustomStringConvertible {
    /// Python's `repr()` of the value: `None`, `1`, `1.5`, `True`, `'click'`; an instance
    /// prints as `<EventSlots object at 0x…>`.
    public var description: String {
        switch self {
        case .none: "None"
        case .int(let v): String(v)
        case .double(let v): pythonFloatRepr(v)
        case .bool(let v): v ? "True" : "False"
        case .string(let s): pythonStringRepr(s)
        case .instance(let i): i.shortDescription
        }
    }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByNilLiteral
{
    /// `.int(value)`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `.double(value)`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `.bool(value)`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `.string(value)`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `.none`, Python's `None`.
    public init(nilLiteral: ()) { self = .none }
}

/// Python's float repr: the shortest round-tripping digits, positional below 1e16 and from
/// 1e-4 up (Swift's `description` switches to exponents at 2^53 already).
func pythonFloatRepr(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v.magnitude >= 0x1p53 && v.magnitude < 1e16 {
        return String(Int64(v)) + ".0"  // every double this large is an integer
    }
    return v.description
}

/// Python's str repr: single quotes unless the text holds a single quote and no double one.
func pythonStringRepr(_ s: String) -> String {
    let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for ch in s.unicodeScalars {
        switch ch {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if Character(ch) == quote { out += "\\\(quote)" }
            else if ch.value < 0x20 || ch.value == 0x7F { out += "\\x" + hex2(ch.value) }
            else { out.unicodeScalars.append(ch) }
        }
    }
    out.append(quote)
    return out
}

private func hex2(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return s.count < 2 ? "0" + s : s
}
