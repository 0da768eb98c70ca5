//===----------------------------------------------------------------------===//
//
// slotted-stress: runs the race scenarios for a given time and reports what
// they found. `.ci/run` runs it for a minute; `--minutes 10` is the soak.
//
//   slotted-stress [--seconds S | --minutes M] [--threads N] [--only NAME]
//
// The time is shared among the scenarios, which run in turn until it is
// spent (one scenario alone, with --only, runs once for the whole time).
// Exits 1 when any scenario saw a wrong value or inexact statistics, or
// missed a bound (a memory scenario, a fork child that failed or hung).
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

var seconds = 60.0
var threads = 4
var only: String?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    switch flag {
    case "--seconds": seconds = Double(arguments.popFirst() ?? "") ?? seconds
    case "--minutes": seconds = 60 * (Double(arguments.popFirst() ?? "") ?? 1)
    case "--threads": threads = max(2, Int(arguments.popFirst() ?? "") ?? threads)
    case "--only": only = arguments.popFirst()
    default:
        print("usage: slotted-stress [--seconds S | --minutes M] [--threads N] [--only NAME]")
        print("scenarios: " + stressScenarios.map(\.name).joined(separator: ", "))
        exit(flag == "--help" || flag == "-h" ? 0 : 2)
    }
}

let chosen = stressScenarios.filter { only == nil || $0.name == only }
guard !chosen.isEmpty else {
    print("no scenario named \(only ?? "")")
    exit(2)
}
// Scenarios take turns of at most 15 s; one scenario alone runs for the whole time.
let slice = chosen.count == 1 ? seconds : max(1.0, min(15.0, seconds / Double(chosen.count)))
let before = processMemory()
print("slotted-stress: \(chosen.count) scenarios, \(threads) threads, \(Int(seconds)) s in turns of \(Int(slice)) s")
print("  start: VmSize \(before.virtual >> 20) MiB, RSS \(before.resident >> 20) MiB")
let start = monotonicSeconds()
var totals: [String: StressReport] = [:]
var failed = false
repeat {
    for scenario in chosen {
        let report = scenario.run(threads, max(1.0, min(slice, seconds - (monotonicSeconds() - start))))
        print("  " + report.description)
        if !report.passed { failed = true }
        var total = totals[scenario.name] ?? StressReport(name: scenario.name)
        total.add(report)
        totals[scenario.name] = total
        if monotonicSeconds() - start >= seconds { break }
    }
} while monotonicSeconds() - start < seconds
let after = processMemory()
let operations = totals.values.reduce(0) { $0 + $1.operations }
let wrong = totals.values.reduce(0) { $0 + $1.wrongValues }
print("totals over \(Int(monotonicSeconds() - start)) s:")
for scenario in chosen { if let t = totals[scenario.name] { print("  " + t.description) } }
print("  \(operations) operations, \(wrong) wrong values, 0 crashes (the run ended normally)")
print("  end: VmSize \(after.virtual >> 20) MiB, RSS \(after.resident >> 20) MiB")
print(failed ? "FAILED" : "passed")
exit(failed ? 1 : 0)
