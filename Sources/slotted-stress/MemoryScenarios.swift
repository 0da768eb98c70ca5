//===----------------------------------------------------------------------===//
//
// MemoryScenarios.swift: what churn and short-lived spaces cost the process.
//
// Each scenario keeps its live data bounded and samples the process's VmSize
// (and RSS) once it is warm and again at the end: freed strings and
// dictionaries must give their address space back for reuse, and a
// destroyed space must leave next to nothing behind. Values read back are
// checked too, as in the race scenarios.
//
//===----------------------------------------------------------------------===//

import Slotted

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

private func mebibytes(_ bytes: Int) -> String { oneDecimal(Double(bytes) / 1_048_576) + " MiB" }

/// VmSize once the scenario is warm (after a quarter of its time) and at its end, sampled by
/// a thread of its own while the workers run.
private final class VmSizeSamples: @unchecked Sendable {
    let warm = Locked(0, rank: .spaceState)
    let end = Locked(0, rank: .spaceState)

    /// Samples at `start + (deadline - start) / 4` and just before `deadline`.
    func sample(start: Double, deadline: Double) {
        let warmAt = start + (deadline - start) / 4
        while monotonicSeconds() < warmAt { usleep(10_000) }
        let w = processMemory().virtual
        warm.withLock { $0 = w }
        while monotonicSeconds() < deadline - 0.05 { usleep(10_000) }
        let e = processMemory().virtual
        end.withLock { $0 = e }
    }

    /// Fills in the report: the end may be at most twice the warm value.
    func judge(_ report: inout StressReport) {
        let (w, e) = (warm.withLock { $0 }, end.withLock { $0 })
        report.measured = "VmSize \(mebibytes(w)) when warm, \(mebibytes(e)) at the end (limit 2x)"
        if e > 2 * w { report.missed = "VmSize grew from \(mebibytes(w)) to \(mebibytes(e))" }
    }
}

/// `threads` threads each keep `perThread` instances live, replacing one at random at each
/// step with a fresh one from `build` (which also checks what it stored), while a sampler
/// watches VmSize.
private func churn(_ name: String, in space: ObjectSpace, threads: Int, seconds: Double, perThread: Int,
                   build: @escaping @Sendable (_ id: Int, _ random: inout StressRandom, _ tally: inout ThreadTally) throws -> Instance)
    -> StressReport
{
    var report = StressReport(name: name)
    let samples = VmSizeSamples()
    let tallies = Locked<[ThreadTally]>([], rank: .spaceState)
    let start = monotonicSeconds()
    let deadline = start + seconds
    runThreads(threads + 1) { t in
        if t == threads { return samples.sample(start: start, deadline: deadline) }
        var tally = ThreadTally()
        var random = StressRandom(seed: UInt64(300 + t))
        var live: [Instance] = []
        var id = t << 40
        while monotonicSeconds() < deadline {
            id += 1
            do {
                let fresh = try build(id, &random, &tally)
                if live.count < perThread {
                    live.append(fresh)
                } else {
                    let i = random.next(perThread)
                    space.free(live[i])
                    live[i] = fresh
                }
            } catch {
                tally.wrong("churn threw \(error)")
                break
            }
            tally.operations += 1
        }
        for instance in live { space.free(instance) }
        tallies.withLock { $0.append(tally) }
    }
    report.seconds = monotonicSeconds() - start
    for tally in tallies.withLock({ $0 }) { report.merge(tally) }
    samples.judge(&report)
    checkEmpty(space, &report)
    return report
}

private let padding = String(repeating: "s", count: 65_536)

/// Strings of every length: inline ones, blocks of a few bytes to 4 KiB, now and then 64 KiB.
private func churnText(_ id: Int, _ random: inout StressRandom) -> String {
    let length = random.next(16) == 0 ? 65_536 : random.next(8) == 0 ? random.next(8) : 16 + random.next(4_096)
    let tag = "#\(id)#"
    return tag + String(decoding: padding.utf8.prefix(max(0, length - tag.utf8.count)), as: UTF8.self)
}

/// Instances with two string slots, replaced and rewritten by name.
func churnStrings(threads: Int, seconds: Double) -> StressReport {
    let space = ObjectSpace()
    guard let text = try? space.defineClass("Text", slots: ["a": .string, "b": .any]) else {
        return StressReport(name: "churn-strings", wrongValues: 1, firstWrong: "defineClass failed")
    }
    return churn("churn-strings", in: space, threads: threads, seconds: seconds, perThread: 2_000) {
        id, random, tally in
        let a = churnText(id, &random)
        let item = try text(a: .string(a), b: .string(churnText(id, &random)))
        try item.set("b", .string(churnText(id, &random)))
        if try item.get("a") != .string(a) { tally.wrong("a of #\(id) changed") }
        return item
    }
}

/// Dict instances of 1 to 40 attributes (tables grow and are replaced), some deleted again.
func churnDicts(threads: Int, seconds: Double) -> StressReport {
    let space = ObjectSpace()
    guard let bag = try? space.defineClass("Bag") else {
        return StressReport(name: "churn-dicts", wrongValues: 1, firstWrong: "defineClass failed")
    }
    return churn("churn-dicts", in: space, threads: threads, seconds: seconds, perThread: 1_000) {
        id, random, tally in
        let item = try bag(id: .int(id))
        for k in 0..<(1 + random.next(40)) {
            try item.set("k\(k)", random.next(4) == 0 ? .string(churnText(id, &random)) : .int(k))
        }
        if random.next(2) == 0, item.has("k0") { try item.delete("k0") }
        if try item.get("id") != .int(id) { tally.wrong("id of #\(id) changed") }
        return item
    }
}

/// Replaces an 8 MiB string in one slot, up to 10,000 times within the time given: VmSize
/// may grow by less than 64 MiB over the replacements.
func replaceBigString(seconds: Double) -> StressReport {
    var report = StressReport(name: "big-string")
    let space = ObjectSpace()
    let strings = [String(repeating: "a", count: 8 << 20), String(repeating: "b", count: 8 << 20)]
    guard let holder = try? space.defineClass("Holder", slots: ["text": .string]),
          let item = try? holder(text: .string(strings[0]))
    else { return StressReport(name: "big-string", wrongValues: 1, firstWrong: "construction failed") }
    let start = monotonicSeconds()
    var warm = processMemory().virtual
    var round = 0
    while round < 10_010 && (round & 15 != 0 || monotonicSeconds() < start + seconds) {
        if round == 10 { warm = processMemory().virtual }
        do {
            try item.set("text", .string(strings[round % 2]))
            if round % 512 == 0, try item.get("text") != .string(strings[round % 2]) {
                report.wrongValues += 1
                report.firstWrong = report.firstWrong ?? "the string read back differs"
            }
        } catch {
            report.wrongValues += 1
            report.firstWrong = report.firstWrong ?? "set threw \(error)"
            break
        }
        round += 1
    }
    let growth = processMemory().virtual - warm
    report.seconds = monotonicSeconds() - start
    report.operations = round
    report.measured = "\(max(0, round - 10)) replacements of an 8 MiB string: VmSize \(growth < 0 ? "-" : "+")"
        + "\(mebibytes(abs(growth))) (limit 64 MiB)"
    if growth >= 64 << 20 { report.missed = "VmSize grew by \(mebibytes(growth))" }
    space.free(item)
    checkEmpty(space, &report)
    return report
}

/// Creates and destroys small spaces (a class, ten instances with a long string each) on
/// `threads` threads, at most 100,000 cycles: once warm (2,000 cycles, or a quarter of the
/// time), each cycle may cost at most 256 KiB of VmSize and 8 KiB of RSS.
func cycleSpaces(threads: Int, seconds: Double) -> StressReport {
    var report = StressReport(name: "spaces")
    let cycles = Locked(0, rank: .spaceState)
    let warm = Locked((cycles: 0, memory: processMemory()), rank: .spaceState)
    let tallies = Locked<[ThreadTally]>([], rank: .spaceState)
    let start = monotonicSeconds()
    let deadline = start + seconds
    let warmAt = start + seconds / 4
    runThreads(threads) { t in
        var tally = ThreadTally()
        while monotonicSeconds() < deadline && cycles.withLock({ $0 }) < 100_000 {
            do {
                let space = ObjectSpace()
                let point = try space.defineClass("Point", slots: ["x": .int, "y": .any])
                for i in 0..<10 {
                    let p = try point(x: .int(i), y: .string(longText(i)))
                    if i == 9, try p.get("y") != .string(longText(i)) { tally.wrong("y of a new point differs") }
                }
            } catch {
                tally.wrong("a cycle threw \(error)")
                break
            }
            tally.operations += 1
            let n = cycles.withLock { n -> Int in n += 1; return n }
            if t == 0 && warm.withLock({ $0.cycles }) == 0 && (n >= 2_000 || monotonicSeconds() >= warmAt) {
                let memory = processMemory()
                warm.withLock { $0 = (n, memory) }
            }
        }
        tallies.withLock { $0.append(tally) }
    }
    let end = processMemory()
    report.seconds = monotonicSeconds() - start
    for tally in tallies.withLock({ $0 }) { report.merge(tally) }
    let (warmCycles, warmMemory) = warm.withLock { $0 }
    let measuredCycles = max(1, cycles.withLock { $0 } - warmCycles)
    let virtualEach = (end.virtual - warmMemory.virtual) / measuredCycles
    let residentEach = (end.resident - warmMemory.resident) / measuredCycles
    report.measured = "\(measuredCycles) cycles once warm: VmSize \(virtualEach) B and RSS \(residentEach) B a cycle "
        + "(limits 256 KiB and 8 KiB), VmSize \(mebibytes(warmMemory.virtual)) -> \(mebibytes(end.virtual))"
    if virtualEach > 256 << 10 || residentEach > 8 << 10 {
        report.missed = "a cycle cost \(virtualEach) B of VmSize and \(residentEach) B of RSS"
    }
    return report
}
