//===----------------------------------------------------------------------===//
//
// MacroClass.swift: the @SlotClass row of the report: the article's event as a
// compile-time slot class, against the dynamic typed class and the native one.
//
//===----------------------------------------------------------------------===//

import Slotted
import SlottedMacros

/// The article's event as a `@SlotClass`: the same slots as the typed `EventSlots`.
@SlotClass
struct MacroEvent {
    var ts: Int
    var kind: String
    var value: Double
}

/// The macro class against the dynamic typed class, each pair timed in the same run.
struct MacroFigures: Codable {
    /// `MacroEvent(in:ts:kind:value:)` against the typed initializer, `new { e in ... }`.
    var constructVsTyped: Comparison
    /// The same against `NativeEvent(...)`.
    var constructVsNative: Comparison
    /// `e.value` against `e[value]`, sequential.
    var readVsTyped: Comparison
    /// `e.value` against the native class's `let` property.
    var readVsNative: Comparison
    /// `e.value = x` against `e[value] = x`.
    var writeVsTyped: Comparison
    /// Bytes per instance the arena counts for the macro class.
    var bytesPerInstance: Double
}

/// Measures the `@SlotClass` row: `count` instances, median of `runs` interleaved samples.
func measureMacroClass(count: Int, runs: Int, opsPerSample: Int) throws -> MacroFigures {
    Progress.note("@SlotClass: construction and access, \(count.grouped) instances x \(runs) runs")
    let space = ObjectSpace()
    let typedClass = try EventClassDefinitions.typedSlots(in: space)
    let tsSlot = try typedClass.slot("ts", as: Int.self)
    let kindSlot = try typedClass.slot("kind", as: String.self)
    let valueSlot = try typedClass.slot("value", as: Double.self)

    var macros = ContiguousArray<MacroEvent>()
    var typed = ContiguousArray<Instance>()
    var natives = ContiguousArray<NativeEvent>()
    macros.reserveCapacity(count)
    typed.reserveCapacity(count)
    natives.reserveCapacity(count)

    // Bytes: the arena's count for `count` macro instances.
    space.memory.resetPeak()
    let before = space.memory.allocatedBytes
    for i in 0..<count { macros.append(try MacroEvent(in: space, ts: i, kind: "click", value: Double(i) * 1.5)) }
    let bytesPerInstance = Double(space.memory.allocatedBytes - before) / Double(count)
    for m in macros { space.free(m.instance) }
    macros.removeAll(keepingCapacity: true)

    var macroConstruct: [Double] = [], typedConstruct: [Double] = [], nativeConstruct: [Double] = []
    var macroRead: [Double] = [], typedRead: [Double] = [], nativeRead: [Double] = []
    var macroWrite: [Double] = [], typedWrite: [Double] = []
    let passes = max(1, opsPerSample / count)
    let macroStorage = UnsafeMutablePointer<MacroEvent>.allocate(capacity: count)
    let typedStorage = UnsafeMutablePointer<Instance>.allocate(capacity: count)
    let nativeStorage = UnsafeMutablePointer<NativeEvent>.allocate(capacity: count)
    defer {
        macroStorage.deallocate()
        typedStorage.deallocate()
        nativeStorage.deallocate()
    }
    for run in 0...runs {  // run 0 warms the pools up
        // Construction, each kind through the same harness (see timeConstructions), each
        // timed right after an untimed pass that builds and frees as many.
        let makeMacro = { (i: Int) in try MacroEvent(in: space, ts: i, kind: "click", value: Double(i) * 1.5) }
        _ = try timeConstructions(count, into: macroStorage, makeMacro)
        for k in 0..<count { space.free(macroStorage[k].instance) }
        macroStorage.deinitialize(count: count)
        let m = try timeConstructions(count, into: macroStorage, makeMacro)
        let makeTyped = { (i: Int) in
            try typedClass.new { e in
                e[tsSlot] = i
                e[kindSlot] = "click"
                e[valueSlot] = Double(i) * 1.5
            }
        }
        _ = try timeConstructions(count, into: typedStorage, makeTyped)
        for k in 0..<count { space.free(typedStorage[k]) }
        typedStorage.deinitialize(count: count)
        let t = try timeConstructions(count, into: typedStorage, makeTyped)
        let makeNative = { (i: Int) in NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5) }
        _ = timeConstructions(count, into: nativeStorage, makeNative)
        nativeStorage.deinitialize(count: count)
        let n = timeConstructions(count, into: nativeStorage, makeNative)
        macros.append(contentsOf: UnsafeBufferPointer(start: macroStorage, count: count))
        typed.append(contentsOf: UnsafeBufferPointer(start: typedStorage, count: count))
        natives.append(contentsOf: UnsafeBufferPointer(start: nativeStorage, count: count))
        macroStorage.deinitialize(count: count)
        typedStorage.deinitialize(count: count)
        nativeStorage.deinitialize(count: count)

        let mr = readMacro(macros, passes: passes)
        let tr = readTyped(typed, valueSlot, passes: passes)
        let nr = readNative(natives, passes: passes)
        let mw = writeMacro(macros, passes: passes)
        let tw = writeTyped(typed, valueSlot, passes: passes)

        for e in macros { space.free(e.instance) }
        for e in typed { space.free(e) }
        macros.removeAll(keepingCapacity: true)
        typed.removeAll(keepingCapacity: true)
        natives.removeAll(keepingCapacity: true)
        guard run > 0 else { continue }
        macroConstruct.append(m)
        typedConstruct.append(t)
        nativeConstruct.append(n)
        macroRead.append(mr)
        typedRead.append(tr)
        nativeRead.append(nr)
        macroWrite.append(mw)
        typedWrite.append(tw)
    }
    return MacroFigures(
        constructVsTyped: Comparison(ns: median(macroConstruct), baselineNs: median(typedConstruct)),
        constructVsNative: Comparison(ns: median(macroConstruct), baselineNs: median(nativeConstruct)),
        readVsTyped: Comparison(ns: median(macroRead), baselineNs: median(typedRead)),
        readVsNative: Comparison(ns: median(macroRead), baselineNs: median(nativeRead)),
        writeVsTyped: Comparison(ns: median(macroWrite), baselineNs: median(typedWrite)),
        bytesPerInstance: bytesPerInstance)
}

@inline(never)
private func readMacro(_ events: ContiguousArray<MacroEvent>, passes: Int) -> Double {
    var accumulator: UInt64 = 0
    let start = ContinuousClock.now
    for _ in 0..<passes {
        for i in 0..<events.count { accumulator &+= events[i].value.bitPattern }
    }
    let elapsed = nanoseconds(since: start)
    blackHole(accumulator)
    return elapsed / Double(passes * events.count)
}

@inline(never)
private func readTyped(_ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int) -> Double {
    var accumulator: UInt64 = 0
    let start = ContinuousClock.now
    for _ in 0..<passes {
        for i in 0..<events.count { accumulator &+= events[i][slot].bitPattern }
    }
    let elapsed = nanoseconds(since: start)
    blackHole(accumulator)
    return elapsed / Double(passes * events.count)
}

@inline(never)
private func readNative(_ objects: ContiguousArray<NativeEvent>, passes: Int) -> Double {
    var accumulator: UInt64 = 0
    let start = ContinuousClock.now
    for _ in 0..<passes {
        for i in 0..<objects.count { accumulator &+= objects[i].value.bitPattern }
    }
    let elapsed = nanoseconds(since: start)
    blackHole(accumulator)
    return elapsed / Double(passes * objects.count)
}

@inline(never)
private func writeMacro(_ events: ContiguousArray<MacroEvent>, passes: Int) -> Double {
    let start = ContinuousClock.now
    for p in 0..<passes {
        for i in 0..<events.count { events[i].value = Double(i &+ p) }
    }
    let elapsed = nanoseconds(since: start)
    blackHole(events[0].value)
    return elapsed / Double(passes * events.count)
}

@inline(never)
private func writeTyped(_ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int) -> Double {
    let start = ContinuousClock.now
    for p in 0..<passes {
        for i in 0..<events.count { events[i][slot] = Double(i &+ p) }
    }
    let elapsed = nanoseconds(since: start)
    blackHole(events[0][slot])
    return elapsed / Double(passes * events.count)
}
