//===----------------------------------------------------------------------===//
//
// ConstructionRows.swift: section 4's construction and free rows: each way
// to build an event against `NativeEvent(...)`, and `space.free(e)`.
//
//===----------------------------------------------------------------------===//

import Slotted

extension AccessBenchmark {
    struct ConstructionFigures {
        var typed: Comparison
        var typedKeyword: Comparison
        var positional: Comparison
        var signature: Comparison
        var typedStores: Comparison
        var typedInitializer: Comparison
        var bulk: Comparison
        /// `new(count:)` per instance against filling a `ContiguousArray` of the same fields.
        var bulkVsFill: Comparison
        var untyped: Comparison
        var untypedKeyword: Comparison
        var dict: Comparison
        var free: Comparison
    }

    /// Steady state: one space per class; each run builds `count` instances of each kind
    /// into preallocated storage (``timeConstructions``), then frees them (the cells go
    /// back to the thread's cache and the pool, as native objects go back to jemalloc's).
    /// The kinds take turns within a run so that drift on a shared machine hits all alike.
    func measureConstructionAndFree() throws -> ConstructionFigures {
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
        // The values a host holds: a buffer it owns, rewritten before each construction.
        let values = UnsafeMutableBufferPointer<Value>.allocate(capacity: 3)
        _ = values.initialize(from: [0, "click", 0.0])
        defer {
            values.deinitialize()
            values.deallocate()
        }
        let byName = try ConstructionSignature(typedClass, keywords: ["ts", "kind", "value"])

        var typed: [Double] = [], typedKeyword: [Double] = [], typedStores: [Double] = []
        var positional: [Double] = [], signature: [Double] = []
        var typedInitializer: [Double] = [], bulk: [Double] = [], untyped: [Double] = [], dict: [Double] = []
        var untypedKeyword: [Double] = []
        var native: [Double] = [], free: [Double] = [], nativeRelease: [Double] = []
        var fill: [Double] = []

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
            // The struct baseline for the bulk form: the same fields, inline in one array
            // the call builds, untimed pass first.
            blackHole(UInt64(fillRecords(n).count))
            let fillStart = ContinuousClock.now
            let records = fillRecords(n)
            let fillNs = nanoseconds(since: fillStart) / Double(n)
            blackHole(UInt64(records.count))
            let storesNs = try timed(typedSpace) { i in
                let e = try typedClass.new()
                e[tsSlot] = i
                e[kindSlot] = "click"
                e[valueSlot] = Double(i) * 1.5
                return e
            }
            _ = freeAll(typedSpace)
            let positionalNs = try timed(typedSpace) { i in
                try dynamicCall(typedClass, i)
            }
            _ = freeAll(typedSpace)
            let fromValuesNs = try timed(typedSpace) { i in
                values[0] = .int(i)
                values[2] = .double(Double(i) * 1.5)
                return try typedClass.construct(positional: UnsafeBufferPointer(values))
            }
            _ = freeAll(typedSpace)
            let signatureNs = try timed(typedSpace) { i in
                values[0] = .int(i)
                values[2] = .double(Double(i) * 1.5)
                return try typedClass.construct(byName, UnsafeBufferPointer(values))
            }
            _ = freeAll(typedSpace)
            let keywordNs = try timed(typedSpace) { i in
                try typedClass(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))
            }
            _ = freeAll(typedSpace)
            let untypedNs = try timed(untypedSpace) { i in
                try dynamicCall(untypedClass, i)
            }
            _ = freeAll(untypedSpace)
            let untypedKeywordNs = try timed(untypedSpace) { i in
                try untypedClass(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))
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
            fill.append(fillNs)
            free.append(freeNs)
            typedStores.append(storesNs)
            typed.append(positionalNs)
            typedKeyword.append(keywordNs)
            positional.append(fromValuesNs)
            signature.append(signatureNs)
            untyped.append(untypedNs)
            untypedKeyword.append(untypedKeywordNs)
            dict.append(dictNs)
        }

        let nativeMedian = median(native)
        return ConstructionFigures(
            typed: Comparison(ns: median(typed), baselineNs: nativeMedian),
            typedKeyword: Comparison(ns: median(typedKeyword), baselineNs: nativeMedian),
            positional: Comparison(ns: median(positional), baselineNs: nativeMedian),
            signature: Comparison(ns: median(signature), baselineNs: nativeMedian),
            typedStores: Comparison(ns: median(typedStores), baselineNs: nativeMedian),
            typedInitializer: Comparison(ns: median(typedInitializer), baselineNs: nativeMedian),
            bulk: Comparison(ns: median(bulk), baselineNs: nativeMedian),
            bulkVsFill: Comparison(ns: median(bulk), baselineNs: median(fill)),
            untyped: Comparison(ns: median(untyped), baselineNs: nativeMedian),
            untypedKeyword: Comparison(ns: median(untypedKeyword), baselineNs: nativeMedian),
            dict: Comparison(ns: median(dict), baselineNs: nativeMedian),
            free: Comparison(ns: median(free), baselineNs: median(nativeRelease)))
    }
}

/// `cls(.int(i), "click", .double(Double(i) * 1.5))`, the `@dynamicCallable` row, compiled
/// on its own as a host's call site is: inlined into the large measuring function above, the
/// call's argument array is no longer kept on the stack (the optimizer gives up on the
/// function's size), and the row would time a heap allocation no small caller pays. The
/// call to this function is timed too.
@inline(never)
private func dynamicCall(_ cls: SlotClass, _ i: Int) throws -> Instance {
    try cls(.int(i), "click", .double(Double(i) * 1.5))
}

/// `n` events as plain structs in a `ContiguousArray` the call allocates: the memory-speed
/// baseline of `new(count:)`, which also returns an array it allocates.
@inline(never)
private func fillRecords(_ n: Int) -> ContiguousArray<EventRecord> {
    var records = ContiguousArray<EventRecord>()
    records.reserveCapacity(n)
    for i in 0..<n { records.append(EventRecord(ts: i, kind: "click", value: Double(i) * 1.5)) }
    return records
}
