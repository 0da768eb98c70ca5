//===----------------------------------------------------------------------===//
//
// ByNameRows.swift: section 4's by-name rows: `get("x")` and `set("x", v)`
// on PointSlots, on shaped PointDict instances and on PointDict instances in
// dictionary mode (after a del), against a Swift dictionary.
//
//===----------------------------------------------------------------------===//

import Slotted

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

extension AccessBenchmark {
    /// The by-name rows: `get`/`set` on the slotted and the dict class, each against
    /// a `[String: Double]` of the same shape.
    struct ByNameFigures {
        var nameGet, nameSet: Comparison
        var dictGet, dictSet: Comparison
        var tableGet, tableSet: Comparison
    }

    /// Times `ops` by-name operations per sample over the hot instances, each beside
    /// the native dictionaries.
    func measureByName(
        _ hotSlots: ContiguousArray<Instance>, _ hotDicts: ContiguousArray<Instance>, _ hotTables: ContiguousArray<Instance>,
        _ nativeDicts: inout ContiguousArray<[String: Double]>, ops: Int
    ) throws -> ByNameFigures {
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
        let tableGet = try interleaveThrowing(
            { try Self.getByName(hotTables, ops: ops) },
            { Self.nativeDictionaryGet(nativeDicts, ops: ops) })
        let tableSet = try interleaveThrowing(
            { try Self.setByName(hotTables, ops: ops) },
            { Self.nativeDictionarySet(&nativeDicts, ops: ops) })
        return ByNameFigures(nameGet: nameGet, nameSet: nameSet, dictGet: dictGet, dictSet: dictSet,
                             tableGet: tableGet, tableSet: tableSet)
    }

    @inline(never)
    /// `get("x")` over the hot set (also the baseline of the site rows).
    static func getByName(_ instances: ContiguousArray<Instance>, ops: Int) throws -> Double {
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
    /// `set("x", v)` over the hot set (also the baseline of the site rows).
    static func setByName(_ instances: ContiguousArray<Instance>, ops: Int) throws -> Double {
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
}
