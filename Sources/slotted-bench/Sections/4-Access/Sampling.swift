//===----------------------------------------------------------------------===//
//
// Sampling.swift: section 4's sampling harness: subject and baseline samples
// alternate, medians reported.
//
//===----------------------------------------------------------------------===//

extension AccessBenchmark {
    /// One warm-up call of each, then `runs` samples of each in alternation: the
    /// subject's median beside the baseline's.
    func interleave(_ subject: () -> Double, _ baseline: () -> Double) -> Comparison {
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

    /// ``interleave(_:_:)`` for loops that throw.
    func interleaveThrowing(
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
}
