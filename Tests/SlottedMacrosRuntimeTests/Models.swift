import SlottedMacros

// The @SlotClass types the runtime tests use.

/// The README's example.
@SlotClass
struct Event {
    var ts: Int
    var kind: String
    var value: Double = 0
    let source: Int
}

/// A derived class: Event's slots, then its own.
@SlotClass(base: Event.self)
struct Click {
    var x: Int32
    var y: Int32
    var button: UInt8 = 1
    var label: String?
}

/// Every supported field type, declared smallest first so the layout has to reorder them.
@SlotClass
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
    var maybeInt: Int?
    var maybeName: String?
    var maybeEvent: Event?
    var maybeAny: Value?
}

/// Untyped fields (Python's plain slots), one of them optional.
@SlotClass
struct Untyped {
    var v: Value
    var w: Value?
    var label: String = "u"
}

/// A linked list node: a field of its own type, optional (nil is an unset slot).
@SlotClass
struct Node {
    var value: Int
    var next: Node?
}

/// More than 16 fields: slots 16 and up keep their presence bits past the header.
@SlotClass
struct Wide {
    var f0: Int = 0
    var f1: Bool = false
    var f2: Int = 2
    var f3: Int32 = 3
    var f4: Int = 4
    var f5: Double = 5
    var f6: Int = 6
    var f7: UInt8 = 7
    var f8: Int = 8
    var f9: Int = 9
    var f10: String = "ten"
    var f11: Int = 11
    var f12: Int = 12
    var f13: Int = 13
    var f14: Float = 14
    var f15: Int = 15
    var f16: Int?
    var f17: Bool = true
    var f18: String?
    var f19: Int32 = 19
}

/// A derived class whose own slots start past the header's 16 presence bits.
@SlotClass(base: Wide.self)
struct WideChild {
    var extra: Int
    var tag: Bool?
}

/// Every conformance turned off.
@SlotClass(description: false, equatable: false, codable: false, copy: false, replacing: false)
struct Bare {
    var n: Int
}

/// Defaults, statics, computed properties and methods next to the fields.
@SlotClass
struct Settings {
    static let version = 3          // not a slot (the macro notes it)
    nonisolated(unsafe) static var created = 0  // not a slot either
    var width: Int = 80
    var height: Int = 24
    var title: String = "untitled"
    var area: Int { width * height }  // computed: not a slot
    func scaled(_ k: Int) -> Int { area * k }
}

/// A public type: accessors and layout constants are inlinable.
@SlotClass
public struct PublicPoint {
    public var x: Double
    public var y: Double
}
