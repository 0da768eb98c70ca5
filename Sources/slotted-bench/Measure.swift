//===----------------------------------------------------------------------===//
//
// Measure.swift: clocks, medians, optimizer sinks and a seeded generator.
//
//===----------------------------------------------------------------------===//

/// Nanoseconds elapsed since an instant of the monotonic clock.
@inline(__always)
func nanoseconds(since start: ContinuousClock.Instant) -> Double {
    let duration = start.duration(to: .now)
    let parts = duration.components
    return Double(parts.seconds) * 1e9 + Double(parts.attoseconds) / 1e9
}

/// Runs `body` once and returns how long it took, in nanoseconds.
@inline(__always)
func timeNanoseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return nanoseconds(since: start)
}

/// The median of some samples (the mean of the middle two for an even count).
func median(_ samples: [Double]) -> Double {
    precondition(!samples.isEmpty, "median of no samples")
    let sorted = samples.sorted()
    let middle = sorted.count / 2
    if sorted.count % 2 == 1 { return sorted[middle] }
    return (sorted[middle - 1] + sorted[middle]) / 2
}

/// Where timed loops leave their results so the optimizer cannot delete them.
///
/// Every loop folds what it read into a local accumulator and hands it to
/// ``blackHole(_:)`` once; the accumulated bits end up in the report's
/// `checksum`, so the stores are observable.
enum Sink {
    nonisolated(unsafe) static var bits: UInt64 = 0
}

/// Consumes a value the optimizer must assume is used.
@inline(never)
func blackHole(_ bits: UInt64) {
    Sink.bits = Sink.bits &* 31 &+ bits
}

/// Consumes a `Double`.
@inline(__always)
func blackHole(_ value: Double) { blackHole(value.bitPattern) }

/// Consumes an `Int`.
@inline(__always)
func blackHole(_ value: Int) { blackHole(UInt64(bitPattern: Int64(value))) }

/// A small, fast, seedable generator (SplitMix64) so the random access order is
/// the same in every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The indices `0..<count` in a fixed pseudo-random order.
func shuffledIndices(count: Int, seed: UInt64 = 0x5107_7ED0) -> ContiguousArray<Int> {
    var generator = SplitMix64(seed: seed)
    var indices = ContiguousArray(0..<count)
    indices.shuffle(using: &generator)
    return indices
}

/// Times `count` constructions, each result stored into its own slot of `storage`: the
/// loop does nothing else (no collection bookkeeping, which for an array of class references
/// would add a retain and a release per element to the native side). Every construction
/// path, native or Slotted, is timed through this one function. Returns ns per
/// construction; the caller frees or deinitializes `storage` afterwards.
@inline(__always)
func timeConstructions<T>(
    _ count: Int, into storage: UnsafeMutablePointer<T>, _ make: (Int) throws -> T
) rethrows -> Double {
    let start = ContinuousClock.now
    for i in 0..<count { (storage + i).initialize(to: try make(i)) }
    return nanoseconds(since: start) / Double(count)
}
