// The errors Slotted throws. Each mirrors the Python exception of the same name, and its
// `description` is exactly CPython 3.11's message, without the "AttributeError: " prefix.
// Where CPython's message does not say what was refused (`__slots__ must be identifiers`),
// `culprit` does.

/// What every error Slotted throws has: CPython's message, and what was refused.
///
/// Python's exceptions carry their arguments (`e.args`, `e.name` on an `AttributeError`);
/// Slotted's carry ``message`` and ``culprit``, so that a host can report which of many
/// names or values a definition or construction refused:
///
/// ```swift
/// do { _ = try space.defineClass("Row", slots: names) }
/// catch let error as any SlottedError { print(error.message, error.culprit ?? "") }
/// // __slots__ must be identifiers 2nd
/// ```
public protocol SlottedError: Error, Hashable, Sendable, CustomStringConvertible {
    /// CPython's message (or Slotted's own, in CPython's style).
    var message: String { get }
    /// What the error refuses, when it refuses one thing: a name as it was given (a slot
    /// name, a keyword, an attribute, a class or base name), or a value's `repr` (a value of
    /// the wrong type, a positional value with no slot left). Nil when no single name or
    /// value is at fault (a layout conflict, a limit, an allocation).
    ///
    /// Python's `AttributeError.name` for the attribute errors. Errors compare equal when
    /// their messages do: the culprit is a detail for the host.
    var culprit: String? { get }
}

/// An attribute was read, written or deleted that the instance does not have.
///
/// Mirrors Python's `AttributeError`, for example
/// `'PointSlots' object has no attribute 'z'`, or the bare slot name (`x`) when an unset
/// slot is deleted.
public struct AttributeError: SlottedError {
    /// CPython's message.
    public let message: String
    /// What was refused, when one name or value was (see ``SlottedError/culprit``).
    public let culprit: String?
    /// Creates an error with CPython's message and, optionally, what it refuses.
    public init(_ message: String, culprit: String? = nil) {
        self.message = message
        self.culprit = culprit
    }
    /// Errors are equal when their messages are; the culprit does not take part.
    public static func == (a: AttributeError, b: AttributeError) -> Bool { a.message == b.message }
    /// Hashes the message.
    public func hash(into hasher: inout Hasher) { hasher.combine(message) }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }

    static func missing(_ className: String, _ name: String) -> AttributeError {
        AttributeError("'\(className)' object has no attribute '\(name)'", culprit: name)
    }
    static func readOnly(_ className: String, _ name: String) -> AttributeError {
        AttributeError("'\(className)' object attribute '\(name)' is read-only", culprit: name)
    }
}

/// A value or a class definition had the wrong type or shape.
///
/// Mirrors Python's `TypeError`, for example `multiple bases have instance lay-out conflict`
/// or `__slots__ must be identifiers`.
public struct TypeError: SlottedError {
    /// CPython's message (or, for typed slots, Slotted's own in CPython's style).
    public let message: String
    /// What was refused, when one name or value was (see ``SlottedError/culprit``).
    public let culprit: String?
    /// Creates an error with the given message and, optionally, what it refuses.
    public init(_ message: String, culprit: String? = nil) {
        self.message = message
        self.culprit = culprit
    }
    /// Errors are equal when their messages are; the culprit does not take part.
    public static func == (a: TypeError, b: TypeError) -> Bool { a.message == b.message }
    /// Hashes the message.
    public func hash(into hasher: inout Hasher) { hasher.combine(message) }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }
}

/// A value was of the right type but not acceptable.
///
/// Mirrors Python's `ValueError`, for example `'x' in __slots__ conflicts with class variable`.
public struct ValueError: SlottedError {
    /// The message.
    public let message: String
    /// What was refused, when one name or value was (see ``SlottedError/culprit``).
    public let culprit: String?
    /// Creates an error with the given message and, optionally, what it refuses.
    public init(_ message: String, culprit: String? = nil) {
        self.message = message
        self.culprit = culprit
    }
    /// Errors are equal when their messages are; the culprit does not take part.
    public static func == (a: ValueError, b: ValueError) -> Bool { a.message == b.message }
    /// Hashes the message.
    public func hash(into hasher: inout Hasher) { hasher.combine(message) }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }
}

/// A number was too large for the slot that should hold it.
///
/// Mirrors Python's `OverflowError`: a `.float` slot (a 32-bit float) refuses a finite value
/// whose nearest `Float` is infinite with `float too large to pack with f format`, as
/// CPython's `struct.pack('f', 1e300)` does.
public struct OverflowError: SlottedError {
    /// CPython's message.
    public let message: String
    /// What was refused, when one name or value was (see ``SlottedError/culprit``).
    public let culprit: String?
    /// Creates an error with the given message and, optionally, what it refuses.
    public init(_ message: String, culprit: String? = nil) {
        self.message = message
        self.culprit = culprit
    }
    /// Errors are equal when their messages are; the culprit does not take part.
    public static func == (a: OverflowError, b: OverflowError) -> Bool { a.message == b.message }
    /// Hashes the message.
    public func hash(into hasher: inout Hasher) { hasher.combine(message) }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }

    static func floatTooLarge(_ value: Double) -> OverflowError {
        OverflowError("float too large to pack with f format", culprit: pythonFloatRepr(value))
    }
}

/// A handle was used after its instance was freed.
///
/// Mirrors Python's `ReferenceError` (raised by a weak proxy whose referent is gone). Slotted
/// detects every use of a stale handle through the generation stored in the handle and in
/// the instance header, even after the cell was reused.
public struct ReferenceError: SlottedError {
    /// The message.
    public let message: String
    /// What was refused, when one name or value was (see ``SlottedError/culprit``).
    public let culprit: String?
    /// Creates an error with the given message and, optionally, what it refuses.
    public init(_ message: String, culprit: String? = nil) {
        self.message = message
        self.culprit = culprit
    }
    /// Errors are equal when their messages are; the culprit does not take part.
    public static func == (a: ReferenceError, b: ReferenceError) -> Bool { a.message == b.message }
    /// Hashes the message.
    public func hash(into hasher: inout Hasher) { hasher.combine(message) }
    /// The message.
    public var description: String { message }

    static let freed = ReferenceError("instance no longer exists: it was freed, and this handle is stale")
}

/// The object space's arena could not get memory.
///
/// Mirrors Python's `MemoryError`. The space stays usable and its statistics stay correct.
public struct MemoryError: SlottedError {
    /// The message.
    public let message: String
    /// What was refused, when one name or value was (see ``SlottedError/culprit``).
    public let culprit: String?
    /// Creates an error with the given message and, optionally, what it refuses.
    public init(_ message: String, culprit: String? = nil) {
        self.message = message
        self.culprit = culprit
    }
    /// Errors are equal when their messages are; the culprit does not take part.
    public static func == (a: MemoryError, b: MemoryError) -> Bool { a.message == b.message }
    /// Hashes the message.
    public func hash(into hasher: inout Hasher) { hasher.combine(message) }
    /// The message.
    public var description: String { message }
}
