// The errors Slotted throws. Each mirrors the Python exception of the same name, and its
// `description` is exactly CPython 3.11's message, without the "AttributeError: " prefix.

/// An attribute was read, written or deleted that the instance does not have.
///
/// Mirrors Python's `AttributeError`, for example
/// `'PointSlots' object has no attribute 'z'`, or the bare slot name (`x`) when an unset
/// slot is deleted.
public struct AttributeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// CPython's message.
    public let message: String
    /// Creates an error with CPython's message.
    public init(_ message: String) { self.message = message }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }

    static func missing(_ className: String, _ name: String) -> AttributeError {
        AttributeError("'\(className)' object has no attribute '\(name)'")
    }
    static func readOnly(_ className: String, _ name: String) -> AttributeError {
        AttributeError("'\(className)' object attribute '\(name)' is read-only")
    }
}

/// A value or a class definition had the wrong type or shape.
///
/// Mirrors Python's `TypeError`, for example `multiple bases have instance lay-out conflict`
/// or `__slots__ must be identifiers`.
public struct TypeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// CPython's message (or, for typed slots, Slotted's own in CPython's style).
    public let message: String
    /// Creates an error with the given message.
    public init(_ message: String) { self.message = message }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }
}

/// A value was of the right type but not acceptable.
///
/// Mirrors Python's `ValueError`, for example `'x' in __slots__ conflicts with class variable`.
public struct ValueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message.
    public let message: String
    /// Creates an error with the given message.
    public init(_ message: String) { self.message = message }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }
}

/// A number was too large for the slot that should hold it.
///
/// Mirrors Python's `OverflowError`: a `.float` slot (a 32-bit float) refuses a finite value
/// whose nearest `Float` is infinite with `float too large to pack with f format`, as
/// CPython's `struct.pack('f', 1e300)` does.
public struct OverflowError: Error, Hashable, Sendable, CustomStringConvertible {
    /// CPython's message.
    public let message: String
    /// Creates an error with the given message.
    public init(_ message: String) { self.message = message }
    /// The message, as `str(e)` prints it in Python.
    public var description: String { message }

    static let floatTooLarge = OverflowError("float too large to pack with f format")
}

/// A handle was used after its instance was freed.
///
/// Mirrors Python's `ReferenceError` (raised by a weak proxy whose referent is gone). Slotted
/// detects every use of a stale handle through the generation stored in the handle and in
/// the instance header, even after the cell was reused.
public struct ReferenceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message.
    public let message: String
    /// Creates an error with the given message.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }

    static let freed = ReferenceError("instance no longer exists: it was freed, and this handle is stale")
}

/// The object space's arena could not get memory.
///
/// Mirrors Python's `MemoryError`. The space stays usable and its statistics stay correct.
public struct MemoryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message.
    public let message: String
    /// Creates an error with the given message.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
