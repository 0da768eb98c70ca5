//===----------------------------------------------------------------------===//
//
// Fixtures.swift: the instances and native objects the benchmarks work on,
// built once in each benchmark's setup.
//
//===----------------------------------------------------------------------===//

import Slotted

/// The native counterpart of `EventSlots`: a final class with `let` properties.
final class NativeEvent {
    let ts: Int
    let kind: String
    let value: Double

    init(ts: Int, kind: String, value: Double) {
        self.ts = ts
        self.kind = kind
        self.value = value
    }
}

/// The same with `var` properties, for the write baseline.
final class NativeMutableEvent {
    var ts: Int
    var kind: String
    var value: Double

    init(ts: Int, kind: String, value: Double) {
        self.ts = ts
        self.kind = kind
        self.value = value
    }
}

/// The article's event classes in one object space.
final class EventClasses {
    let space = ObjectSpace()
    /// `EventSlots` with typed slots: `ts: .int, kind: .string, value: .double`.
    let typed: SlotClass
    /// `EventDict`: no slots, a dict per instance.
    let dict: SlotClass
    /// The typed class's accessors.
    let ts: SlotAccessor<Int>
    let kind: SlotAccessor<String>
    let value: SlotAccessor<Double>

    init() throws {
        typed = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        dict = try space.defineClass("EventDict")
        ts = try typed.slot("ts", as: Int.self)
        kind = try typed.slot("kind", as: String.self)
        value = try typed.slot("value", as: Double.self)
    }
}

/// `count` typed events and as many native objects.
final class EventFixture {
    let classes: EventClasses
    let value: SlotAccessor<Double>
    let events: ContiguousArray<Instance>
    let natives: ContiguousArray<NativeEvent>
    let mutables: ContiguousArray<NativeMutableEvent>

    init(count: Int) throws {
        classes = try EventClasses()
        value = try classes.typed.slot("value", as: Double.self)
        var events = ContiguousArray<Instance>()
        var natives = ContiguousArray<NativeEvent>()
        var mutables = ContiguousArray<NativeMutableEvent>()
        for i in 0..<count {
            events.append(try classes.typed(.int(i), "click", .double(Double(i) * 1.5)))
            natives.append(NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
            mutables.append(NativeMutableEvent(ts: i, kind: "click", value: Double(i) * 1.5))
        }
        self.events = events
        self.natives = natives
        self.mutables = mutables
    }
}

/// `count` points of the article's first program, slotted and dict, and as
/// many `[String: Double]` dictionaries for the baseline.
final class PointFixture {
    let space = ObjectSpace()
    let slotted: ContiguousArray<Instance>
    let dicts: ContiguousArray<Instance>
    /// Taken out by the set benchmark while it runs, so that writing to it
    /// never copies.
    var dictionaries: ContiguousArray<[String: Double]>

    init(count: Int) throws {
        let pointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        let pointDict = try space.defineClass("PointDict")
        var slotted = ContiguousArray<Instance>()
        var dicts = ContiguousArray<Instance>()
        var dictionaries = ContiguousArray<[String: Double]>()
        for i in 0..<count {
            slotted.append(try pointSlots(.double(Double(i)), 2.0))
            dicts.append(try pointDict(x: .double(Double(i)), y: 2.0))
            dictionaries.append(["x": Double(i), "y": 2.0])
        }
        self.slotted = slotted
        self.dicts = dicts
        self.dictionaries = dictionaries
    }
}

/// The bits of a `Value`, folded into a checksum.
@inline(__always)
func bits(of value: Value) -> UInt64 {
    switch value {
    case .double(let double): double.bitPattern
    case .int(let int): UInt64(bitPattern: Int64(int))
    default: 1
    }
}
