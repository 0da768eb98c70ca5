//===----------------------------------------------------------------------===//
//
// Allocation.swift: constructing instances against native objects.
//
//===----------------------------------------------------------------------===//

import Benchmark
import Slotted

/// Construction of 1,000 events per iteration into a reserved array. The
/// Slotted ones record the arena bytes they hold, then are freed outside the
/// measured region; the native ones are released there too.
func registerAllocationBenchmarks() {
    let count = SuiteConfiguration.operations

    Benchmark(
        "Allocate.EventSlots.typed",
        configuration: SuiteConfiguration.timing(gated: true, extraMetrics: [SlottedMetric.arenaBytes])
    ) { benchmark, classes in
        try allocate(benchmark, classes.space, count: count) { i in
            try classes.typed(.int(i), "click", .double(Double(i) * 1.5))
        }
    } setup: {
        try EventClasses()
    }

    Benchmark(
        "Allocate.EventDict",
        configuration: SuiteConfiguration.timing(gated: true, extraMetrics: [SlottedMetric.arenaBytes])
    ) { benchmark, classes in
        try allocate(benchmark, classes.space, count: count) { i in
            try classes.dict(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))
        }
    } setup: {
        try EventClasses()
    }

    Benchmark("Allocate.NativeEvent.baseline", configuration: SuiteConfiguration.timing()) { benchmark in
        var objects = ContiguousArray<NativeEvent>()
        objects.reserveCapacity(count)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            objects.append(NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
        }
        benchmark.stopMeasurement()
        blackHole(objects)
    }
}

/// Builds `count` instances with `make` (measured), records their arena bytes,
/// then frees them (not measured).
@inline(__always)
private func allocate(
    _ benchmark: Benchmark, _ space: ObjectSpace, count: Int, _ make: (Int) throws -> Instance
) throws {
    var batch = ContiguousArray<Instance>()
    batch.reserveCapacity(count)
    let before = space.memory.allocatedBytes
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
        batch.append(try make(i))
    }
    benchmark.stopMeasurement()
    benchmark.measurement(SlottedMetric.arenaBytes, space.memory.allocatedBytes - before)
    for instance in batch {
        space.free(instance)
    }
}
