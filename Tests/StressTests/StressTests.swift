import Foundation
import Testing

@testable import slotted_stress

/// Seconds each scenario runs in the test suite: short by default, longer with
/// `SLOTTED_STRESS_SECONDS` (the sanitizer runs use the default).
private let seconds = Double(ProcessInfo.processInfo.environment["SLOTTED_STRESS_SECONDS"] ?? "") ?? 1.5

@Suite("Races with free and reset", .serialized)
struct StressTests {
    @Test("by-name reads racing with free and reconstruction return the right value or ReferenceError",
          arguments: InstanceKind.allCases)
    func freeAgainstReads(kind: InstanceKind) {
        let report = raceFreeAgainstReads(kind: kind, threads: 4, seconds: seconds)
        #expect(report.wrongValues == 0, "\(report)")
        #expect(report.exactStatistics, "\(report)")
        #expect(report.operations > 0)
        // The readers met freed instances: the race happened.
        #expect(report.staleOperations > 0, "\(report)")
    }

    @Test("reset racing with by-name construction, sets and reads loses nothing and leaves exact counts",
          arguments: [InstanceKind.untyped, .dict])
    func resetAgainstReadsAndWrites(kind: InstanceKind) {
        let report = raceResetAgainstReadsAndWrites(kind: kind, threads: 4, seconds: seconds)
        #expect(report.wrongValues == 0, "\(report)")
        #expect(report.exactStatistics, "\(report)")
        #expect(report.staleOperations > 0, "\(report)")
    }
}
