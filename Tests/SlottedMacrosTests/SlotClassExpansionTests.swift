// Macro expansion tests for @SlotClass, with SwiftSyntaxMacrosTestSupport's
// assertMacroExpansion. The expected sources are the macro's output, reviewed: the layout
// constants are the offsets `ObjectSpace.layOut` computes for the same slots (the runtime
// tests in SlottedMacrosRuntimeTests check that against the dynamic API).

import SlottedMacrosPlugin
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosTestSupport
import XCTest

/// `@SlotClass` and the accessor macro it attaches, with the conformances the compiler would
/// ask the extension role for.
private let allMacros: [String: MacroSpec] = [
    "SlotClass": MacroSpec(type: SlotClassMacro.self, conformances: [
        "SlotClassView", "CustomStringConvertible", "Equatable", "Hashable", "Codable",
    ]),
    "_SlotField": MacroSpec(type: SlotFieldMacro.self),
]
/// `@SlotClass` alone: the `@_SlotField` attributes it adds stay visible, unexpanded.
private let slotClassMacro: [String: MacroSpec] = [
    "SlotClass": MacroSpec(type: SlotClassMacro.self, conformances: [
        "SlotClassView", "CustomStringConvertible", "Equatable", "Hashable", "Codable",
    ]),
]
/// The accessor macro alone.
private let fieldMacro: [String: MacroSpec] = ["_SlotField": MacroSpec(type: SlotFieldMacro.self)]

/// Full expansions: members, accessors, layout constants and conformances.
final class SlotClassExpansionTests: XCTestCase {
    /// The README's example, every role and every conformance: offsets 8/16/24/32, presence bits 0-3 in header byte 0, the let field kept stored and read-only.
    func testEventFullExpansion() {
        assertMacroExpansion(
            """
            @SlotClass
            struct Event {
                var ts: Int
                var kind: String
                var value: Double = 0
                let source: Int
            }
            """,
            expandedSource: """
            struct Event {
                var ts: Int {
                    get {
                        instance._slottedGet(Self.__slotted_ts, "ts")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_ts, "ts")
                    }
                }
                var kind: String {
                    get {
                        instance._slottedGet(Self.__slotted_kind, "kind")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_kind, "kind")
                    }
                }
                var value: Double {
                    get {
                        instance._slottedGet(Self.__slotted_value, "value")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_value, "value")
                    }
                }
                let source: Int

                /// The instance this view reads and writes: the same object through the dynamic API
                /// (`get`, `set`, `free`, `sizeof`, weak references).
                let instance: Slotted.Instance

                /// `ts`: int slot 0, 8 bytes at offset 8.
                static var __slotted_ts: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 8, presenceOffset: 0, presenceMask: 0x01)
                }

                /// `kind`: string slot 1, 8 bytes at offset 16.
                static var __slotted_kind: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 16, presenceOffset: 0, presenceMask: 0x02)
                }

                /// `value`: double slot 2, 8 bytes at offset 24.
                static var __slotted_value: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 24, presenceOffset: 0, presenceMask: 0x04)
                }

                /// `source`: int slot 3, 8 bytes at offset 32.
                static var __slotted_source: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 32, presenceOffset: 0, presenceMask: 0x08)
                }

                static var __slotted_slotCount: Int {
                    4
                }

                /// The layout ends at byte 40; instances take 40 bytes.
                static var __slotted_layoutEnd: Int {
                    40
                }

                /// The class this type defines in each space, registered on first use.
                static let __slotted_registration = Slotted._SlotClassRegistration(
                    name: "Event",
                    base: nil,
                    fields: [
                        Slotted._SlotFieldSpec(name: "ts", type: .int, readOnly: false, layout: __slotted_ts),
                        Slotted._SlotFieldSpec(name: "kind", type: .string, readOnly: false, layout: __slotted_kind),
                        Slotted._SlotFieldSpec(name: "value", type: .double, readOnly: false, layout: __slotted_value),
                        Slotted._SlotFieldSpec(name: "source", type: .int, readOnly: true, layout: __slotted_source),
                    ],
                    layoutEnd: __slotted_layoutEnd
                )

                /// The class in the space used last, for the initializers: a constant word the
                /// compiler initializes statically (no lazy-initialization check per construction).
                static let __slotted_cache = Slotted._SlotClassCache(0)

                /// Constructs a new instance in `space`, registering the class there on first use.
                ///
                /// - Throws: ``MemoryError``; ``ValueError`` or ``ReferenceError`` for a reference to
                ///   an instance of another space or a freed one. Nothing stays allocated when it throws.
                init(in space: borrowing Slotted.ObjectSpace, ts: borrowing Int, kind: borrowing String, value: borrowing Double = 0, source: borrowing Int) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try instance._slottedInitialize(ts, Self.__slotted_ts)
                        try instance._slottedInitialize(kind, Self.__slotted_kind)
                        try instance._slottedInitialize(value, Self.__slotted_value)
                        try instance._slottedInitialize(source, Self.__slotted_source)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                    self.source = copy source
                }

                /// Constructs a new instance in `space` from a snapshot of field values.
                init(in space: borrowing Slotted.ObjectSpace, fields: Fields) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try Self.__slotted_initialize(instance, fields)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                    self.source = fields.source
                }

                /// A view of an existing instance of this class or a subclass (for example one made
                /// through the dynamic API).
                ///
                /// - Throws: ``TypeError`` for an instance of another class, ``AttributeError`` when
                ///   a `let` field is unset, ``ReferenceError`` for a stale handle.
                init(_ instance: Slotted.Instance) throws {
                    try Self.__slotted_registration._check(instance)
                    try instance._slottedRequire(Self.__slotted_source, "source")
                    self.init(__slotted_unchecked: instance)
                }

                init(__slotted_unchecked instance: Slotted.Instance) {
                    self.instance = instance
                    self.source = instance._slottedGet(Self.__slotted_source, "source")
                }

                /// A snapshot of the field values, as plain Swift values (`dataclasses.astuple`):
                /// `fields`, `init(in:fields:)`, `replacing(_:)` and Codable use it.
                struct Fields: Sendable, Equatable, Hashable, Codable {
                    var ts: Int
                    var kind: String
                    var value: Double
                    var source: Int

                    init(ts: Int, kind: String, value: Double = 0, source: Int) {
                        self.ts = ts
                        self.kind = kind
                        self.value = value
                        self.source = source
                    }

                    enum CodingKeys: String, CodingKey {
                        case ts
                        case kind
                        case value
                        case source
                    }

                    init(from decoder: any Decoder) throws {
                        let container = try decoder.container(keyedBy: CodingKeys.self)
                        self.ts = try container.decode(Int.self, forKey: .ts)
                        self.kind = try container.decode(String.self, forKey: .kind)
                        self.value = try container.decodeIfPresent(Double.self, forKey: .value) ?? 0
                        self.source = try container.decode(Int.self, forKey: .source)
                    }

                    func encode(to encoder: any Encoder) throws {
                        var container = encoder.container(keyedBy: CodingKeys.self)
                        try container.encode(ts, forKey: .ts)
                        try container.encode(kind, forKey: .kind)
                        try container.encode(value, forKey: .value)
                        try container.encode(source, forKey: .source)
                    }
                }

                /// The current field values.
                var fields: Fields {
                    Fields(ts: ts, kind: kind, value: value, source: source)
                }

                static func __slotted_initialize(_ instance: Slotted.Instance, _ fields: Fields) throws {
                    try instance._slottedInitialize(fields.ts, Self.__slotted_ts)
                    try instance._slottedInitialize(fields.kind, Self.__slotted_kind)
                    try instance._slottedInitialize(fields.value, Self.__slotted_value)
                    try instance._slottedInitialize(fields.source, Self.__slotted_source)
                }

                /// `copy.copy`: a new instance of the same class with the same field values (fields of
                /// @SlotClass types keep referring to the same instances).
                func copy() throws -> Self {
                    Self(__slotted_unchecked: try instance._slottedCopy())
                }

                /// `dataclasses.replace`: a new instance with the given fields changed, `let`
                /// fields included. An omitted argument keeps the field; to unset an optional
                /// field, pass `.some(nil)` or use `replacing(_:)`.
                func replacing(ts: Int? = nil, kind: String? = nil, value: Double? = nil, source: Int? = nil) throws -> Self {
                    var fields = self.fields
                    if let ts {
                        fields.ts = ts
                    }
                    if let kind {
                        fields.kind = kind
                    }
                    if let value {
                        fields.value = value
                    }
                    if let source {
                        fields.source = source
                    }
                    return try Self(in: instance._slottedSpace, fields: fields)
                }

                /// `attrs.evolve` with a closure: a new instance built from the changed field values.
                func replacing(_ changes: (inout Fields) throws -> Void) throws -> Self {
                    var fields = self.fields
                    try changes(&fields)
                    return try Self(in: instance._slottedSpace, fields: fields)
                }

                func __slotted_describe(into parts: inout [String]) {
                    parts.append("ts=" + Slotted._slottedRepr(ts))
                    parts.append("kind=" + Slotted._slottedRepr(kind))
                    parts.append("value=" + Slotted._slottedRepr(value))
                    parts.append("source=" + Slotted._slottedRepr(source))
                }

                func __slotted_equal(_ other: Self) -> Bool {
                    ts == other.ts
                        && kind == other.kind
                        && value == other.value
                        && source == other.source
                }

                func __slotted_hash(into hasher: inout Hasher) {
                    hasher.combine(ts)
                    hasher.combine(kind)
                    hasher.combine(value)
                    hasher.combine(source)
                }
            }

            extension Event: Slotted.SlotClassView {
            }

            extension Event: CustomStringConvertible {
                /// The dataclass repr: `Event(field=value, ...)`.
                var description: String {
                    var parts: [String] = []
                    __slotted_describe(into: &parts)
                    return "Event(" + parts.joined(separator: ", ") + ")"
                }
            }

            extension Event: Equatable {
                /// Equal by value, as a dataclass: the same instance, or instances of the same
                /// class whose fields are equal.
                static func == (lhs: Event, rhs: Event) -> Bool {
                    lhs.instance == rhs.instance
                        || (Slotted._slottedSameClass(lhs.instance, rhs.instance) && lhs.__slotted_equal(rhs))
                }
            }

            extension Event: Hashable {
                /// Hashes the field values (consistent with `==`).
                func hash(into hasher: inout Hasher) {
                    __slotted_hash(into: &hasher)
                }
            }

            extension Event: Codable {
                /// Encodes the fields as one keyed container (base fields first).
                func encode(to encoder: any Encoder) throws {
                    try fields.encode(to: encoder)
                }

                /// Decodes the fields and constructs a new instance in the space given as
                /// `decoder.userInfo[.slottedSpace]`.
                init(from decoder: any Decoder) throws {
                    try self.init(in: Slotted._slottedDecodingSpace(decoder, "Event"), fields: Fields(from: decoder))
                }
            }
            """,
            macroSpecs: allMacros
        )
    }

    /// Every supported field type in one struct, declared smallest first: the layout sorts by decreasing alignment (8-byte slots, the 16-byte untyped one, then 4-byte, then 1-byte), keeping declaration order among equals.
    func testAllTypesLayout() {
        assertMacroExpansion(
            """
            @SlotClass(description: false, equatable: false, codable: false, copy: false, replacing: false)
            struct AllTypes {
                var flag: Bool
                var byte: UInt8
                var small: Int32
                var ratio: Float
                var count: Int
                var mean: Double
                var name: String
                var any: Value
                var handle: Instance
                var event: Event
                var maybe: Int?
                var maybeEvent: Optional<Event>
                let frozen: Swift.Int
            }
            """,
            expandedSource: """
            struct AllTypes {
                var flag: Bool {
                    get {
                        instance._slottedGet(Self.__slotted_flag, "flag")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_flag, "flag")
                    }
                }
                var byte: UInt8 {
                    get {
                        instance._slottedGet(Self.__slotted_byte, "byte")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_byte, "byte")
                    }
                }
                var small: Int32 {
                    get {
                        instance._slottedGet(Self.__slotted_small, "small")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_small, "small")
                    }
                }
                var ratio: Float {
                    get {
                        instance._slottedGet(Self.__slotted_ratio, "ratio")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_ratio, "ratio")
                    }
                }
                var count: Int {
                    get {
                        instance._slottedGet(Self.__slotted_count, "count")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_count, "count")
                    }
                }
                var mean: Double {
                    get {
                        instance._slottedGet(Self.__slotted_mean, "mean")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_mean, "mean")
                    }
                }
                var name: String {
                    get {
                        instance._slottedGet(Self.__slotted_name, "name")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_name, "name")
                    }
                }
                var any: Value {
                    get {
                        instance._slottedGet(Self.__slotted_any, "any")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_any, "any")
                    }
                }
                var handle: Instance {
                    get {
                        instance._slottedGet(Self.__slotted_handle, "handle")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_handle, "handle")
                    }
                }
                var event: Event {
                    get {
                        instance._slottedGetView(Self.__slotted_event, "event")
                    }
                    nonmutating set {
                        instance._slottedSetView(newValue, Self.__slotted_event, "event")
                    }
                }
                var maybe: Int? {
                    get {
                        instance._slottedGetOptional(Self.__slotted_maybe, "maybe")
                    }
                    nonmutating set {
                        instance._slottedSetOptional(newValue, Self.__slotted_maybe, "maybe")
                    }
                }
                var maybeEvent: Optional<Event> {
                    get {
                        instance._slottedGetOptionalView(Self.__slotted_maybeEvent, "maybeEvent")
                    }
                    nonmutating set {
                        instance._slottedSetOptionalView(newValue, Self.__slotted_maybeEvent, "maybeEvent")
                    }
                }
                let frozen: Swift.Int

                /// The instance this view reads and writes: the same object through the dynamic API
                /// (`get`, `set`, `free`, `sizeof`, weak references).
                let instance: Slotted.Instance

                /// `flag`: bool slot 0, 1 byte at offset 96.
                static var __slotted_flag: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 96, presenceOffset: 0, presenceMask: 0x01)
                }

                /// `byte`: uint8 slot 1, 1 byte at offset 97.
                static var __slotted_byte: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 97, presenceOffset: 0, presenceMask: 0x02)
                }

                /// `small`: int32 slot 2, 4 bytes at offset 88.
                static var __slotted_small: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 88, presenceOffset: 0, presenceMask: 0x04)
                }

                /// `ratio`: float slot 3, 4 bytes at offset 92.
                static var __slotted_ratio: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 92, presenceOffset: 0, presenceMask: 0x08)
                }

                /// `count`: int slot 4, 8 bytes at offset 8.
                static var __slotted_count: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 8, presenceOffset: 0, presenceMask: 0x10)
                }

                /// `mean`: double slot 5, 8 bytes at offset 16.
                static var __slotted_mean: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 16, presenceOffset: 0, presenceMask: 0x20)
                }

                /// `name`: string slot 6, 8 bytes at offset 24.
                static var __slotted_name: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 24, presenceOffset: 0, presenceMask: 0x40)
                }

                /// `any`: any slot 7, 16 bytes at offset 32.
                static var __slotted_any: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 32, presenceOffset: 0, presenceMask: 0x80)
                }

                /// `handle`: instance slot 8, 8 bytes at offset 48.
                static var __slotted_handle: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 48, presenceOffset: 1, presenceMask: 0x01)
                }

                /// `event`: instance slot 9, 8 bytes at offset 56.
                static var __slotted_event: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 56, presenceOffset: 1, presenceMask: 0x02)
                }

                /// `maybe`: int slot 10, 8 bytes at offset 64.
                static var __slotted_maybe: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 64, presenceOffset: 1, presenceMask: 0x04)
                }

                /// `maybeEvent`: instance slot 11, 8 bytes at offset 72.
                static var __slotted_maybeEvent: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 72, presenceOffset: 1, presenceMask: 0x08)
                }

                /// `frozen`: int slot 12, 8 bytes at offset 80.
                static var __slotted_frozen: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 80, presenceOffset: 1, presenceMask: 0x10)
                }

                static var __slotted_slotCount: Int {
                    13
                }

                /// The layout ends at byte 98; instances take 104 bytes.
                static var __slotted_layoutEnd: Int {
                    98
                }

                /// The class this type defines in each space, registered on first use.
                static let __slotted_registration = Slotted._SlotClassRegistration(
                    name: "AllTypes",
                    base: nil,
                    fields: [
                        Slotted._SlotFieldSpec(name: "flag", type: .bool, readOnly: false, layout: __slotted_flag),
                        Slotted._SlotFieldSpec(name: "byte", type: .uint8, readOnly: false, layout: __slotted_byte),
                        Slotted._SlotFieldSpec(name: "small", type: .int32, readOnly: false, layout: __slotted_small),
                        Slotted._SlotFieldSpec(name: "ratio", type: .float, readOnly: false, layout: __slotted_ratio),
                        Slotted._SlotFieldSpec(name: "count", type: .int, readOnly: false, layout: __slotted_count),
                        Slotted._SlotFieldSpec(name: "mean", type: .double, readOnly: false, layout: __slotted_mean),
                        Slotted._SlotFieldSpec(name: "name", type: .string, readOnly: false, layout: __slotted_name),
                        Slotted._SlotFieldSpec(name: "any", type: .any, readOnly: false, layout: __slotted_any),
                        Slotted._SlotFieldSpec(name: "handle", type: .instance, readOnly: false, layout: __slotted_handle),
                        Slotted._SlotFieldSpec(name: "event", type: .instance, readOnly: false, layout: __slotted_event),
                        Slotted._SlotFieldSpec(name: "maybe", type: .int, readOnly: false, layout: __slotted_maybe),
                        Slotted._SlotFieldSpec(name: "maybeEvent", type: .instance, readOnly: false, layout: __slotted_maybeEvent),
                        Slotted._SlotFieldSpec(name: "frozen", type: .int, readOnly: true, layout: __slotted_frozen),
                    ],
                    layoutEnd: __slotted_layoutEnd
                )

                /// The class in the space used last, for the initializers: a constant word the
                /// compiler initializes statically (no lazy-initialization check per construction).
                static let __slotted_cache = Slotted._SlotClassCache(0)

                /// Constructs a new instance in `space`, registering the class there on first use.
                ///
                /// - Throws: ``MemoryError``; ``ValueError`` or ``ReferenceError`` for a reference to
                ///   an instance of another space or a freed one. Nothing stays allocated when it throws.
                init(in space: borrowing Slotted.ObjectSpace, flag: borrowing Bool, byte: borrowing UInt8, small: borrowing Int32, ratio: borrowing Float, count: borrowing Int, mean: borrowing Double, name: borrowing String, any: borrowing Value, handle: borrowing Instance, event: borrowing Event, maybe: borrowing Int? = nil, maybeEvent: borrowing Optional<Event> = nil, frozen: borrowing Swift.Int) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try instance._slottedInitialize(flag, Self.__slotted_flag)
                        try instance._slottedInitialize(byte, Self.__slotted_byte)
                        try instance._slottedInitialize(small, Self.__slotted_small)
                        try instance._slottedInitialize(ratio, Self.__slotted_ratio)
                        try instance._slottedInitialize(count, Self.__slotted_count)
                        try instance._slottedInitialize(mean, Self.__slotted_mean)
                        try instance._slottedInitialize(name, Self.__slotted_name)
                        try instance._slottedInitialize(any, Self.__slotted_any)
                        try instance._slottedInitialize(handle, Self.__slotted_handle)
                        try instance._slottedInitializeView(event, Self.__slotted_event)
                        try instance._slottedInitialize(maybe, Self.__slotted_maybe)
                        try instance._slottedInitializeView(maybeEvent, Self.__slotted_maybeEvent)
                        try instance._slottedInitialize(frozen, Self.__slotted_frozen)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                    self.frozen = copy frozen
                }

                /// Constructs a new instance in `space` from a snapshot of field values.
                init(in space: borrowing Slotted.ObjectSpace, fields: Fields) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try Self.__slotted_initialize(instance, fields)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                    self.frozen = fields.frozen
                }

                /// A view of an existing instance of this class or a subclass (for example one made
                /// through the dynamic API).
                ///
                /// - Throws: ``TypeError`` for an instance of another class, ``AttributeError`` when
                ///   a `let` field is unset, ``ReferenceError`` for a stale handle.
                init(_ instance: Slotted.Instance) throws {
                    try Self.__slotted_registration._check(instance)
                    try instance._slottedRequire(Self.__slotted_frozen, "frozen")
                    self.init(__slotted_unchecked: instance)
                }

                init(__slotted_unchecked instance: Slotted.Instance) {
                    self.instance = instance
                    self.frozen = instance._slottedGet(Self.__slotted_frozen, "frozen")
                }

                /// A snapshot of the field values, as plain Swift values (`dataclasses.astuple`):
                /// `fields`, `init(in:fields:)`, `replacing(_:)` and Codable use it.
                struct Fields: Sendable {
                    var flag: Bool
                    var byte: UInt8
                    var small: Int32
                    var ratio: Float
                    var count: Int
                    var mean: Double
                    var name: String
                    var any: Value
                    var handle: Instance
                    var event: Event
                    var maybe: Int?
                    var maybeEvent: Optional<Event>
                    var frozen: Swift.Int

                    init(flag: Bool, byte: UInt8, small: Int32, ratio: Float, count: Int, mean: Double, name: String, any: Value, handle: Instance, event: Event, maybe: Int? = nil, maybeEvent: Optional<Event> = nil, frozen: Swift.Int) {
                        self.flag = flag
                        self.byte = byte
                        self.small = small
                        self.ratio = ratio
                        self.count = count
                        self.mean = mean
                        self.name = name
                        self.any = any
                        self.handle = handle
                        self.event = event
                        self.maybe = maybe
                        self.maybeEvent = maybeEvent
                        self.frozen = frozen
                    }
                }

                /// The current field values.
                var fields: Fields {
                    Fields(flag: flag, byte: byte, small: small, ratio: ratio, count: count, mean: mean, name: name, any: any, handle: handle, event: event, maybe: maybe, maybeEvent: maybeEvent, frozen: frozen)
                }

                static func __slotted_initialize(_ instance: Slotted.Instance, _ fields: Fields) throws {
                    try instance._slottedInitialize(fields.flag, Self.__slotted_flag)
                    try instance._slottedInitialize(fields.byte, Self.__slotted_byte)
                    try instance._slottedInitialize(fields.small, Self.__slotted_small)
                    try instance._slottedInitialize(fields.ratio, Self.__slotted_ratio)
                    try instance._slottedInitialize(fields.count, Self.__slotted_count)
                    try instance._slottedInitialize(fields.mean, Self.__slotted_mean)
                    try instance._slottedInitialize(fields.name, Self.__slotted_name)
                    try instance._slottedInitialize(fields.any, Self.__slotted_any)
                    try instance._slottedInitialize(fields.handle, Self.__slotted_handle)
                    try instance._slottedInitializeView(fields.event, Self.__slotted_event)
                    try instance._slottedInitialize(fields.maybe, Self.__slotted_maybe)
                    try instance._slottedInitializeView(fields.maybeEvent, Self.__slotted_maybeEvent)
                    try instance._slottedInitialize(fields.frozen, Self.__slotted_frozen)
                }
            }

            extension AllTypes: Slotted.SlotClassView {
            }
            """,
            macroSpecs: allMacros
        )
    }

    /// A derived class: offsets relative to the base's layout end, the base's fields as `base: Event.Fields`.
    func testDerivedExpansion() {
        assertMacroExpansion(
            """
            @SlotClass(base: Event.self, description: false, codable: false, replacing: false)
            struct Click {
                var x: Int32
                var label: String?
            }
            """,
            expandedSource: """
            struct Click {
                var x: Int32 {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
                var label: String? {
                    get {
                        instance._slottedGetOptional(Self.__slotted_label, "label")
                    }
                    nonmutating set {
                        instance._slottedSetOptional(newValue, Self.__slotted_label, "label")
                    }
                }

                /// The instance this view reads and writes: the same object through the dynamic API
                /// (`get`, `set`, `free`, `sizeof`, weak references).
                let instance: Slotted.Instance

                /// `x`: int32 slot 0 of this layer, at 8 bytes into it.
                static var __slotted_x: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout.derived(baseEnd: Event.__slotted_layoutEnd, baseCount: Event.__slotted_slotCount, ownAlignment: 8, ownSize: 12, relativeOffset: 8, index: 0)
                }

                /// `label`: string slot 1 of this layer, at 0 bytes into it.
                static var __slotted_label: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout.derived(baseEnd: Event.__slotted_layoutEnd, baseCount: Event.__slotted_slotCount, ownAlignment: 8, ownSize: 12, relativeOffset: 0, index: 1)
                }

                static var __slotted_slotCount: Int {
                    Event.__slotted_slotCount + 2
                }

                static var __slotted_layoutEnd: Int {
                    Slotted._SlotFieldLayout.derivedEnd(baseEnd: Event.__slotted_layoutEnd, baseCount: Event.__slotted_slotCount, ownAlignment: 8, ownSize: 12, ownCount: 2)
                }

                /// The class this type defines in each space, registered on first use.
                static let __slotted_registration = Slotted._SlotClassRegistration(
                    name: "Click",
                    base: Event.__slotted_registration,
                    fields: [
                        Slotted._SlotFieldSpec(name: "x", type: .int32, readOnly: false, layout: __slotted_x),
                        Slotted._SlotFieldSpec(name: "label", type: .string, readOnly: false, layout: __slotted_label),
                    ],
                    layoutEnd: __slotted_layoutEnd
                )

                /// The class in the space used last, for the initializers: a constant word the
                /// compiler initializes statically (no lazy-initialization check per construction).
                static let __slotted_cache = Slotted._SlotClassCache(0)

                /// Constructs a new instance in `space`, registering the class there on first use.
                ///
                /// - Throws: ``MemoryError``; ``ValueError`` or ``ReferenceError`` for a reference to
                ///   an instance of another space or a freed one. Nothing stays allocated when it throws.
                init(in space: borrowing Slotted.ObjectSpace, base: borrowing Event.Fields, x: borrowing Int32, label: borrowing String? = nil) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try Event.__slotted_initialize(instance, base)
                        try instance._slottedInitialize(x, Self.__slotted_x)
                        try instance._slottedInitialize(label, Self.__slotted_label)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// Constructs a new instance in `space` from a snapshot of field values.
                init(in space: borrowing Slotted.ObjectSpace, fields: Fields) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try Self.__slotted_initialize(instance, fields)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// A view of an existing instance of this class or a subclass (for example one made
                /// through the dynamic API).
                ///
                /// - Throws: ``TypeError`` for an instance of another class, ``AttributeError`` when
                ///   a `let` field is unset, ``ReferenceError`` for a stale handle.
                init(_ instance: Slotted.Instance) throws {
                    try Self.__slotted_registration._check(instance)
                    _ = try Event(instance)
                    self.init(__slotted_unchecked: instance)
                }

                init(__slotted_unchecked instance: Slotted.Instance) {
                    self.instance = instance
                }

                /// This instance seen as its base class `Event`.
                var base: Event {
                    Event(__slotted_unchecked: instance)
                }

                /// A snapshot of the field values, as plain Swift values (`dataclasses.astuple`):
                /// `fields`, `init(in:fields:)`, `replacing(_:)` and Codable use it.
                struct Fields: Sendable, Equatable, Hashable {
                    var base: Event.Fields
                    var x: Int32
                    var label: String?

                    init(base: Event.Fields, x: Int32, label: String? = nil) {
                        self.base = base
                        self.x = x
                        self.label = label
                    }
                }

                /// The current field values.
                var fields: Fields {
                    Fields(base: base.fields, x: x, label: label)
                }

                static func __slotted_initialize(_ instance: Slotted.Instance, _ fields: Fields) throws {
                    try Event.__slotted_initialize(instance, fields.base)
                    try instance._slottedInitialize(fields.x, Self.__slotted_x)
                    try instance._slottedInitialize(fields.label, Self.__slotted_label)
                }

                /// `copy.copy`: a new instance of the same class with the same field values (fields of
                /// @SlotClass types keep referring to the same instances).
                func copy() throws -> Self {
                    Self(__slotted_unchecked: try instance._slottedCopy())
                }

                func __slotted_equal(_ other: Self) -> Bool {
                    base.__slotted_equal(other.base)
                        && x == other.x
                        && label == other.label
                }

                func __slotted_hash(into hasher: inout Hasher) {
                    base.__slotted_hash(into: &hasher)
                    hasher.combine(x)
                    hasher.combine(label)
                }
            }

            extension Click: Slotted.SlotClassView {
            }

            extension Click: Equatable {
                /// Equal by value, as a dataclass: the same instance, or instances of the same
                /// class whose fields are equal.
                static func == (lhs: Click, rhs: Click) -> Bool {
                    lhs.instance == rhs.instance
                        || (Slotted._slottedSameClass(lhs.instance, rhs.instance) && lhs.__slotted_equal(rhs))
                }
            }

            extension Click: Hashable {
                /// Hashes the field values (consistent with `==`).
                func hash(into hasher: inout Hasher) {
                    __slotted_hash(into: &hasher)
                }
            }
            """,
            macroSpecs: allMacros
        )
    }

    /// A public type gets public members and inlinable accessors and layout constants.
    func testPublicTypeIsInlinable() {
        assertMacroExpansion(
            """
            @SlotClass(description: false, equatable: false, codable: false, copy: false, replacing: false)
            public struct Point {
                public var x: Double
            }
            """,
            expandedSource: """
            public struct Point {
                public var x: Double {
                    @inlinable get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    @inlinable nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }

                /// The instance this view reads and writes: the same object through the dynamic API
                /// (`get`, `set`, `free`, `sizeof`, weak references).
                public let instance: Slotted.Instance

                /// `x`: double slot 0, 8 bytes at offset 8.
                @inlinable public static var __slotted_x: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 8, presenceOffset: 0, presenceMask: 0x01)
                }

                @inlinable public static var __slotted_slotCount: Int {
                    1
                }

                /// The layout ends at byte 16; instances take 16 bytes.
                @inlinable public static var __slotted_layoutEnd: Int {
                    16
                }

                /// The class this type defines in each space, registered on first use.
                public static let __slotted_registration = Slotted._SlotClassRegistration(
                    name: "Point",
                    base: nil,
                    fields: [
                        Slotted._SlotFieldSpec(name: "x", type: .double, readOnly: false, layout: __slotted_x),
                    ],
                    layoutEnd: __slotted_layoutEnd
                )

                /// The class in the space used last, for the initializers: a constant word the
                /// compiler initializes statically (no lazy-initialization check per construction).
                public static let __slotted_cache = Slotted._SlotClassCache(0)

                /// Constructs a new instance in `space`, registering the class there on first use.
                ///
                /// - Throws: ``MemoryError``; ``ValueError`` or ``ReferenceError`` for a reference to
                ///   an instance of another space or a freed one. Nothing stays allocated when it throws.
                public init(in space: borrowing Slotted.ObjectSpace, x: borrowing Double) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try instance._slottedInitialize(x, Self.__slotted_x)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// Constructs a new instance in `space` from a snapshot of field values.
                public init(in space: borrowing Slotted.ObjectSpace, fields: Fields) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try Self.__slotted_initialize(instance, fields)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// A view of an existing instance of this class or a subclass (for example one made
                /// through the dynamic API).
                ///
                /// - Throws: ``TypeError`` for an instance of another class, ``AttributeError`` when
                ///   a `let` field is unset, ``ReferenceError`` for a stale handle.
                public init(_ instance: Slotted.Instance) throws {
                    try Self.__slotted_registration._check(instance)
                    self.init(__slotted_unchecked: instance)
                }

                @inlinable public init(__slotted_unchecked instance: Slotted.Instance) {
                    self.instance = instance
                }

                /// A snapshot of the field values, as plain Swift values (`dataclasses.astuple`):
                /// `fields`, `init(in:fields:)`, `replacing(_:)` and Codable use it.
                public struct Fields: Sendable {
                    public var x: Double

                    public init(x: Double) {
                        self.x = x
                    }
                }

                /// The current field values.
                public var fields: Fields {
                    Fields(x: x)
                }

                public static func __slotted_initialize(_ instance: Slotted.Instance, _ fields: Fields) throws {
                    try instance._slottedInitialize(fields.x, Self.__slotted_x)
                }
            }

            extension Point: Slotted.SlotClassView {
            }
            """,
            macroSpecs: allMacros
        )
    }

    /// Slots 16 and up keep their presence bits in bytes after the slots (here byte 34, after the 8-byte slot at 8 and 17 bools at 16...32).
    func testWidePresenceBytes() {
        assertMacroExpansion(
            """
            @SlotClass(description: false, equatable: false, codable: false, copy: false, replacing: false)
            struct Wide {
                var f0: Bool
                var f1: Bool
                var f2: Bool
                var f3: Bool
                var f4: Bool
                var f5: Bool
                var f6: Bool
                var f7: Bool
                var f8: Bool
                var f9: Bool
                var f10: Bool
                var f11: Bool
                var f12: Bool
                var f13: Bool
                var f14: Bool
                var f15: Bool
                var f16: Bool
                var f17: Int
            }
            """,
            expandedSource: """
            struct Wide {
                @_SlotField
                var f0: Bool
                @_SlotField
                var f1: Bool
                @_SlotField
                var f2: Bool
                @_SlotField
                var f3: Bool
                @_SlotField
                var f4: Bool
                @_SlotField
                var f5: Bool
                @_SlotField
                var f6: Bool
                @_SlotField
                var f7: Bool
                @_SlotField
                var f8: Bool
                @_SlotField
                var f9: Bool
                @_SlotField
                var f10: Bool
                @_SlotField
                var f11: Bool
                @_SlotField
                var f12: Bool
                @_SlotField
                var f13: Bool
                @_SlotField
                var f14: Bool
                @_SlotField
                var f15: Bool
                @_SlotField
                var f16: Bool
                @_SlotField
                var f17: Int

                /// The instance this view reads and writes: the same object through the dynamic API
                /// (`get`, `set`, `free`, `sizeof`, weak references).
                let instance: Slotted.Instance

                /// `f0`: bool slot 0, 1 byte at offset 16.
                static var __slotted_f0: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 16, presenceOffset: 0, presenceMask: 0x01)
                }

                /// `f1`: bool slot 1, 1 byte at offset 17.
                static var __slotted_f1: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 17, presenceOffset: 0, presenceMask: 0x02)
                }

                /// `f2`: bool slot 2, 1 byte at offset 18.
                static var __slotted_f2: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 18, presenceOffset: 0, presenceMask: 0x04)
                }

                /// `f3`: bool slot 3, 1 byte at offset 19.
                static var __slotted_f3: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 19, presenceOffset: 0, presenceMask: 0x08)
                }

                /// `f4`: bool slot 4, 1 byte at offset 20.
                static var __slotted_f4: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 20, presenceOffset: 0, presenceMask: 0x10)
                }

                /// `f5`: bool slot 5, 1 byte at offset 21.
                static var __slotted_f5: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 21, presenceOffset: 0, presenceMask: 0x20)
                }

                /// `f6`: bool slot 6, 1 byte at offset 22.
                static var __slotted_f6: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 22, presenceOffset: 0, presenceMask: 0x40)
                }

                /// `f7`: bool slot 7, 1 byte at offset 23.
                static var __slotted_f7: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 23, presenceOffset: 0, presenceMask: 0x80)
                }

                /// `f8`: bool slot 8, 1 byte at offset 24.
                static var __slotted_f8: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 24, presenceOffset: 1, presenceMask: 0x01)
                }

                /// `f9`: bool slot 9, 1 byte at offset 25.
                static var __slotted_f9: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 25, presenceOffset: 1, presenceMask: 0x02)
                }

                /// `f10`: bool slot 10, 1 byte at offset 26.
                static var __slotted_f10: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 26, presenceOffset: 1, presenceMask: 0x04)
                }

                /// `f11`: bool slot 11, 1 byte at offset 27.
                static var __slotted_f11: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 27, presenceOffset: 1, presenceMask: 0x08)
                }

                /// `f12`: bool slot 12, 1 byte at offset 28.
                static var __slotted_f12: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 28, presenceOffset: 1, presenceMask: 0x10)
                }

                /// `f13`: bool slot 13, 1 byte at offset 29.
                static var __slotted_f13: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 29, presenceOffset: 1, presenceMask: 0x20)
                }

                /// `f14`: bool slot 14, 1 byte at offset 30.
                static var __slotted_f14: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 30, presenceOffset: 1, presenceMask: 0x40)
                }

                /// `f15`: bool slot 15, 1 byte at offset 31.
                static var __slotted_f15: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 31, presenceOffset: 1, presenceMask: 0x80)
                }

                /// `f16`: bool slot 16, 1 byte at offset 32.
                static var __slotted_f16: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 32, presenceOffset: 33, presenceMask: 0x01)
                }

                /// `f17`: int slot 17, 8 bytes at offset 8.
                static var __slotted_f17: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 8, presenceOffset: 33, presenceMask: 0x02)
                }

                static var __slotted_slotCount: Int {
                    18
                }

                /// The layout ends at byte 34; instances take 40 bytes.
                static var __slotted_layoutEnd: Int {
                    34
                }

                /// The class this type defines in each space, registered on first use.
                static let __slotted_registration = Slotted._SlotClassRegistration(
                    name: "Wide",
                    base: nil,
                    fields: [
                        Slotted._SlotFieldSpec(name: "f0", type: .bool, readOnly: false, layout: __slotted_f0),
                        Slotted._SlotFieldSpec(name: "f1", type: .bool, readOnly: false, layout: __slotted_f1),
                        Slotted._SlotFieldSpec(name: "f2", type: .bool, readOnly: false, layout: __slotted_f2),
                        Slotted._SlotFieldSpec(name: "f3", type: .bool, readOnly: false, layout: __slotted_f3),
                        Slotted._SlotFieldSpec(name: "f4", type: .bool, readOnly: false, layout: __slotted_f4),
                        Slotted._SlotFieldSpec(name: "f5", type: .bool, readOnly: false, layout: __slotted_f5),
                        Slotted._SlotFieldSpec(name: "f6", type: .bool, readOnly: false, layout: __slotted_f6),
                        Slotted._SlotFieldSpec(name: "f7", type: .bool, readOnly: false, layout: __slotted_f7),
                        Slotted._SlotFieldSpec(name: "f8", type: .bool, readOnly: false, layout: __slotted_f8),
                        Slotted._SlotFieldSpec(name: "f9", type: .bool, readOnly: false, layout: __slotted_f9),
                        Slotted._SlotFieldSpec(name: "f10", type: .bool, readOnly: false, layout: __slotted_f10),
                        Slotted._SlotFieldSpec(name: "f11", type: .bool, readOnly: false, layout: __slotted_f11),
                        Slotted._SlotFieldSpec(name: "f12", type: .bool, readOnly: false, layout: __slotted_f12),
                        Slotted._SlotFieldSpec(name: "f13", type: .bool, readOnly: false, layout: __slotted_f13),
                        Slotted._SlotFieldSpec(name: "f14", type: .bool, readOnly: false, layout: __slotted_f14),
                        Slotted._SlotFieldSpec(name: "f15", type: .bool, readOnly: false, layout: __slotted_f15),
                        Slotted._SlotFieldSpec(name: "f16", type: .bool, readOnly: false, layout: __slotted_f16),
                        Slotted._SlotFieldSpec(name: "f17", type: .int, readOnly: false, layout: __slotted_f17),
                    ],
                    layoutEnd: __slotted_layoutEnd
                )

                /// The class in the space used last, for the initializers: a constant word the
                /// compiler initializes statically (no lazy-initialization check per construction).
                static let __slotted_cache = Slotted._SlotClassCache(0)

                /// Constructs a new instance in `space`, registering the class there on first use.
                ///
                /// - Throws: ``MemoryError``; ``ValueError`` or ``ReferenceError`` for a reference to
                ///   an instance of another space or a freed one. Nothing stays allocated when it throws.
                init(in space: borrowing Slotted.ObjectSpace, f0: borrowing Bool, f1: borrowing Bool, f2: borrowing Bool, f3: borrowing Bool, f4: borrowing Bool, f5: borrowing Bool, f6: borrowing Bool, f7: borrowing Bool, f8: borrowing Bool, f9: borrowing Bool, f10: borrowing Bool, f11: borrowing Bool, f12: borrowing Bool, f13: borrowing Bool, f14: borrowing Bool, f15: borrowing Bool, f16: borrowing Bool, f17: borrowing Int) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try instance._slottedInitialize(f0, Self.__slotted_f0)
                        try instance._slottedInitialize(f1, Self.__slotted_f1)
                        try instance._slottedInitialize(f2, Self.__slotted_f2)
                        try instance._slottedInitialize(f3, Self.__slotted_f3)
                        try instance._slottedInitialize(f4, Self.__slotted_f4)
                        try instance._slottedInitialize(f5, Self.__slotted_f5)
                        try instance._slottedInitialize(f6, Self.__slotted_f6)
                        try instance._slottedInitialize(f7, Self.__slotted_f7)
                        try instance._slottedInitialize(f8, Self.__slotted_f8)
                        try instance._slottedInitialize(f9, Self.__slotted_f9)
                        try instance._slottedInitialize(f10, Self.__slotted_f10)
                        try instance._slottedInitialize(f11, Self.__slotted_f11)
                        try instance._slottedInitialize(f12, Self.__slotted_f12)
                        try instance._slottedInitialize(f13, Self.__slotted_f13)
                        try instance._slottedInitialize(f14, Self.__slotted_f14)
                        try instance._slottedInitialize(f15, Self.__slotted_f15)
                        try instance._slottedInitialize(f16, Self.__slotted_f16)
                        try instance._slottedInitialize(f17, Self.__slotted_f17)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// Constructs a new instance in `space` from a snapshot of field values.
                init(in space: borrowing Slotted.ObjectSpace, fields: Fields) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try Self.__slotted_initialize(instance, fields)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// A view of an existing instance of this class or a subclass (for example one made
                /// through the dynamic API).
                ///
                /// - Throws: ``TypeError`` for an instance of another class, ``AttributeError`` when
                ///   a `let` field is unset, ``ReferenceError`` for a stale handle.
                init(_ instance: Slotted.Instance) throws {
                    try Self.__slotted_registration._check(instance)
                    self.init(__slotted_unchecked: instance)
                }

                init(__slotted_unchecked instance: Slotted.Instance) {
                    self.instance = instance
                }

                /// A snapshot of the field values, as plain Swift values (`dataclasses.astuple`):
                /// `fields`, `init(in:fields:)`, `replacing(_:)` and Codable use it.
                struct Fields: Sendable {
                    var f0: Bool
                    var f1: Bool
                    var f2: Bool
                    var f3: Bool
                    var f4: Bool
                    var f5: Bool
                    var f6: Bool
                    var f7: Bool
                    var f8: Bool
                    var f9: Bool
                    var f10: Bool
                    var f11: Bool
                    var f12: Bool
                    var f13: Bool
                    var f14: Bool
                    var f15: Bool
                    var f16: Bool
                    var f17: Int

                    init(f0: Bool, f1: Bool, f2: Bool, f3: Bool, f4: Bool, f5: Bool, f6: Bool, f7: Bool, f8: Bool, f9: Bool, f10: Bool, f11: Bool, f12: Bool, f13: Bool, f14: Bool, f15: Bool, f16: Bool, f17: Int) {
                        self.f0 = f0
                        self.f1 = f1
                        self.f2 = f2
                        self.f3 = f3
                        self.f4 = f4
                        self.f5 = f5
                        self.f6 = f6
                        self.f7 = f7
                        self.f8 = f8
                        self.f9 = f9
                        self.f10 = f10
                        self.f11 = f11
                        self.f12 = f12
                        self.f13 = f13
                        self.f14 = f14
                        self.f15 = f15
                        self.f16 = f16
                        self.f17 = f17
                    }
                }

                /// The current field values.
                var fields: Fields {
                    Fields(f0: f0, f1: f1, f2: f2, f3: f3, f4: f4, f5: f5, f6: f6, f7: f7, f8: f8, f9: f9, f10: f10, f11: f11, f12: f12, f13: f13, f14: f14, f15: f15, f16: f16, f17: f17)
                }

                static func __slotted_initialize(_ instance: Slotted.Instance, _ fields: Fields) throws {
                    try instance._slottedInitialize(fields.f0, Self.__slotted_f0)
                    try instance._slottedInitialize(fields.f1, Self.__slotted_f1)
                    try instance._slottedInitialize(fields.f2, Self.__slotted_f2)
                    try instance._slottedInitialize(fields.f3, Self.__slotted_f3)
                    try instance._slottedInitialize(fields.f4, Self.__slotted_f4)
                    try instance._slottedInitialize(fields.f5, Self.__slotted_f5)
                    try instance._slottedInitialize(fields.f6, Self.__slotted_f6)
                    try instance._slottedInitialize(fields.f7, Self.__slotted_f7)
                    try instance._slottedInitialize(fields.f8, Self.__slotted_f8)
                    try instance._slottedInitialize(fields.f9, Self.__slotted_f9)
                    try instance._slottedInitialize(fields.f10, Self.__slotted_f10)
                    try instance._slottedInitialize(fields.f11, Self.__slotted_f11)
                    try instance._slottedInitialize(fields.f12, Self.__slotted_f12)
                    try instance._slottedInitialize(fields.f13, Self.__slotted_f13)
                    try instance._slottedInitialize(fields.f14, Self.__slotted_f14)
                    try instance._slottedInitialize(fields.f15, Self.__slotted_f15)
                    try instance._slottedInitialize(fields.f16, Self.__slotted_f16)
                    try instance._slottedInitialize(fields.f17, Self.__slotted_f17)
                }
            }

            extension Wide: Slotted.SlotClassView {
            }
            """,
            macroSpecs: slotClassMacro
        )
    }
}

/// The accessors of each supported field type: a header check and a load or store at the compile-time offset.
final class SlotFieldAccessorTests: XCTestCase {
    /// The accessors `@SlotClass` gives a `Int` field.
    func testAccessorsInt() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Int
            }
            """,
            expandedSource: """
            struct S {
                var x: Int {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Double` field.
    func testAccessorsDouble() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Double
            }
            """,
            expandedSource: """
            struct S {
                var x: Double {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Bool` field.
    func testAccessorsBool() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Bool
            }
            """,
            expandedSource: """
            struct S {
                var x: Bool {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `String` field.
    func testAccessorsString() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: String
            }
            """,
            expandedSource: """
            struct S {
                var x: String {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Int32` field.
    func testAccessorsInt32() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Int32
            }
            """,
            expandedSource: """
            struct S {
                var x: Int32 {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Float` field.
    func testAccessorsFloat() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Float
            }
            """,
            expandedSource: """
            struct S {
                var x: Float {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `UInt8` field.
    func testAccessorsUInt8() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: UInt8
            }
            """,
            expandedSource: """
            struct S {
                var x: UInt8 {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Value` field.
    func testAccessorsValue() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Value
            }
            """,
            expandedSource: """
            struct S {
                var x: Value {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Instance` field.
    func testAccessorsInstance() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Instance
            }
            """,
            expandedSource: """
            struct S {
                var x: Instance {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Swift.Int` field.
    func testAccessorsQualifiedSwiftInt() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Swift.Int
            }
            """,
            expandedSource: """
            struct S {
                var x: Swift.Int {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Slotted.Value` field.
    func testAccessorsQualifiedSlottedValue() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Slotted.Value
            }
            """,
            expandedSource: """
            struct S {
                var x: Slotted.Value {
                    get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Int?` field.
    func testAccessorsOptionalInt() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Int?
            }
            """,
            expandedSource: """
            struct S {
                var x: Int? {
                    get {
                        instance._slottedGetOptional(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSetOptional(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Optional<String>` field.
    func testAccessorsOptionalGenericString() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Optional<String>
            }
            """,
            expandedSource: """
            struct S {
                var x: Optional<String> {
                    get {
                        instance._slottedGetOptional(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSetOptional(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Value?` field.
    func testAccessorsOptionalValue() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Value?
            }
            """,
            expandedSource: """
            struct S {
                var x: Value? {
                    get {
                        instance._slottedGetOptional(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSetOptional(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Event` field.
    func testAccessorsSlotClassType() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Event
            }
            """,
            expandedSource: """
            struct S {
                var x: Event {
                    get {
                        instance._slottedGetView(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSetView(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Event?` field.
    func testAccessorsOptionalSlotClassType() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Event?
            }
            """,
            expandedSource: """
            struct S {
                var x: Event? {
                    get {
                        instance._slottedGetOptionalView(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSetOptionalView(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Outer.Event` field.
    func testAccessorsNestedSlotClassType() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                var x: Outer.Event
            }
            """,
            expandedSource: """
            struct S {
                var x: Outer.Event {
                    get {
                        instance._slottedGetView(Self.__slotted_x, "x")
                    }
                    nonmutating set {
                        instance._slottedSetView(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }

    /// The accessors `@SlotClass` gives a `Int` field.
    func testAccessorsPublicFieldIsInlinable() {
        assertMacroExpansion(
            """
            struct S {
                @_SlotField
                public var x: Int
            }
            """,
            expandedSource: """
            struct S {
                public var x: Int {
                    @inlinable get {
                        instance._slottedGet(Self.__slotted_x, "x")
                    }
                    @inlinable nonmutating set {
                        instance._slottedSet(newValue, Self.__slotted_x, "x")
                    }
                }
            }
            """,
            macroSpecs: fieldMacro
        )
    }
}

/// Every compile-time diagnostic.
final class SlotClassDiagnosticTests: XCTestCase {
    /// Applied to a class.
    func testDiagnoseClass() {
        assertMacroExpansion(
            """
            @SlotClass
            class Event {
                var ts: Int = 0
            }
            """,
            expandedSource: """
            class Event {
                var ts: Int = 0
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass can only be applied to a struct, not to a class: the struct is a typed view over a slotted instance",
                    line: 1, column: 1, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// Applied to an enum.
    func testDiagnoseEnum() {
        assertMacroExpansion(
            """
            @SlotClass
            enum Kind {
                case click
            }
            """,
            expandedSource: """
            enum Kind {
                case click
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass can only be applied to a struct, not to an enum: the struct is a typed view over a slotted instance",
                    line: 1, column: 1, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A generic struct.
    func testDiagnoseGeneric() {
        assertMacroExpansion(
            """
            @SlotClass
            struct Box<T> {
                var x: Int
            }
            """,
            expandedSource: """
            struct Box<T> {
                @_SlotField
                var x: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass does not support generic structs: every field needs a slot type known at compile time",
                    line: 2, column: 8, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A struct with only computed properties and methods.
    func testDiagnoseComputedOnly() {
        assertMacroExpansion(
            """
            @SlotClass
            struct Derived {
                var twice: Int { 2 }
                func f() {}
            }
            """,
            expandedSource: """
            struct Derived {
                var twice: Int { 2 }
                func f() {}
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass struct 'Derived' has no stored properties: declare its fields as stored 'var' or 'let' properties (computed properties are not slots)",
                    line: 2, column: 8, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`[Int]`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeArray() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: [Int]
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: [Int]
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type '[Int]', which a slot cannot store; supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`Int64`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeInt64() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: Int64
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: Int64
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type 'Int64', which a slot cannot store (integer slots are Int (64-bit), Int32 and UInt8); supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`Date`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeDate() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: Date
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: Date
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type 'Date', which a slot cannot store; supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`(Int, Int)`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeTuple() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: (Int, Int)
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: (Int, Int)
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type '(Int, Int)', which a slot cannot store; supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`Int??`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeDoubleOptional() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: Int??
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: Int??
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type 'Int??', which a slot cannot store (a nested optional cannot be stored: an optional field is nil exactly when its slot is unset, so there is no second nil); supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`Int!`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeImplicitlyUnwrapped() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: Int!
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: Int!
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type 'Int!', which a slot cannot store (implicitly unwrapped optionals are not supported: declare it '?' (nil is an unset slot)); supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`() -> Void`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeFunction() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: () -> Void
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: () -> Void
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type '() -> Void', which a slot cannot store; supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`[String: Int]`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeDictionary() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: [String: Int]
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: [String: Int]
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type '[String: Int]', which a slot cannot store; supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// An unsupported field type (`Box<Int>`): the diagnostic names it.
    func testDiagnoseUnsupportedTypeGenericSlotClass() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var ok: Int
                var bad: Box<Int>
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var ok: Int
                var bad: Box<Int>
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'bad' has type 'Box<Int>', which a slot cannot store; supported: Int, Double, Bool, String, Int32, Float, UInt8, Value, Instance, another @SlotClass type, or an Optional of one of them",
                    line: 4, column: 14, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A field without a type annotation.
    func testDiagnoseMissingType() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var x = 0
            }
            """,
            expandedSource: """
            struct S {
                var x = 0
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'x' needs an explicit type annotation: @SlotClass lays the slots out from the declared types",
                    line: 3, column: 9, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// Static stored properties are not slots: they stay static, with a note (computed statics get none); the expansion proceeds.
    func testNoteStaticProperty() {
        assertMacroExpansion(
            """
            @SlotClass(description: false, equatable: false, codable: false, copy: false, replacing: false)
            struct S {
                static var count = 0
                static let unit: Double = 1
                static var computed: Int { 1 }
                var x: Int
            }
            """,
            expandedSource: """
            struct S {
                static var count = 0
                static let unit: Double = 1
                static var computed: Int { 1 }
                @_SlotField
                var x: Int

                /// The instance this view reads and writes: the same object through the dynamic API
                /// (`get`, `set`, `free`, `sizeof`, weak references).
                let instance: Slotted.Instance

                /// `x`: int slot 0, 8 bytes at offset 8.
                static var __slotted_x: Slotted._SlotFieldLayout {
                    Slotted._SlotFieldLayout(offset: 8, presenceOffset: 0, presenceMask: 0x01)
                }

                static var __slotted_slotCount: Int {
                    1
                }

                /// The layout ends at byte 16; instances take 16 bytes.
                static var __slotted_layoutEnd: Int {
                    16
                }

                /// The class this type defines in each space, registered on first use.
                static let __slotted_registration = Slotted._SlotClassRegistration(
                    name: "S",
                    base: nil,
                    fields: [
                        Slotted._SlotFieldSpec(name: "x", type: .int, readOnly: false, layout: __slotted_x),
                    ],
                    layoutEnd: __slotted_layoutEnd
                )

                /// The class in the space used last, for the initializers: a constant word the
                /// compiler initializes statically (no lazy-initialization check per construction).
                static let __slotted_cache = Slotted._SlotClassCache(0)

                /// Constructs a new instance in `space`, registering the class there on first use.
                ///
                /// - Throws: ``MemoryError``; ``ValueError`` or ``ReferenceError`` for a reference to
                ///   an instance of another space or a freed one. Nothing stays allocated when it throws.
                init(in space: borrowing Slotted.ObjectSpace, x: borrowing Int) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try instance._slottedInitialize(x, Self.__slotted_x)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// Constructs a new instance in `space` from a snapshot of field values.
                init(in space: borrowing Slotted.ObjectSpace, fields: Fields) throws {
                    let instance = try Slotted.Instance._slottedNew(in: space, cache: Self.__slotted_cache, Self.__slotted_registration)
                    do {
                        try Self.__slotted_initialize(instance, fields)
                    } catch {
                        instance._slottedDiscard()
                        throw error
                    }
                    self.instance = instance
                }

                /// A view of an existing instance of this class or a subclass (for example one made
                /// through the dynamic API).
                ///
                /// - Throws: ``TypeError`` for an instance of another class, ``AttributeError`` when
                ///   a `let` field is unset, ``ReferenceError`` for a stale handle.
                init(_ instance: Slotted.Instance) throws {
                    try Self.__slotted_registration._check(instance)
                    self.init(__slotted_unchecked: instance)
                }

                init(__slotted_unchecked instance: Slotted.Instance) {
                    self.instance = instance
                }

                /// A snapshot of the field values, as plain Swift values (`dataclasses.astuple`):
                /// `fields`, `init(in:fields:)`, `replacing(_:)` and Codable use it.
                struct Fields: Sendable {
                    var x: Int

                    init(x: Int) {
                        self.x = x
                    }
                }

                /// The current field values.
                var fields: Fields {
                    Fields(x: x)
                }

                static func __slotted_initialize(_ instance: Slotted.Instance, _ fields: Fields) throws {
                    try instance._slottedInitialize(fields.x, Self.__slotted_x)
                }
            }

            extension S: Slotted.SlotClassView {
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "static property 'count' is not a slot: it stays an ordinary static property of 'S', shared by every instance and invisible to the dynamic API",
                    line: 3, column: 16, severity: .note
                ),
                DiagnosticSpec(
                    message: "static property 'unit' is not a slot: it stays an ordinary static property of 'S', shared by every instance and invisible to the dynamic API",
                    line: 4, column: 16, severity: .note
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// The same field name twice.
    func testDiagnoseDuplicate() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var x: Int
                var x: Double
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var x: Int
                @_SlotField
                var x: Double
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "duplicate field 'x': each slot name may appear once",
                    line: 4, column: 9, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// Names the macro generates.
    func testDiagnoseReservedName() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var instance: Int
                var fields: Int
            }
            """,
            expandedSource: """
            struct S {
                var instance: Int
                var fields: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field name 'instance' is reserved: @SlotClass generates a member with this name",
                    line: 3, column: 9, severity: .error
                ),
                DiagnosticSpec(
                    message: "field name 'fields' is reserved: @SlotClass generates a member with this name",
                    line: 4, column: 9, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A `__name` that Python would mangle.
    func testDiagnoseMangledName() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var __secret: Int
            }
            """,
            expandedSource: """
            struct S {
                var __secret: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field name '__secret' starts with '__': Python mangles such private names in __slots__; choose a name without the double underscore",
                    line: 3, column: 9, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// Two fields in one declaration.
    func testDiagnoseMultipleBindings() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var a: Int, b: Int
            }
            """,
            expandedSource: """
            struct S {
                var a: Int, b: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass needs one field per declaration: write each 'var' or 'let' on its own",
                    line: 3, column: 5, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A tuple pattern.
    func testDiagnoseTuplePattern() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var (a, b): (Int, Int)
            }
            """,
            expandedSource: """
            struct S {
                var (a, b): (Int, Int)
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass fields must be simple names, not tuple patterns",
                    line: 3, column: 9, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A lazy field.
    func testDiagnoseLazy() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                lazy var x: Int = 0
            }
            """,
            expandedSource: """
            struct S {
                lazy var x: Int = 0
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'x' is 'lazy': a slot has no lazy initializer; make it an Optional or give it a default",
                    line: 3, column: 5, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A property wrapper on a field.
    func testDiagnosePropertyWrapper() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                @Clamped var x: Int
            }
            """,
            expandedSource: """
            struct S {
                @Clamped var x: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'x' has a property wrapper: slot fields cannot be wrapped",
                    line: 3, column: 5, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// Observers on a field.
    func testDiagnoseObservers() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var x: Int {
                    didSet { print(x) }
                }
            }
            """,
            expandedSource: """
            struct S {
                var x: Int {
                    didSet { print(x) }
                }
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'x' has willSet/didSet observers: a slot field is a plain stored property (write the reaction in a method instead)",
                    line: 3, column: 16, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A `let` field with an initial value could never be set.
    func testDiagnoseLetWithDefault() {
        assertMacroExpansion(
            """
            @SlotClass
            struct S {
                var x: Int
                let y: Int = 3
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var x: Int
                let y: Int = 3
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "'let' field 'y' has an initial value, so the initializer could never set it: remove the value (pass it when constructing) or declare the field 'var'",
                    line: 4, column: 16, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// A conformance flag that is not a Boolean literal.
    func testDiagnoseNonLiteralFlag() {
        assertMacroExpansion(
            """
            @SlotClass(equatable: flag)
            struct S {
                var x: Int
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var x: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass argument 'equatable' must be a Boolean literal ('true' or 'false')",
                    line: 1, column: 23, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// `base:` not written as `Type.self`.
    func testDiagnoseBadBase() {
        assertMacroExpansion(
            """
            @SlotClass(base: Event)
            struct S {
                var x: Int
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var x: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass(base:) expects a @SlotClass type as 'TypeName.self'",
                    line: 1, column: 18, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }

    /// Hashable without Equatable.
    func testDiagnoseHashableWithoutEquatable() {
        assertMacroExpansion(
            """
            @SlotClass(equatable: false, hashable: true)
            struct S {
                var x: Int
            }
            """,
            expandedSource: """
            struct S {
                @_SlotField
                var x: Int
            }
            """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@SlotClass(equatable: false, hashable: true) is contradictory: Hashable requires Equatable",
                    line: 1, column: 1, severity: .error
                ),
            ],
            macroSpecs: slotClassMacro
        )
    }
}

/// The compiler plugin itself.
final class SlottedMacrosPluginTests: XCTestCase {
    /// The plugin hands the compiler both macros the `SlottedMacros` declarations name.
    func testPluginProvidesBothMacros() {
        let names = SlottedMacrosPluginEntry.macros.map { String(describing: $0) }
        XCTAssertEqual(names, ["SlotClassMacro", "SlotFieldMacro"])
    }
}
