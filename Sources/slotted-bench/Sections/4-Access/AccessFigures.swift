//===----------------------------------------------------------------------===//
//
// AccessFigures.swift: what section 4 (access speed) measured, as `--json`
// prints it: each operation's median beside its native baseline's.
//
//===----------------------------------------------------------------------===//

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
    /// The same two on `PointDict` instances in dictionary mode (after `del p.x`).
    var tableGet: Comparison
    var tableSet: Comparison
    /// Shapes in the by-name benchmark's space (`MemoryStats.shapeCount`).
    var shapeCount: Int
    /// Positional `EventSlots(i, "click", i * 1.5)` (typed) against
    /// `NativeEvent(...)`, both into preallocated storage, warm memory.
    var constructTyped: Comparison
    /// Keyword construction of the typed class.
    var constructTypedKeyword: Comparison
    /// `EventSlots.construct(positional: values)` from a buffer of `Value`s the caller
    /// owns (a host's arguments), against `NativeEvent(...)`.
    var constructPositional: Comparison
    /// `EventSlots.construct(signature, values)`: the same values as keywords, through a
    /// `ConstructionSignature` made once.
    var constructSignature: Comparison
    /// `new()` followed by three typed accessor stores: construction without
    /// the `Value` arguments of the dynamic call.
    var constructTypedStores: Comparison
    /// `new { e in e[ts] = i; ... }`: the typed initializer, header written once.
    var constructTypedInitializer: Comparison
    /// `new(count: n) { i, e in ... }`: all `n` cells from one arena call, per instance.
    var constructBulk: Comparison
    /// The same per instance against filling a `ContiguousArray<EventRecord>` of the same
    /// fields (reserved, then appended), per element.
    var constructBulkVsFill: Comparison
    /// Positional construction of the untyped `EventSlots`.
    var constructUntyped: Comparison
    /// Keyword construction of the untyped `EventSlots`.
    var constructUntypedKeyword: Comparison
    /// Keyword construction of `EventDict`.
    var constructDict: Comparison
    /// `space.free(e)` against releasing the last reference to a native object.
    var free: Comparison
    var spaceRelease: SpaceRelease
    /// The embedding host's rows: attribute sites, reads that do not throw, slot 17.
    var hostSites: HostSiteFigures
}
