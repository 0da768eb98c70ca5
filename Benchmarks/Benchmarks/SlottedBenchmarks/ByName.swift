//===----------------------------------------------------------------------===//
//
// ByName.swift: `get("x")` and `set("x", v)` on slotted and dict instances
// against a Swift `[String: Double]`.
//
//===----------------------------------------------------------------------===//

import Benchmark
import Slotted

/// By-name access to 1,000 points per iteration.
func registerByNameBenchmarks() {
    let count = SuiteConfiguration.operations

    Benchmark("GetByName.PointSlots", configuration: SuiteConfiguration.timing(gated: true)) { benchmark, fixture in
        try get(benchmark, fixture.slotted)
    } setup: {
        try PointFixture(count: count)
    }

    Benchmark("GetByName.PointDict", configuration: SuiteConfiguration.timing(gated: true)) { benchmark, fixture in
        try get(benchmark, fixture.dicts)
    } setup: {
        try PointFixture(count: count)
    }

    Benchmark("Get.Dictionary.baseline", configuration: SuiteConfiguration.timing()) { benchmark, fixture in
        let dictionaries = fixture.dictionaries
        var accumulator: UInt64 = 0
        for i in benchmark.scaledIterations {
            accumulator &+= (dictionaries[i]["x"] ?? 0).bitPattern
        }
        blackHole(accumulator)
    } setup: {
        try PointFixture(count: count)
    }

    Benchmark("SetByName.PointSlots", configuration: SuiteConfiguration.timing(gated: true)) { benchmark, fixture in
        try set(benchmark, fixture.slotted)
    } setup: {
        try PointFixture(count: count)
    }

    Benchmark("SetByName.PointDict", configuration: SuiteConfiguration.timing(gated: true)) { benchmark, fixture in
        try set(benchmark, fixture.dicts)
    } setup: {
        try PointFixture(count: count)
    }

    Benchmark("Set.Dictionary.baseline", configuration: SuiteConfiguration.timing()) { benchmark, fixture in
        var dictionaries = fixture.dictionaries
        fixture.dictionaries = []  // uniquely owned here: no copy on write
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            dictionaries[i]["x"] = Double(i)
        }
        benchmark.stopMeasurement()
        fixture.dictionaries = dictionaries
    } setup: {
        try PointFixture(count: count)
    }
}

@inline(__always)
private func get(_ benchmark: Benchmark, _ instances: ContiguousArray<Instance>) throws {
    var accumulator: UInt64 = 0
    for i in benchmark.scaledIterations {
        accumulator &+= bits(of: try instances[i].get("x"))
    }
    blackHole(accumulator)
}

@inline(__always)
private func set(_ benchmark: Benchmark, _ instances: ContiguousArray<Instance>) throws {
    for i in benchmark.scaledIterations {
        try instances[i].set("x", .double(Double(i)))
    }
    blackHole(bits(of: try instances[0].get("x")))
}
