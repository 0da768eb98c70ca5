//===----------------------------------------------------------------------===//
//
// TypedAccess.swift: `e[value]` through a SlotAccessor against a native
// final class's stored property.
//
//===----------------------------------------------------------------------===//

import Benchmark
import Slotted

/// Reads and writes of 1,000 instances per iteration, in index order.
func registerTypedAccessBenchmarks() {
    let count = SuiteConfiguration.operations

    Benchmark("Read.typed", configuration: SuiteConfiguration.timing(gated: true)) { benchmark, fixture in
        let events = fixture.events
        let value = fixture.value
        var accumulator: UInt64 = 0
        for i in benchmark.scaledIterations {
            accumulator &+= events[i][value].bitPattern
        }
        blackHole(accumulator)
    } setup: {
        try EventFixture(count: count)
    }

    Benchmark("Read.nativeLet.baseline", configuration: SuiteConfiguration.timing()) { benchmark, fixture in
        let natives = fixture.natives
        var accumulator: UInt64 = 0
        for i in benchmark.scaledIterations {
            accumulator &+= natives[i].value.bitPattern
        }
        blackHole(accumulator)
    } setup: {
        try EventFixture(count: count)
    }

    Benchmark("Write.typed", configuration: SuiteConfiguration.timing(gated: true)) { benchmark, fixture in
        let events = fixture.events
        let value = fixture.value
        for i in benchmark.scaledIterations {
            events[i][value] = Double(i)
        }
        blackHole(events[0][value])
    } setup: {
        try EventFixture(count: count)
    }

    // A `let` cannot be written: the baseline is a `var`, which also pays Swift's
    // dynamic exclusivity check.
    Benchmark("Write.nativeVar.baseline", configuration: SuiteConfiguration.timing()) { benchmark, fixture in
        let mutables = fixture.mutables
        for i in benchmark.scaledIterations {
            mutables[i].value = Double(i)
        }
        blackHole(mutables[0].value)
    } setup: {
        try EventFixture(count: count)
    }
}
