//===----------------------------------------------------------------------===//
//
// AccessSpeed.swift: nanoseconds per operation, each beside its native Swift
// baseline measured in the same run, runs interleaved, medians reported.
//
//===----------------------------------------------------------------------===//

import Slotted

/// One operation's median time beside its baseline's.
struct Comparison: Codable {
    /// Median nanoseconds per operation.
    var ns: Double
    /// Median nanoseconds per operation of the baseline.
    var baselineNs: Double
    /// `ns / baselineNs`: below 1 is faster than the baseline.
    var ratio: Double

    init(ns: Double, baselineNs: Double) {
        self.ns = ns
        self.baselineNs = baselineNs
        self.ratio = baselineNs > 0 ? ns / baselineNs : .infinity
    }
}

/// Dropping a whole object space against dropping as many native objects.
struct SpaceRelease: Codable {
    var instances: Int
    /// Time of `space = nil` once every handle and class object is gone.
    var spaceNs: Double
    /// Time of dropping a `ContiguousArray` of as many `NativeEvent` objects.
    var nativeArrayNs: Double
    /// Whether the space was uniquely referenced when dropped, i.e. its deinit
    /// really ran inside the timed region.
    var spaceWasUniquelyReferenced: Bool
}

/// The access-speed section of the report.
struct AccessFigures: Codable {
    /// Instances the typed read and write loops go through.
    var workingSet: Int
    /// Instances the by-name loops cycle through (hot in cache, like timeit's
    /// single object).
    var hotSet: Int
    /// Operations timed per sample.
    var opsPerSample: Int
    var runs: Int

    /// `e[value]` against `NativeEvent.value` (a `let`), in index order.
    var typedReadSequential: Comparison
    /// The same in a fixed shuffled order.
    var typedReadRandom: Comparison
    /// `e[value]` against the same load without the header check (the cost of stale-handle,
    /// class and presence detection), sequential and random.
    var checkCostSequential: Comparison
    var checkCostRandom: Comparison
    /// `e[value] = x` against `NativeMutableEvent.value = x` (a `var`).
    var typedWriteSequential: Comparison
    var typedWriteRandom: Comparison
    /// `PointSlots.get("x")` against a `[String: Double]` lookup.
    var byNameGet: Comparison
    /// `PointSlots.set("x", ...)` against a `[String: Double]` store.
    var byNameSet: Comparison
    /// `PointDict.get("x")` against a `[String: Double]` lookup.
    var dictGet: Comparison
    /// `PointDict.set("x", ...)` against a `[String: Double]` store.
    var dictSet: Comparison
    /// Positional `EventSlots(i, "click", i * 1.5)` (typed) against
    /// `NativeEvent(...)`, both into preallocated storage, warm memory.
    var constructTyped: Comparison
    /// Keyword construction of the typed class.
    var constructTypedKeyword: Comparison
    /// `new()` followed by three typed accessor stores: construction without
    /// the `Value` arguments of the dynamic call.
    var constructTypedStores: Comparison
    /// `new { e in e[ts] = i; ... }`: the typed initializer, header written once.
    var constructTypedInitializer: Comparison
    /// `new(count: n) { i, e in ... }`: all `n` cells from one arena call, per instance.
    var constructBulk: Comparison
    var constructUntyped: Comparison
    /// Keyword construction of `EventDict`.
    var constructDict: Comparison
    /// `space.free(e)` against releasing the last reference to a native object.
    var free: Comparison
    var spaceRelease: SpaceRelease
}

/// Folds a `Value` into bits for a checksum, without calls.
@inline(__always)
private func bits(of value: Value) -> UInt64 {
    switch value {
    case .double(let double): double.bitPattern
    case .int(let int): UInt64(bitPattern: Int64(int))
    case .bool(let bool): bool ? 1 : 2
    default: 3
    }
}

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

        Progress.note("access: typed reads and writes, \(runs) runs")
        let readSeq = interleave(
            { Self.typedRead(events, valueSlot, passes: passes) },
            { Self.nativeRead(natives, passes: passes) })
        let readRandom = interleave(
            { Self.typedRead(events, valueSlot, order: order, passes: passes) },
            { Self.nativeRead(natives, order: order, passes: passes) })
        let checkSeq = interleave(
            { Self.typedRead(events, valueSlot, passes: passes) },
            { Self.uncheckedRead(events, valueSlot.offset, passes: passes) })
        let checkRandom = interleave(
            { Self.typedRead(events, valueSlot, order: order, passes: passes) },
            { Self.uncheckedRead(events, valueSlot.offset, order: order, passes: passes) })
        let writeSeq = interleave(
            { Self.typedWrite(events, valueSlot, passes: passes) },
            { Self.nativeWrite(mutables, passes: passes) })
        let writeRandom = interleave(
            { Self.typedWrite(events, valueSlot, order: order, passes: passes) },
            { Self.nativeWrite(mutables, order: order, passes: passes) })

        Progress.note("access: by-name get and set, \(runs) runs")
        let pointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        let pointDict = try space.defineClass("PointDict")
        var hotSlots = ContiguousArray<Instance>()
        var hotDicts = ContiguousArray<Instance>()
        var nativeDicts = ContiguousArray<[String: Double]>()
        for i in 0..<Self.hotSet {
            hotSlots.append(try pointSlots(.double(Double(i)), 2.0))
            hotDicts.append(try pointDict(x: .double(Double(i)), y: 2.0))
            nativeDicts.append(["x": Double(i), "y": 2.0])
        }
        let ops = opsPerSample
        let nameGet = try interleaveThrowing(
            { try Self.getByName(hotSlots, ops: ops) },
            { Self.nativeDictionaryGet(nativeDicts, ops: ops) })
        let nameSet = try interleaveThrowing(
            { try Self.setByName(hotSlots, ops: ops) },
            { Self.nativeDictionarySet(&nativeDicts, ops: ops) })
        let dictGet = try interleaveThrowing(
            { try Self.getByName(hotDicts, ops: ops) },
            { Self.nativeDictionaryGet(nativeDicts, ops: ops) })
        let dictSet = try interleaveThrowing(
            { try Self.setByName(hotDicts, ops: ops) },
            { Self.nativeDictionarySet(&nativeDicts, ops: ops) })
        withExtendedLifetime((events, natives, mutables, hotSlots, hotDicts)) {}

        let construction = try measureConstructionAndFree()
        let release = try measureSpaceRelease()

        return AccessFigures(
            workingSet: count, hotSet: Self.hotSet, opsPerSample: ops, runs: runs,
            typedReadSequential: readSeq, typedReadRandom: readRandom,
            checkCostSequential: checkSeq, checkCostRandom: checkRandom,
            typedWriteSequential: writeSeq, typedWriteRandom: writeRandom,
            byNameGet: nameGet, byNameSet: nameSet, dictGet: dictGet, dictSet: dictSet,
            constructTyped: construction.typed, constructTypedKeyword: construction.typedKeyword,
            constructTypedStores: construction.typedStores,
            constructTypedInitializer: construction.typedInitializer,
            constructBulk: construction.bulk,
            constructUntyped: construction.untyped, constructDict: construction.dict,
            free: construction.free, spaceRelease: release)
    }

    // MARK: Alternating samples

    private func interleave(_ subject: () -> Double, _ baseline: () -> Double) -> Comparison {
        var subjectSamples: [Double] = []
        var baselineSamples: [Double] = []
        _ = subject()  // warm-up
        _ = baseline()
        for _ in 0..<runs {
            subjectSamples.append(subject())
            baselineSamples.append(baseline())
        }
        return Comparison(ns: median(subjectSamples), baselineNs: median(baselineSamples))
    }

    private func interleaveThrowing(
        _ subject: () throws -> Double, _ baseline: () throws -> Double
    ) throws -> Comparison {
        var subjectSamples: [Double] = []
        var baselineSamples: [Double] = []
        _ = try subject()
        _ = try baseline()
        for _ in 0..<runs {
            subjectSamples.append(try subject())
            baselineSamples.append(try baseline())
        }
        return Comparison(ns: median(subjectSamples), baselineNs: median(baselineSamples))
    }

    // MARK: Typed slots against native properties

    @inline(never)
    private static func typedRead(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<events.count {
                accumulator &+= events[i][slot].bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * events.count)
    }

    /// The typed read without its header check: the same offset load through the cell's
    /// address (a package-internal hook), to price the check.
    @inline(never)
    private static func uncheckedRead(_ events: ContiguousArray<Instance>, _ offset: Int, passes: Int) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<events.count {
                accumulator &+= events[i]._cellAddress.load(fromByteOffset: offset, as: UInt64.self)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * events.count)
    }

    @inline(never)
    private static func uncheckedRead(
        _ events: ContiguousArray<Instance>, _ offset: Int, order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in order {
                accumulator &+= events[i]._cellAddress.load(fromByteOffset: offset, as: UInt64.self)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * order.count)
    }

    @inline(never)
    private static func nativeRead(_ objects: ContiguousArray<NativeEvent>, passes: Int) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<objects.count {
                accumulator &+= objects[i].value.bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * objects.count)
    }

    @inline(never)
    private static func typedRead(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>,
        order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in order {
                accumulator &+= events[i][slot].bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * order.count)
    }

    @inline(never)
    private static func nativeRead(
        _ objects: ContiguousArray<NativeEvent>, order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in order {
                accumulator &+= objects[i].value.bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * order.count)
    }

    @inline(never)
    private static func typedWrite(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int
    ) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in 0..<events.count {
                events[i][slot] = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(events[events.count / 2][slot])
        return elapsed / Double(passes * events.count)
    }

    @inline(never)
    private static func nativeWrite(_ objects: ContiguousArray<NativeMutableEvent>, passes: Int) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in 0..<objects.count {
                objects[i].value = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(objects[objects.count / 2].value)
        return elapsed / Double(passes * objects.count)
    }

    @inline(never)
    private static func typedWrite(
        _ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>,
        order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in order {
                events[i][slot] = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(events[events.count / 2][slot])
        return elapsed / Double(passes * order.count)
    }

    @inline(never)
    private static func nativeWrite(
        _ objects: ContiguousArray<NativeMutableEvent>, order: ContiguousArray<Int>, passes: Int
    ) -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in order {
                objects[i].value = Double(i &+ pass)
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(objects[objects.count / 2].value)
        return elapsed / Double(passes * order.count)
    }

    // MARK: By name against a Swift dictionary

    @inline(never)
    private static func getByName(_ instances: ContiguousArray<Instance>, ops: Int) throws -> Double {
        let mask = instances.count - 1
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for i in 0..<ops {
            accumulator &+= bits(of: try instances[i & mask].get("x"))
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(ops)
    }

    @inline(never)
    private static func setByName(_ instances: ContiguousArray<Instance>, ops: Int) throws -> Double {
        let mask = instances.count - 1
        let start = ContinuousClock.now
        for i in 0..<ops {
            try instances[i & mask].set("x", .double(Double(i)))
        }
        let elapsed = nanoseconds(since: start)
        blackHole(bits(of: try instances[0].get("x")))
        return elapsed / Double(ops)
    }

    @inline(never)
    private static func nativeDictionaryGet(_ dictionaries: ContiguousArray<[String: Double]>, ops: Int) -> Double {
        let mask = dictionaries.count - 1
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for i in 0..<ops {
            accumulator &+= (dictionaries[i & mask]["x"] ?? 0).bitPattern
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(ops)
    }

    @inline(never)
    private static func nativeDictionarySet(_ dictionaries: inout ContiguousArray<[String: Double]>, ops: Int) -> Double {
        let mask = dictionaries.count - 1
        let start = ContinuousClock.now
        for i in 0..<ops {
            dictionaries[i & mask]["x"] = Double(i)
        }
        let elapsed = nanoseconds(since: start)
        blackHole(dictionaries[0]["x"] ?? 0)
        return elapsed / Double(ops)
    }

    // MARK: Construction and free

    private struct ConstructionFigures {
        var typed: Comparison
        var typedKeyword: Comparison
        var typedStores: Comparison
        var typedInitializer: Comparison
        var bulk: Comparison
        var untyped: Comparison
        var dict: Comparison
        var free: Comparison
    }

    /// Steady state: one space per class; each run builds `count` instances of each kind
    /// into preallocated storage (``timeConstructions``), then frees them (the cells go
    /// back to the thread's cache and the pool, as native objects go back to jemalloc's).
    /// The kinds take turns within a run so that drift on a shared machine hits all alike.
    private func measureConstructionAndFree() throws -> ConstructionFigures {
        Progress.note("access: construction and free, \(count.grouped) instances x \(runs) runs")
        let typedSpace = ObjectSpace()
        let typedClass = try EventClassDefinitions.typedSlots(in: typedSpace)
        let untypedSpace = ObjectSpace()
        let untypedClass = try EventClassDefinitions.untypedSlots(in: untypedSpace)
        let dictSpace = ObjectSpace()
        let dictClass = try EventClassDefinitions.dict(in: dictSpace)
        let n = count

        let instances = UnsafeMutablePointer<Instance>.allocate(capacity: n)
        let objects = UnsafeMutablePointer<NativeEvent>.allocate(capacity: n)
        defer {
            instances.deallocate()
            objects.deallocate()
        }

        let tsSlot = try typedClass.slot("ts", as: Int.self)
        let kindSlot = try typedClass.slot("kind", as: String.self)
        let valueSlot = try typedClass.slot("value", as: Double.self)

        var typed: [Double] = [], typedKeyword: [Double] = [], typedStores: [Double] = []
        var typedInitializer: [Double] = [], bulk: [Double] = [], untyped: [Double] = [], dict: [Double] = []
        var native: [Double] = [], free: [Double] = [], nativeRelease: [Double] = []

        /// Frees the `n` instances in `instances`; returns ns per free.
        func freeAll(_ space: ObjectSpace) -> Double {
            let start = ContinuousClock.now
            for k in 0..<n { space.free(instances[k]) }
            let elapsed = nanoseconds(since: start) / Double(n)
            instances.deinitialize(count: n)
            return elapsed
        }

        /// Builds and frees `n` instances untimed, then times building them again: each
        /// kind is timed in its steady state (warm pools, warm caches), whatever ran before.
        func timed(_ space: ObjectSpace, _ make: (Int) throws -> Instance) throws -> Double {
            _ = try timeConstructions(n, into: instances, make)
            _ = freeAll(space)
            return try timeConstructions(n, into: instances, make)
        }

        for run in 0...runs {  // run 0 only warms the pools and the heap up
            let makeNative = { (i: Int) in NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5) }
            _ = timeConstructions(n, into: objects, makeNative)
            objects.deinitialize(count: n)
            let nativeNs = timeConstructions(n, into: objects, makeNative)
            let start = ContinuousClock.now
            objects.deinitialize(count: n)
            let releaseNs = nanoseconds(since: start) / Double(n)

            let initializerNs = try timed(typedSpace) { i in
                try typedClass.new { e in
                    e[tsSlot] = i
                    e[kindSlot] = "click"
                    e[valueSlot] = Double(i) * 1.5
                }
            }
            let freeNs = freeAll(typedSpace)
            // The bulk form builds its own array: time the whole call, untimed pass first.
            func buildAll() throws -> [Instance] {
                try typedClass.new(count: n) { i, e in
                    e[tsSlot] = i
                    e[kindSlot] = "click"
                    e[valueSlot] = Double(i) * 1.5
                }
            }
            for e in try buildAll() { typedSpace.free(e) }
            let bulkStart = ContinuousClock.now
            let built = try buildAll()
            let bulkNs = nanoseconds(since: bulkStart) / Double(n)
            for e in built { typedSpace.free(e) }
            let storesNs = try timed(typedSpace) { i in
                let e = try typedClass.new()
                e[tsSlot] = i
                e[kindSlot] = "click"
                e[valueSlot] = Double(i) * 1.5
                return e
            }
            _ = freeAll(typedSpace)
            let positionalNs = try timed(typedSpace) { i in
                try typedClass(.int(i), "click", .double(Double(i) * 1.5))
            }
            _ = freeAll(typedSpace)
            let keywordNs = try timed(typedSpace) { i in
                try typedClass(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))
            }
            _ = freeAll(typedSpace)
            let untypedNs = try timed(untypedSpace) { i in
                try untypedClass(.int(i), "click", .double(Double(i) * 1.5))
            }
            _ = freeAll(untypedSpace)
            let dictNs = try timed(dictSpace) { i in
                try dictClass(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))
            }
            _ = freeAll(dictSpace)
            guard run > 0 else { continue }
            native.append(nativeNs)
            nativeRelease.append(releaseNs)
            typedInitializer.append(initializerNs)
            bulk.append(bulkNs)
            free.append(freeNs)
            typedStores.append(storesNs)
            typed.append(positionalNs)
            typedKeyword.append(keywordNs)
            untyped.append(untypedNs)
            dict.append(dictNs)
        }

        let nativeMedian = median(native)
        return ConstructionFigures(
            typed: Comparison(ns: median(typed), baselineNs: nativeMedian),
            typedKeyword: Comparison(ns: median(typedKeyword), baselineNs: nativeMedian),
            typedStores: Comparison(ns: median(typedStores), baselineNs: nativeMedian),
            typedInitializer: Comparison(ns: median(typedInitializer), baselineNs: nativeMedian),
            bulk: Comparison(ns: median(bulk), baselineNs: nativeMedian),
            untyped: Comparison(ns: median(untyped), baselineNs: nativeMedian),
            dict: Comparison(ns: median(dict), baselineNs: nativeMedian),
            free: Comparison(ns: median(free), baselineNs: median(nativeRelease)))
    }

    // MARK: Dropping a whole space

    /// Builds `releaseCount` typed instances, drops every handle and the class
    /// object (untimed), then times dropping the space itself; the baseline
    /// drops an array of as many native objects.
    private func measureSpaceRelease() throws -> SpaceRelease {
        let total = releaseCount
        Progress.note("access: releasing a space of \(total.grouped) instances")
        var space: ObjectSpace? = ObjectSpace()
        do {
            let eventSlots = try EventClassDefinitions.typedSlots(in: space!)
            var handles = ContiguousArray<Instance>()
            handles.reserveCapacity(total)
            for i in 0..<total {
                handles.append(try eventSlots(.int(i), "click", .double(Double(i) * 1.5)))
            }
        }
        let unique = isKnownUniquelyReferenced(&space!)
        let spaceStart = ContinuousClock.now
        space = nil
        let spaceElapsed = nanoseconds(since: spaceStart)

        var objects = ContiguousArray<NativeEvent>()
        objects.reserveCapacity(total)
        for i in 0..<total {
            objects.append(NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
        }
        let nativeStart = ContinuousClock.now
        objects = []
        let nativeElapsed = nanoseconds(since: nativeStart)
        withExtendedLifetime(objects) {}

        return SpaceRelease(
            instances: total, spaceNs: spaceElapsed, nativeArrayNs: nativeElapsed,
            spaceWasUniquelyReferenced: unique)
    }
}
