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

/// Whether ThreadSanitizer's runtime is loaded: under it some fork children hang on a lock of
/// the Swift runtime (see Tests/SlottedTests/ForkTests.swift), not of Slotted.
private let underThreadSanitizer = dlsym(nil, "__tsan_init") != nil
/// Whether AddressSanitizer's runtime is loaded: its allocator keeps freed memory in a
/// quarantine on purpose (up to 256 MiB), so the memory bounds do not apply under it.
private let underAddressSanitizer = dlsym(nil, "__asan_init") != nil

/// The fork scenario, in a process of its own (an exit test): the parent's only threads are
/// the scenario's.
@Suite("fork from a busy parent", .disabled(if: underThreadSanitizer, "the Swift runtime's metadata lock is not fork-safe"))
struct ForkStressTests {
    @Test("100 children forked from a busy parent each do their work in every space and exit 0")
    func forkWhileBusy() async {
        await #expect(processExitsWith: .success) {
            let report = slotted_stress.forkWhileBusy(seconds: 60, maxChildren: 100)
            print(report)
            exit(report.passed && report.children.forked == 100 ? 0 : 1)
        }
    }
}

/// The memory scenarios, each in a process of its own (an exit test), so that VmSize moves
/// only with what the scenario does: churn-strings and churn-dicts keep VmSize within 2x of
/// its warm value, big-string grows it by less than 64 MiB, spaces costs at most 256 KiB of
/// VmSize and 8 KiB of RSS a cycle.
@Suite("Memory under churn and across spaces")
struct MemoryStressTests {
    @Test("a memory scenario meets its bound", .disabled(if: underAddressSanitizer, "the sanitizer's quarantine keeps freed memory"),
          arguments: ["churn-strings", "churn-dicts", "big-string", "spaces"])
    func memoryScenario(name: String) async {
        await #expect(processExitsWith: .success) { [name] in
            let report = stressScenarios.first { $0.name == name }!.run(2, 2)
            print(report)
            exit(report.passed ? 0 : 1)
        }
    }
}
