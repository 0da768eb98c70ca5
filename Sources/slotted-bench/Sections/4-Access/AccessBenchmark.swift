//===----------------------------------------------------------------------===//
//
// AccessBenchmark.swift: report section 4, access speed: nanoseconds per
// operation, each beside its native Swift baseline measured in the same run,
// runs interleaved, medians reported. This file builds the instances and runs
// the row groups in order; each group's loops are in its own file beside it.
//
//===----------------------------------------------------------------------===//

import Slotted

/// Runs every access benchmark. The instances are built once; each sample
/// times `opsPerSample` operations, slotted and baseline samples alternate.
struct AccessBenchmark {
    var count: Int
    var opsPerSample: Int
    var runs: Int
    var releaseCount: Int
    static let hotSet = 1024

    func run() throws -> AccessFigures {
        Progress.note("access: building \(count.grouped) typed instances and native objects")
        let space = ObjectSpace()
        let eventSlots = try EventClassDefinitions.typedSlots(in: space)
        let valueSlot = try eventSlots.slot("value", as: Double.self)

        var events = ContiguousArray<Instance>()
        var natives = ContiguousArray<NativeEvent>()
        var mutables = ContiguousArray<NativeMutableEvent>()
        events.reserveCapacity(count)
        natives.reserveCapacity(count)
        mutables.reserveCapacity(count)
        for i in 0..<count {
            events.append(try eventSlots(.int(i), "click", .double(Double(i) * 1.5)))
            natives.append(NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
            mutables.append(NativeMutableEvent(ts: i, kind: "click", value: Double(i) * 1.5))
        }
        let order = shuffledIndices(count: count)
        let passes = max(1, opsPerSample / count)

        let typed = measureTypedSlots(events, natives, mutables, valueSlot, order: order, passes: passes)

        Progress.note("access: by-name get and set, \(runs) runs")
        let pointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        let pointDict = try space.defineClass("PointDict")
        var hotSlots = ContiguousArray<Instance>()
        var hotDicts = ContiguousArray<Instance>()
        var hotTables = ContiguousArray<Instance>()
        var nativeDicts = ContiguousArray<[String: Double]>()
        for i in 0..<Self.hotSet {
            hotSlots.append(try pointSlots(.double(Double(i)), 2.0))
            hotDicts.append(try pointDict(x: .double(Double(i)), y: 2.0))
            // Dictionary mode: deleting an attribute other than the last-added one.
            let table = try pointDict(x: .double(Double(i)), y: 2.0)
            try table.delete("x")
            try table.set("x", .double(Double(i)))
            hotTables.append(table)
            nativeDicts.append(["x": Double(i), "y": 2.0])
        }
        let ops = opsPerSample
        let byName = try measureByName(hotSlots, hotDicts, hotTables, &nativeDicts, ops: ops)
        let randomAgain = measureRandomRead(events, natives, valueSlot, order: order, passes: passes)
        let shapeCount = space.memory.stats.shapeCount
        let hostSites = try measureHostSites(space, events, valueSlot, passes: passes)
        let randomLast = measureRandomRead(events, natives, valueSlot, order: order, passes: passes)
        let randomRead = [typed.readRandom, randomAgain, randomLast].sorted { $0.ratio < $1.ratio }[1]
        withExtendedLifetime((events, natives, mutables, hotSlots, hotDicts, hotTables)) {}

        let construction = try measureConstructionAndFree()
        let release = try measureSpaceRelease()

        return AccessFigures(
            workingSet: count, hotSet: Self.hotSet, opsPerSample: ops, runs: runs,
            typedReadSequential: typed.readSequential, typedReadRandom: randomRead,
            checkCostSequential: typed.checkSequential, checkCostRandom: typed.checkRandom,
            typedWriteSequential: typed.writeSequential, typedWriteRandom: typed.writeRandom,
            byNameGet: byName.nameGet, byNameSet: byName.nameSet, dictGet: byName.dictGet, dictSet: byName.dictSet,
            tableGet: byName.tableGet, tableSet: byName.tableSet, shapeCount: shapeCount,
            constructTyped: construction.typed, constructTypedKeyword: construction.typedKeyword,
            constructPositional: construction.positional, constructSignature: construction.signature,
            constructTypedStores: construction.typedStores,
            constructTypedInitializer: construction.typedInitializer,
            constructBulk: construction.bulk,
            constructBulkVsFill: construction.bulkVsFill,
            constructUntyped: construction.untyped, constructUntypedKeyword: construction.untypedKeyword,
            constructDict: construction.dict,
            free: construction.free, spaceRelease: release, hostSites: hostSites)
    }
}
