//===----------------------------------------------------------------------===//
//
// Allocation.swift: constructing instances against native objects.
//
//===----------------------------------------------------------------------===//

import Benchmark
import Slotted

/// Construction of 1,000 events per iteration into preallocated storage, the same for
/// Slotted and native objects (an array of class references would add a retain and a
/// release per element to the native side only). The Slotted ones record the arena bytes
/// they hold, then are freed outside the measured region; the native ones are released
/// there too.
func registerAllocationBenchmarks() {
    Benchmark(
        "Allocate.EventSlots.typed",
        configuration: SuiteConfiguration.timing(gated: true, extraMetrics: [SlottedMetric.arenaBytes])
    ) { benchmark, classes in
        try allocate(benchmark, classes.space) { i in
            try classes.typed(.int(i), "click", .double(Double(i) * 1.5))
        }
    } setup: {
        try EventClasses()
    }

    Benchmark(
        "Allocate.EventSlots.initializer",
        configuration: SuiteConfiguration.timing(gated: true, extraMetrics: [SlottedMetric.arenaBytes])
    ) { benchmark, classes in
        let (ts, kind, value) = (classes.ts, classes.kind, classes.value)
        try allocate(benchmark, classes.space) { i in
            try classes.typed.new { e in
                e[ts] = i
                e[kind] = "click"
                e[value] = Double(i) * 1.5
            }
        }
    } setup: {
        try EventClasses()
    }

    Benchmark(
        "Allocate.EventDict",
        configuration: SuiteConfiguration.timing(gated: true, extraMetrics: [SlottedMetric.arenaBytes])
    ) { benchmark, classes in
        try allocate(benchmark, classes.space) { i in
            try classes.dict(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))
        }
    } setup: {
        try EventClasses()
    }

    Benchmark("Allocate.NativeEvent.baseline", configuration: SuiteConfiguration.timing()) { benchmark in
        let objects = UnsafeMutablePointer<NativeEvent>.allocate(capacity: benchmark.scaledIterations.count)
        defer { objects.deallocate() }
        var made = 0
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            (objects + made).initialize(to: NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
            made += 1
        }
        benchmark.stopMeasurement()
        blackHole(objects[made - 1])
        objects.deinitialize(count: made)
    }
}

/// Builds one instance per scaled iteration with `make` (measured), records their arena
/// bytes, then frees them (not measured).
@inline(__always)
private func allocate(
    _ benchmark: Benchmark, _ space: ObjectSpace, _ make: (Int) throws -> Instance
) throws {
    let instances = UnsafeMutablePointer<Instance>.allocate(capacity: benchmark.scaledIterations.count)
    defer { instances.deallocate() }
    var made = 0
    let before = space.memory.allocatedBytes
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
        (instances + made).initialize(to: try make(i))
        made += 1
    }
    benchmark.stopMeasurement()
    benchmark.measurement(SlottedMetric.arenaBytes, space.memory.allocatedBytes - before)
    for k in 0..<made {
        space.free(instances[k])
    }
}
