//===----------------------------------------------------------------------===//
//
// Scaling.swift: report section 3, scaling: the sweep over N.
//
//===----------------------------------------------------------------------===//

/// One kind at one N of the sweep.
struct ScalingPoint: Codable {
    var kind: ObjectKind
    var n: Int
    var bytes: Int
    var bytesPerInstance: Double
    /// Median over the repetitions, each into a fresh space (cold memory).
    var nsPerConstruction: Double
    var repetitions: Int
}

/// The sweep's sizes: powers of ten from 1,000 up to `maxN`, and `maxN` itself
/// when it is not one.
func scalingSizes(maxN: Int) -> [Int] {
    var sizes: [Int] = []
    var size = 1_000
    while size <= maxN {
        sizes.append(size)
        size *= 10
    }
    if sizes.last != maxN { sizes.append(maxN) }
    return sizes
}

/// Builds every kind at every size; small sizes are repeated (up to `runs`
/// times) so that their construction time is a median, not one short sample.
func measureScaling(sizes: [Int], runs: Int) throws -> [ScalingPoint] {
    var points: [ScalingPoint] = []
    for n in sizes {
        let repetitions = n <= 10_000 ? runs : (n <= 100_000 ? min(runs, 3) : 1)
        Progress.note("scaling: N = \(n.grouped) (\(repetitions) run\(repetitions == 1 ? "" : "s") per kind)")
        for kind in ObjectKind.allCases {
            var samples: [Double] = []
            var last: BuildResult?
            for _ in 0..<repetitions {
                let result = try build(kind, n: n)
                samples.append(result.nanosecondsPerInstance)
                last = result
            }
            guard let last else { continue }
            points.append(
                ScalingPoint(
                    kind: kind, n: n, bytes: last.bytes, bytesPerInstance: last.bytesPerInstance,
                    nsPerConstruction: median(samples), repetitions: repetitions))
        }
    }
    return points
}
