//===----------------------------------------------------------------------===//
//
// Scenarios.swift: races the library promises to survive, each run for a
// while by several threads, each checking every value it reads.
//
// Every instance is built from an id, and every attribute holds a value
// computed from that id, so a reader that holds a handle and the id it was
// built with knows the only value a successful read may return. A read of a
// freed instance must throw `ReferenceError`; any other outcome (another
// value, another error) counts as a wrong value. Crashes end the process.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena
import Slotted

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What one scenario run did and found.
struct StressReport: Sendable, CustomStringConvertible {
    var name: String
    var seconds: Double = 0
    var operations = 0
    /// Reads and writes that met a freed instance and threw `ReferenceError`, as they must.
    var staleOperations = 0
    /// Values that were not the ones the instance was built with, and unexpected errors.
    var wrongValues = 0
    var firstWrong: String?
    /// Whether the space's statistics were exact once every instance was freed.
    var exactStatistics = true
    var statisticsNote = ""
    /// Children forked, children that did their work and exited 0, children killed after
    /// the time a child is given (the fork scenario).
    var children = (forked: 0, completed: 0, hung: 0)
    /// What a scenario measured (memory figures), for the report line.
    var measured = ""
    /// A target the scenario missed (a memory bound), or nil.
    var missed: String?

    var passed: Bool {
        wrongValues == 0 && exactStatistics && operations > 0 && missed == nil
            && children.completed == children.forked
    }

    var description: String {
        var line = "\(name): \(operations) operations in \(oneDecimal(seconds)) s, "
            + "\(staleOperations) met a freed instance, \(wrongValues) wrong"
        line += exactStatistics ? ", statistics exact" : ", statistics NOT exact (\(statisticsNote))"
        if children.forked > 0 {
            line += "; children: \(children.completed) of \(children.forked) completed, \(children.hung) hung"
        }
        if !measured.isEmpty { line += "; \(measured)" }
        if let missed { line += "; MISSED: \(missed)" }
        if let firstWrong { line += "; first wrong: \(firstWrong)" }
        return line
    }

    /// Adds a later run of the same scenario (the totals of a long run).
    mutating func add(_ other: StressReport) {
        seconds += other.seconds
        operations += other.operations
        staleOperations += other.staleOperations
        wrongValues += other.wrongValues
        firstWrong = firstWrong ?? other.firstWrong
        exactStatistics = exactStatistics && other.exactStatistics
        children.forked += other.children.forked
        children.completed += other.children.completed
        children.hung += other.children.hung
        measured = other.measured
        missed = missed ?? other.missed
    }

    mutating func merge(_ other: ThreadTally) {
        operations += other.operations
        staleOperations += other.stale
        wrongValues += other.wrong
        if firstWrong == nil { firstWrong = other.firstWrong }
    }
}

/// One thread's counts, merged into the report when the thread ends.
struct ThreadTally: Sendable {
    var operations = 0
    var stale = 0
    var wrong = 0
    var firstWrong: String?

    mutating func wrong(_ what: @autoclosure () -> String) {
        wrong += 1
        if firstWrong == nil { firstWrong = what() }
    }
}

/// Runs `body(0..<count)` on `count` threads of their own, all at once (a dispatch pool
/// would run no more of them at a time than there are cores), and waits for them.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Job: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let index: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) {
            self.body = body
            self.index = index
        }
    }
    var threads: [pthread_t] = []
    for i in 0..<count {
        let job = Unmanaged.passRetained(Job(body, i)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            job.body(job.index)
            return nil
        }, job)
        precondition(result == 0, "slotted-stress: pthread_create failed")
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}

/// A small fast random generator, one per thread (SplitMix64).
struct StressRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) % UInt64(bound))
    }
}

/// `x` with one decimal, as text.
func oneDecimal(_ x: Double) -> String {
    let tenths = Int((x * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// The kinds of instance the free/read race runs on.
enum InstanceKind: String, CaseIterable, Sendable {
    /// Two `.int` slots.
    case int
    /// Two untyped slots: an int and a long string.
    case untyped
    /// Two `.string` slots: a long one (an arena block) and a short one (inline).
    case string
    /// No slots: a `__dict__` with an int and a long string.
    case dict

    func defineClass(in space: ObjectSpace) throws -> SlotClass {
        switch self {
        case .int: return try space.defineClass("IntPair", slots: ["a": .int, "b": .int])
        case .untyped: return try space.defineClass("AnyPair", slots: ["a", "b"])
        case .string: return try space.defineClass("StringPair", slots: ["a": .string, "b": .string])
        case .dict: return try space.defineClass("DictPair")
        }
    }

    /// The two values an instance built from `id` holds.
    func values(_ id: Int) -> (a: Value, b: Value) {
        switch self {
        case .int: return (.int(id), .int(-id))
        case .untyped, .dict: return (.int(id), .string(longText(id)))
        case .string: return (.string(longText(id)), .string("s\(id % 1000)"))
        }
    }

    func construct(_ cls: SlotClass, id: Int) throws -> Instance {
        let (a, b) = values(id)
        return try cls.construct([(label: "a", value: a), (label: "b", value: b)])
    }
}

/// Text long enough to live in an arena block, unique to `id`.
func longText(_ id: Int) -> String { "value number \(id) of the stress run, long enough for a block" }

/// Checks one by-name read of the instance built from `id`.
func checkRead(_ instance: Instance, id: Int, kind: InstanceKind, round: Int, _ tally: inout ThreadTally) {
    let expected = kind.values(id)
    do {
        switch round % 4 {
        case 0:
            let a = try instance.get("a")
            if a != expected.a { tally.wrong("get(a) of #\(id) gave \(a)") }
        case 1:
            let b = try instance.get("b")
            if b != expected.b { tally.wrong("get(b) of #\(id) gave \(b)") }
        case 2:
            if kind == .dict {
                let v = try instance.vars()
                if v != ["a": expected.a, "b": expected.b] { tally.wrong("vars() of #\(id) gave \(v)") }
            } else {
                let v = try instance.slotValues()
                if v.count != 2 || v[0].value != expected.a || v[1].value != expected.b {
                    tally.wrong("slotValues() of #\(id) gave \(v)")
                }
            }
        default:
            // `has` and `description` never throw: a freed instance answers false and
            // "<freed instance>".
            _ = instance.has("a")
            let text = instance.description
            if text != "<freed instance>", !text.contains(expected.a.description) {
                tally.wrong("description of #\(id) gave \(text)")
            }
        }
    } catch is ReferenceError {
        tally.stale += 1
    } catch {
        tally.wrong("read of #\(id) threw \(error)")
    }
    tally.operations += 1
}

/// The scenario's class, or nil with the failure in the report.
func defineClass(_ kind: InstanceKind, in space: ObjectSpace, _ report: inout StressReport) -> SlotClass? {
    do { return try kind.defineClass(in: space) } catch {
        report.wrongValues = 1
        report.firstWrong = "defineClass threw \(error)"
        return nil
    }
}

/// Readers read instances by name while writers free them and build new ones, which reuse
/// the freed cells. `threads` is at least 2: one writer per four threads, the rest read.
func raceFreeAgainstReads(kind: InstanceKind, threads: Int, seconds: Double) -> StressReport {
    var report = StressReport(name: "free vs by-name reads (\(kind.rawValue))")
    let space = ObjectSpace()
    guard let cls = defineClass(kind, in: space, &report) else { return report }
    let writers = max(1, threads / 4)
    let readers = max(1, threads - writers)
    let perWriter = 128
    let table = Locked<[(Instance, Int)]>([], rank: .spaceState)
    var nextID = 0
    var initial: [(Instance, Int)] = []
    for _ in 0..<(writers * perWriter) {
        initial.append(((try? kind.construct(cls, id: nextID))!, nextID))
        nextID += 1
    }
    table.withLock { $0 = initial }
    let ids = Locked(nextID, rank: .spaceState)
    let tallies = Locked<[ThreadTally]>([], rank: .spaceState)
    let start = monotonicSeconds()
    let deadline = start + seconds
    runThreads(writers + readers) { t in
        var tally = ThreadTally()
        var random = StressRandom(seed: UInt64(t + 1))
        if t < writers {
            // Writer t owns entries [t * perWriter, (t + 1) * perWriter).
            var round = 0
            while round & 63 != 0 || monotonicSeconds() < deadline {
                let i = t * perWriter + random.next(perWriter)
                let (old, _) = table.withLock { $0[i] }
                space.free(old)
                let id = ids.withLock { n -> Int in n += 1; return n }
                do {
                    let fresh = try kind.construct(cls, id: id)
                    table.withLock { $0[i] = (fresh, id) }
                } catch {
                    tally.wrong("construction threw \(error)")
                    break
                }
                tally.operations += 1
                round += 1
            }
        } else {
            var round = 0
            let count = writers * perWriter
            while round & 255 != 0 || monotonicSeconds() < deadline {
                let (instance, id) = table.withLock { $0[random.next(count)] }
                checkRead(instance, id: id, kind: kind, round: random.next(4), &tally)
                round += 1
            }
        }
        tallies.withLock { $0.append(tally) }
    }
    report.seconds = monotonicSeconds() - start
    for tally in tallies.withLock({ $0 }) { report.merge(tally) }
    for (instance, _) in table.withLock({ $0 }) { space.free(instance) }
    checkEmpty(space, &report)
    return report
}

/// Writers build instances by name and set their attributes, readers read them, and one
/// thread resets the space now and then: every operation either completes on a live
/// instance or meets `ReferenceError`.
func raceResetAgainstReadsAndWrites(kind: InstanceKind, threads: Int, seconds: Double) -> StressReport {
    var report = StressReport(name: "reset vs by-name reads and writes (\(kind.rawValue))")
    let space = ObjectSpace()
    guard let cls = defineClass(kind, in: space, &report) else { return report }
    let slots = 256
    let table = Locked<[(Instance, Int)?]>(Array(repeating: nil, count: slots), rank: .spaceState)
    let ids = Locked(0, rank: .spaceState)
    let tallies = Locked<[ThreadTally]>([], rank: .spaceState)
    let start = monotonicSeconds()
    let deadline = start + seconds
    let workers = max(2, threads - 1)
    runThreads(workers + 1) { t in
        var tally = ThreadTally()
        var random = StressRandom(seed: UInt64(100 + t))
        var round = 0
        if t == workers {
            // The resetting thread.
            while monotonicSeconds() < deadline {
                usleep(UInt32(500 + random.next(1500)))
                space.reset()
                tally.operations += 1
            }
        } else if t % 2 == 0 {
            // Writers: build new instances, or set an attribute of an existing one to the
            // value it already must hold (so readers can still check it).
            while round & 63 != 0 || monotonicSeconds() < deadline {
                round += 1
                let i = random.next(slots)
                if random.next(4) == 0, let (instance, id) = table.withLock({ $0[i] }) {
                    do {
                        try instance.set("b", kind.values(id).b)
                    } catch is ReferenceError {
                        tally.stale += 1
                    } catch {
                        tally.wrong("set of #\(id) threw \(error)")
                    }
                    tally.operations += 1
                    continue
                }
                let id = ids.withLock { n -> Int in n += 1; return n }
                do {
                    let fresh = try kind.construct(cls, id: id)
                    // The slot's previous instance is dropped without a free: the next reset
                    // frees it. A reset may already have freed the new one.
                    table.withLock { $0[i] = (fresh, id) }
                } catch is ReferenceError {
                    tally.stale += 1
                } catch {
                    tally.wrong("construction threw \(error)")
                }
                tally.operations += 1
            }
        } else {
            while round & 255 != 0 || monotonicSeconds() < deadline {
                round += 1
                guard let (instance, id) = table.withLock({ $0[random.next(slots)] }) else { continue }
                checkRead(instance, id: id, kind: kind, round: random.next(4), &tally)
            }
        }
        tallies.withLock { $0.append(tally) }
    }
    report.seconds = monotonicSeconds() - start
    for tally in tallies.withLock({ $0 }) { report.merge(tally) }
    space.reset()
    checkEmpty(space, &report)
    return report
}

/// Once every instance is gone, the space must count nothing live.
func checkEmpty(_ space: ObjectSpace, _ report: inout StressReport) {
    let stats = space.memory.stats
    if stats.liveInstances != 0 || stats.liveBlocks != 0 || stats.allocatedBytes != 0 || stats.blockBytes != 0 {
        report.exactStatistics = false
        report.statisticsNote = "live instances \(stats.liveInstances), live blocks \(stats.liveBlocks), "
            + "allocated \(stats.allocatedBytes) bytes"
    }
}

/// VmSize and VmRSS of this process, in bytes (Linux `/proc/self/statm`).
func processMemory() -> (virtual: Int, resident: Int) {
    var virtual: UInt64 = 0, resident: UInt64 = 0
    slotarena_process_memory(&virtual, &resident)
    return (Int(virtual), Int(resident))
}

/// A named scenario: runs with `threads` threads for about `seconds`.
struct StressScenario: Sendable {
    let name: String
    let run: @Sendable (_ threads: Int, _ seconds: Double) -> StressReport
}

/// Every scenario the stress executable and the stress tests run.
let stressScenarios: [StressScenario] =
    InstanceKind.allCases.map { kind in
        StressScenario(name: "free-\(kind.rawValue)") { raceFreeAgainstReads(kind: kind, threads: $0, seconds: $1) }
    } + [InstanceKind.untyped, .dict].map { kind in
        StressScenario(name: "reset-\(kind.rawValue)") {
            raceResetAgainstReadsAndWrites(kind: kind, threads: $0, seconds: $1)
        }
    } + [
        StressScenario(name: "fork") { _, seconds in forkWhileBusy(seconds: seconds) },
        StressScenario(name: "churn-strings") { churnStrings(threads: $0, seconds: $1) },
        StressScenario(name: "churn-dicts") { churnDicts(threads: $0, seconds: $1) },
        StressScenario(name: "big-string") { _, seconds in replaceBigString(seconds: seconds) },
        StressScenario(name: "spaces") { cycleSpaces(threads: $0, seconds: $1) },
    ]
