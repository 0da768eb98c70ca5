//===----------------------------------------------------------------------===//
//
// SlotClassView.swift: the protocol a `@SlotClass` struct conforms to.
//
// A `@SlotClass` struct (product `SlottedMacros`) is a typed view over an
// ordinary slotted instance: the macro computes every field's offset and
// presence bit at compile time, with `ObjectSpace.layOut`'s algorithm, and
// the struct registers its class in a space on first use. The files of this
// folder hold what the generated code calls; their underscored names are not
// for direct use. This one holds the protocol and what a user of the macro
// uses beside the fields: `slotClass(in:)`, `space`, and the decoder's
// `.slottedSpace` key.
//
//===----------------------------------------------------------------------===//

/// A struct expanded by `@SlotClass`: a typed view over an ``Instance`` whose class the macro
/// defined, with one property per slot.
///
/// The view is the instance's handle (plus a copy of each `let` field, which never changes
/// after construction); copying the view does not copy the instance. Two views are the
/// same object when their ``instance`` handles are equal.
public protocol SlotClassView: Sendable {
    /// The instance this view reads and writes, for the dynamic API (`get`, `set`, `free`,
    /// `sizeof`, weak references).
    var instance: Instance { get }
    /// A view of an existing instance of this class (or of a subclass).
    ///
    /// - Throws: ``TypeError`` when the instance is of another class, ``AttributeError`` when
    ///   a `let` field's slot is unset, ``ReferenceError`` for a stale handle.
    init(_ instance: Instance) throws
    /// A view of an instance known to be of this class, with its `let` fields set.
    init(__slotted_unchecked instance: Instance)
    /// The compile-time layout and the per-space registration.
    static var __slotted_registration: _SlotClassRegistration { get }
}

extension SlotClassView {
    /// The class this type defines in `space`, registered on first use: the same class
    /// `space.defineClass` would make for these slots, so the whole dynamic API applies.
    ///
    /// - Throws: what `defineClass` throws (for example a ``MemoryError``).
    public static func slotClass(in space: ObjectSpace) throws -> SlotClass {
        let info = try __slotted_registration.classInfo(in: space)
        return SlotClass(info: info, space: space)
    }

    /// The space the instance lives in. Traps on a stale handle.
    public var space: ObjectSpace { instance.resolveOrTrap("space").0.space }
}

extension CodingUserInfoKey {
    /// The ``ObjectSpace`` that decoding a `@SlotClass` type constructs its instances in:
    /// `decoder.userInfo[.slottedSpace] = space`.
    public static let slottedSpace = CodingUserInfoKey(rawValue: "slotted.space")!
}
