//===----------------------------------------------------------------------===//
//
// Build.swift: building N events of one kind and weighing them, the way
// tracemalloc weighs the article's list of events.
//
//===----------------------------------------------------------------------===//

import Slotted

/// The five ways to hold N events that the report compares.
enum ObjectKind: String, CaseIterable, Codable, Sendable {
    /// A Slotted class without slots: every instance has a dict, shaped (values in the cell
    /// at the positions of a shape the class's instances share).
    case dict = "dict"
    /// The same class with every dictionary in dictionary mode: a hash table per instance,
    /// as each CPython dict instance has (the article's baseline).
    case dictTable = "dict_table"
    /// A Slotted class with untyped slots (each holds any `Value`).
    case untypedSlots = "untyped_slots"
    /// A Slotted class with typed slots (`ts: .int, kind: .string, value: .double`).
    case typedSlots = "typed_slots"
    /// `final class NativeEvent`, one heap object each.
    case nativeClass = "native_class"
    /// `ContiguousArray<EventRecord>`: the fields inline, no object.
    case structArray = "struct_array"

    /// The name in tables and the chart legend.
    var label: String {
        switch self {
        case .dict: "EventDict (shaped dict)"
        case .dictTable: "EventDict (hash table)"
        case .untypedSlots: "EventSlots (untyped)"
        case .typedSlots: "EventSlots (typed)"
        case .nativeClass: "native final class"
        case .structArray: "ContiguousArray<struct>"
        }
    }

    /// A short column heading.
    var shortLabel: String {
        switch self {
        case .dict: "dict"
        case .dictTable: "table"
        case .untypedSlots: "untyped"
        case .typedSlots: "typed"
        case .nativeClass: "class"
        case .structArray: "struct[]"
        }
    }

    /// How this kind's bytes are counted.
    var weighing: String {
        switch self {
        case .dict, .dictTable, .untypedSlots, .typedSlots: "arena peak delta"
        case .nativeClass: "jemalloc stats.allocated delta"
        case .structArray: "capacity x stride"
        }
    }
}

/// N events of one kind, built once and weighed.
struct BuildResult: Codable {
    var kind: ObjectKind
    var n: Int
    /// Bytes the N events took (see ``ObjectKind/weighing``).
    var bytes: Int
    /// Wall time of the construction loop.
    var nanoseconds: Double
    /// For the arena kinds, how much the memory the arena holds from the system
    /// grew (jemalloc's active pages of the arena: slabs with their headers and
    /// guard pages, dict blocks). Nil for the native kinds.
    var reservedBytes: Int?
    /// Shapes of the space's dictionaries after the build (arena kinds).
    var shapeCount: Int? = nil

    var bytesPerInstance: Double { Double(bytes) / Double(n) }
    var nanosecondsPerInstance: Double { nanoseconds / Double(n) }
}

/// The three Slotted event classes of the article, defined in `space`.
enum EventClassDefinitions {
    static func dict(in space: ObjectSpace) throws -> SlotClass {
        try space.defineClass("EventDict")
    }

    /// `EventDict(ts=i, kind='click', value=i * 1.5)` in dictionary mode from its start: its
    /// dictionary is a per-instance hash table, as after a `del` of an attribute that was not
    /// the last one added, and its cell has no room for values.
    static func dictionaryModeEvent(_ eventDict: SlotClass, _ i: Int) throws -> Instance {
        let e = try eventDict.new()
        try e._forceDictionaryMode()
        try e.set("ts", .int(i))
        try e.set("kind", "click")
        try e.set("value", .double(Double(i) * 1.5))
        return e
    }

    static func untypedSlots(in space: ObjectSpace) throws -> SlotClass {
        try space.defineClass("EventSlots", slots: ["ts", "kind", "value"])
    }

    static func typedSlots(in space: ObjectSpace) throws -> SlotClass {
        try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
    }
}

/// Builds `n` events of `kind` (`ts = i`, `kind = "click"`, `value = i * 1.5`)
/// into a fresh object space (or the process heap for the native kinds) and
/// weighs them.
func build(_ kind: ObjectKind, n: Int) throws -> BuildResult {
    switch kind {
    case .dict:
        return try buildInFreshSpace(kind, n: n, define: EventClassDefinitions.dict) { eventDict, i in
            try eventDict(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))
        }
    case .dictTable:
        return try buildInFreshSpace(kind, n: n, define: EventClassDefinitions.dict) { eventDict, i in
            try EventClassDefinitions.dictionaryModeEvent(eventDict, i)
        }
    case .untypedSlots:
        return try buildInFreshSpace(kind, n: n, define: EventClassDefinitions.untypedSlots) { eventSlots, i in
            try eventSlots(.int(i), "click", .double(Double(i) * 1.5))
        }
    case .typedSlots:
        return try buildInFreshSpace(kind, n: n, define: EventClassDefinitions.typedSlots) { eventSlots, i in
            try eventSlots(.int(i), "click", .double(Double(i) * 1.5))
        }
    case .nativeClass:
        return buildNativeClasses(n: n)
    case .structArray:
        return buildStructArray(n: n)
    }
}

/// tracemalloc's method over a fresh arena: reset the peak, build all `n`
/// instances into an array, and take the peak's rise. The array of handles is
/// ordinary Swift memory outside the arena and is reserved before, so it is
/// not counted (tracemalloc does count CPython's list: 8 bytes a slot).
@inline(__always)
private func buildInFreshSpace(
    _ kind: ObjectKind,
    n: Int,
    define: (ObjectSpace) throws -> SlotClass,
    make: (SlotClass, Int) throws -> Instance
) throws -> BuildResult {
    let space = ObjectSpace()
    let eventClass = try define(space)
    var instances = ContiguousArray<Instance>()
    instances.reserveCapacity(n)

    let reservedBefore = space.memory.reservedBytes
    space.memory.resetPeak()
    let peakBefore = space.memory.peakBytes
    let start = ContinuousClock.now
    for i in 0..<n {
        instances.append(try make(eventClass, i))
    }
    let elapsed = nanoseconds(since: start)
    let peak = space.memory.peakBytes - peakBefore
    let reserved = space.memory.reservedBytes - reservedBefore

    withExtendedLifetime(instances) {}
    return BuildResult(kind: kind, n: n, bytes: peak, nanoseconds: elapsed, reservedBytes: reserved,
                       shapeCount: space.memory.stats.shapeCount)
}

/// `n` `NativeEvent` objects, weighed by jemalloc's process-wide allocated
/// bytes before and after (the array of references is reserved before). When
/// the build has no jemalloc, the objects' size classes are added up instead.
private func buildNativeClasses(n: Int) -> BuildResult {
    var objects = ContiguousArray<NativeEvent>()
    objects.reserveCapacity(n)

    let before = ProcessHeap.allocatedBytes()
    let start = ContinuousClock.now
    for i in 0..<n {
        objects.append(NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
    }
    let elapsed = nanoseconds(since: start)
    var bytes = ProcessHeap.allocatedBytes() - before
    if bytes <= 0 {
        bytes = objects.reduce(0) { $0 + ProcessHeap.usableSize(of: $1) }
    }

    withExtendedLifetime(objects) {}
    return BuildResult(kind: .nativeClass, n: n, bytes: bytes, nanoseconds: elapsed)
}

/// `n` `EventRecord` values inline in a `ContiguousArray`: capacity x stride.
private func buildStructArray(n: Int) -> BuildResult {
    var records = ContiguousArray<EventRecord>()
    records.reserveCapacity(n)

    let start = ContinuousClock.now
    for i in 0..<n {
        records.append(EventRecord(ts: i, kind: "click", value: Double(i) * 1.5))
    }
    let elapsed = nanoseconds(since: start)
    let bytes = records.capacity * MemoryLayout<EventRecord>.stride

    withExtendedLifetime(records) {}
    return BuildResult(kind: .structArray, n: n, bytes: bytes, nanoseconds: elapsed)
}
