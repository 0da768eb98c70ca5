//===----------------------------------------------------------------------===//
//
// SlottedBenchmarks.swift: the suite package-benchmark runs.
//
// Every Slotted benchmark has a native Swift baseline beside it (its name ends
// in ".baseline"). One iteration does 1,000 operations (`scalingFactor: .kilo`),
// so the scaled figures are per operation.
//
//===----------------------------------------------------------------------===//

import Benchmark

/// The suite: allocation, typed reads and writes, by-name gets and sets.
let benchmarks: @Sendable () -> Void = {
    registerAllocationBenchmarks()
    registerConstructionBenchmarks()
    registerTypedAccessBenchmarks()
    registerByNameBenchmarks()
}

/// The suite's own metric.
enum SlottedMetric {
    /// Arena bytes that one iteration's instances hold (`space.memory.allocatedBytes`
    /// after building them, less before); scaled, bytes per instance.
    static var arenaBytes: BenchmarkMetric {
        .custom("arenaBytes", polarity: .prefersSmaller, useScalingFactor: true)
    }
}

/// Configurations shared by the suite.
enum SuiteConfiguration {
    /// Operations per iteration.
    static let operations = 1_000

    /// Time and allocation counts; with `gated`, p90 tolerances that the baseline
    /// and threshold checks apply: wall clock within 25%, no extra malloc call.
    static func timing(gated: Bool = false, extraMetrics: [BenchmarkMetric] = []) -> Benchmark.Configuration {
        var thresholds: [BenchmarkMetric: BenchmarkThresholds]?
        if gated {
            thresholds = [
                .wallClock: BenchmarkThresholds(relative: [.p90: 25.0]),
                .mallocCountTotal: BenchmarkThresholds(absolute: [.p90: 0]),
            ]
            for metric in extraMetrics {
                thresholds?[metric] = BenchmarkThresholds(absolute: [.p90: 0])
            }
        }
        return Benchmark.Configuration(
            metrics: [.wallClock, .throughput, .mallocCountTotal] + extraMetrics,
            warmupIterations: 10,
            scalingFactor: .kilo,
            maxDuration: .seconds(1),
            maxIterations: 100_000,
            thresholds: thresholds
        )
    }
}
