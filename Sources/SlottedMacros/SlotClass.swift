// `@SlotClass`, Slotted's `@dataclass(slots=True)`.
//
// This target holds only the macro declarations and re-exports `Slotted`; the
// implementation is the compiler plugin `SlottedMacrosPlugin`, so only users of this product
// build swift-syntax.

@_exported import Slotted

/// Turns a struct of stored properties into a typed view over a slotted instance: Python's
/// `@dataclass(slots=True)`.
///
/// ```swift
/// @SlotClass
/// struct Event {
///     var ts: Int
///     var kind: String
///     var value: Double = 0   // a default, like a dataclass field's
///     let source: Int         // read-only after construction (a frozen field)
/// }
/// let space = ObjectSpace()
/// let e = try Event(in: space, ts: 1, kind: "click", source: 7)
/// e.value += 1.5              // a header check and a store at a compile-time offset
/// print(e)                    // Event(ts=1, kind='click', value=1.5, source=7)
/// try e.instance.get("ts")    // the same object through the dynamic API
/// ```
///
/// The class is defined in a space on first use with the layout the dynamic API computes
/// for the same slots (`space.defineClass("Event", slots: ["ts": .int, ...])`); the macro
/// computes every offset and presence bit at compile time with the same algorithm, and the
/// registration checks that the two agree. Instances are ordinary slotted instances: by-name
/// access, `sizeof`, memory statistics, `free` and weak references all apply to
/// `e.instance`.
///
/// Fields: `Int`, `Double`, `Bool`, `String`, `Int32`, `Float`, `UInt8`, `Value` (an
/// untyped slot), `Instance`, another `@SlotClass` type (stored as a reference), or an
/// Optional of one of these (nil is an unset slot, so it costs nothing more). A `var` field
/// becomes a computed property over its slot; a `let` field is read-only through the view
/// and through the dynamic API (`set` throws ``AttributeError``), and the view keeps a copy of
/// it, since Swift cannot make a `let` computed. `static` properties are not slots (the macro
/// notes it); computed properties and methods are left alone.
///
/// Generated: `init(in:...)` (every field, defaults as written; a derived class takes its
/// base's fields as `base: Base.Fields`), `init(in:fields:)`, `init(_ instance:)` (a checked
/// view of an existing instance), `instance`, `fields` and the nested `Fields` snapshot type,
/// `static func slotClass(in:)`, and, each opt-out with its argument: `description` (the
/// dataclass repr), `Equatable` and `Hashable` (by value), `copy()` (`copy.copy`),
/// `replacing(...)` and `replacing(_:)` (`dataclasses.replace`), and `Codable` (a keyed
/// container of the fields; decoding constructs in `decoder.userInfo[.slottedSpace]`).
///
/// - Parameters:
///   - base: a `@SlotClass` base class (`Event.self`): its slots come first, then this
///     type's own, following the dynamic API's inheritance rules.
///   - description: generate `CustomStringConvertible`.
///   - equatable: generate `Equatable`.
///   - hashable: generate `Hashable` (requires `equatable`).
///   - codable: generate `Codable`.
///   - copy: generate `copy()`.
///   - replacing: generate `replacing(...)`.
@attached(member, names: named(instance), named(init), named(base), named(Fields), named(fields),
          named(copy), named(replacing), arbitrary)
@attached(memberAttribute)
@attached(extension, conformances: SlotClassView, CustomStringConvertible, Equatable, Hashable, Codable,
          names: named(description), named(==), named(hash), named(encode), named(init))
public macro SlotClass(
    base: (any SlotClassView.Type)? = nil,
    description: Bool = true,
    equatable: Bool = true,
    hashable: Bool = true,
    codable: Bool = true,
    copy: Bool = true,
    replacing: Bool = true
) = #externalMacro(module: "SlottedMacrosPlugin", type: "SlotClassMacro")

/// The accessors of one `var` field of a `@SlotClass` struct: added by `@SlotClass`, not
/// written by hand.
@attached(accessor, names: named(get), named(set))
public macro _SlotField() = #externalMacro(module: "SlottedMacrosPlugin", type: "SlotFieldMacro")
