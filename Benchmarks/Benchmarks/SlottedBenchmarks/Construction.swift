//===----------------------------------------------------------------------===//
//
// Construction.swift: constructing instances from `Value`s an embedding host
// already holds, positionally and through a signature of keywords, against
// the typed initializer.
//
//===----------------------------------------------------------------------===//

import Benchmark
import Slotted

/// Construction of 1,000 events per iteration from a buffer of values the benchmark owns,
/// as a host's interpreter holds its arguments: `ts` changes per event, written into the
/// buffer before each construction. The instances are freed outside the measured region.
/// Gated: no malloc call, 32 arena bytes per instance.
func registerConstructionBenchmarks() {
    Benchmark(
        "Construct.EventSlots.positional",
        configuration: SuiteConfiguration.timing(gated: true, extraMetrics: [SlottedMetric.arenaBytes])
    ) { benchmark, classes in
        try construct(benchmark, classes.space) { values in try classes.typed.construct(positional: values) }
    } setup: {
        try EventClasses()
    }

    Benchmark(
        "Construct.EventSlots.keyword",
        configuration: SuiteConfiguration.timing(gated: true, extraMetrics: [SlottedMetric.arenaBytes])
    ) { (benchmark: Benchmark, fixture: SignatureFixture) in
        let (cls, signature) = (fixture.classes.typed, fixture.signature)
        try construct(benchmark, fixture.classes.space) { values in try cls.construct(signature, values) }
    } setup: {
        try SignatureFixture()
    }

    Benchmark(
        "Construct.EventSlots.dynamicCall",
        configuration: SuiteConfiguration.timing(extraMetrics: [SlottedMetric.arenaBytes])
    ) { benchmark, classes in
        try construct(benchmark, classes.space) { values in
            try classes.typed(values[0], values[1], values[2])
        }
    } setup: {
        try EventClasses()
    }
}

/// The event classes, and a signature of `EventSlots`' three slots as keywords.
final class SignatureFixture {
    let classes: EventClasses
    let signature: ConstructionSignature

    init() throws {
        classes = try EventClasses()
        signature = try ConstructionSignature(classes.typed, keywords: ["ts", "kind", "value"])
    }
}

/// Builds one instance per scaled iteration with `make` from a buffer holding
/// `[ts, "click", 1.5]`, `ts` the iteration (measured), records their arena bytes, then
/// frees them (not measured).
@inline(__always)
private func construct(
    _ benchmark: Benchmark, _ space: ObjectSpace, _ make: (UnsafeBufferPointer<Value>) throws -> Instance
) throws {
    let instances = UnsafeMutablePointer<Instance>.allocate(capacity: benchmark.scaledIterations.count)
    let values = UnsafeMutableBufferPointer<Value>.allocate(capacity: 3)
    defer {
        instances.deallocate()
        values.deinitialize()
        values.deallocate()
    }
    _ = values.initialize(from: [0, "click", 1.5])
    var made = 0
    let before = space.memory.allocatedBytes
    benchmark.startMeasurement()
    for i in benchmark.scaledIterations {
        values[0] = .int(i)
        (instances + made).initialize(to: try make(UnsafeBufferPointer(values)))
        made += 1
    }
    benchmark.stopMeasurement()
    benchmark.measurement(SlottedMetric.arenaBytes, space.memory.allocatedBytes - before)
    for k in 0..<made {
        space.free(instances[k])
    }
}
