//===----------------------------------------------------------------------===//
//
// ForkScenario.swift: fork() while the parent is busy.
//
// Three worker threads construct and free instances, read and write them by
// name, define classes and reset, in three spaces; meanwhile the main thread
// forks children in turn. Each child has only the forking thread: in every
// space, and in a new one, it defines a class, constructs, reads, frees and
// resets, then exits 0. A child that exits otherwise failed; one not done
// within ten seconds hung (it is killed).
//
// The parent does a child's work in every space, and each worker a few
// hundred rounds, before the first fork: the Swift runtime's one-time
// initialisations are not fork-safe, and a child needing one that a worker
// was running at the fork would wait for it forever. Slotted's own locks
// are the library's to hand over (CSupport/fork.c); the runtime's are not,
// and under ThreadSanitizer one of them still hangs some children (see
// Tests/SlottedTests/ForkTests.swift).
//
//===----------------------------------------------------------------------===//

import Slotted

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child's work in one space. Returns nil, or what was wrong.
private func childWork(in space: ObjectSpace, round: Int) -> String? {
    do {
        let cls = try space.defineClass("Child\(round)", slots: ["a": .int, "b": .any])
        let item = try cls(a: .int(round), b: .string(longText(round)))
        let bag = try space.defineClass("ChildBag\(round)")()
        try bag.set("key", .string(longText(round)))
        if try item.get("b") != .string(longText(round)) || bag.get("key") != .string(longText(round)) {
            return "a value read back differs"
        }
        space.free(item)
        space.reset()
        // Anything a worker was constructing or freeing at the fork is lost to the child.
        if space.isAlive(bag) || space.memory.liveInstances > 3 { return "reset left instances" }
        return nil
    } catch {
        return "threw \(error)"
    }
}

/// The busy parent forks up to `maxChildren` children in turn within about `seconds`.
func forkWhileBusy(seconds: Double, maxChildren: Int = 100, childTimeout: Double = 10) -> StressReport {
    var report = StressReport(name: "fork")
    let spaces = [ObjectSpace(), ObjectSpace(), ObjectSpace()]
    guard let pair = try? InstanceKind.untyped.defineClass(in: spaces[0]),
          let dict = try? InstanceKind.dict.defineClass(in: spaces[1])
    else { return StressReport(name: "fork", wrongValues: 1, firstWrong: "defineClass failed") }
    for space in spaces + [ObjectSpace()] {
        if let wrong = childWork(in: space, round: -1) {
            return StressReport(name: "fork", wrongValues: 1, firstWrong: "the parent's own run: \(wrong)")
        }
    }
    let stop = Locked(false, rank: .spaceState)
    let warmWorkers = Locked(0, rank: .spaceState)
    let children = Locked((forked: 0, completed: 0, hung: 0, first: String?.none), rank: .spaceState)
    let tallies = Locked<[ThreadTally]>([], rank: .spaceState)
    let start = monotonicSeconds()
    let deadline = start + seconds
    runThreads(4) { t in
        guard t < 3 else {
            // The forking thread.
            while warmWorkers.withLock({ $0 }) < 3 { usleep(1_000) }
            var round = 0
            while round < maxChildren && (round == 0 || monotonicSeconds() < deadline) {
                usleep(UInt32(1_000 + round % 7 * 500))
                round += 1
                let status = ObjectSpace._forkAndWait(timeout: childTimeout) {
                    for space in spaces + [ObjectSpace()] {
                        if let wrong = childWork(in: space, round: round) {
                            let line = "slotted-stress: fork child \(round): \(wrong)\n"
                            _ = line.withCString { write(2, $0, strlen($0)) }
                            return 1
                        }
                    }
                    return 0
                }
                children.withLock { c in
                    c.forked += 1
                    if status == 0 { c.completed += 1 }
                    if status == 128 + SIGKILL { c.hung += 1 }
                    if status != 0 && c.first == nil { c.first = "child \(round) ended with status \(status)" }
                }
            }
            stop.withLock { $0 = true }
            return
        }
        var tally = ThreadTally()
        var random = StressRandom(seed: UInt64(500 + t))
        var round = 0
        while !stop.withLock({ $0 }) {
            round += 1
            // Every branch below runs in the first rounds, before the first fork.
            if round == 300 { warmWorkers.withLock { $0 += 1 } }
            let read = round <= 8 ? round % 4 : random.next(4)
            do {
                switch t {
                case 0:
                    let item = try InstanceKind.untyped.construct(pair, id: round)
                    checkRead(item, id: round, kind: .untyped, round: read, &tally)
                    try item.set("a", .int(round))
                    spaces[0].free(item)
                    if round % 64 == 5 { _ = try item.get("a") }  // stale: ReferenceError
                case 1:
                    let item = try InstanceKind.dict.construct(dict, id: round)
                    checkRead(item, id: round, kind: .dict, round: read, &tally)
                    try item.set("extra\(round % 32)", .int(round))
                    if round % 256 == 6 { spaces[1].reset() } else { spaces[1].free(item) }
                default:
                    let scratch = ObjectSpace()
                    _ = try scratch.defineClass("Scratch", slots: ["z"])(z: .int(round))
                    if round % 16 == 7 { _ = try spaces[2].defineClass("Defined\(round)", slots: ["q"]) }
                }
            } catch is ReferenceError {
                tally.stale += 1
            } catch {
                tally.wrong("worker \(t) threw \(error)")
            }
            tally.operations += 1
        }
        tallies.withLock { $0.append(tally) }
    }
    report.seconds = monotonicSeconds() - start
    for tally in tallies.withLock({ $0 }) { report.merge(tally) }
    let c = children.withLock { $0 }
    report.children = (c.forked, c.completed, c.hung)
    report.firstWrong = report.firstWrong ?? c.first
    return report
}
