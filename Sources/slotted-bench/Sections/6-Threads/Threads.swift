//===----------------------------------------------------------------------===//
//
// Threads.swift: report section 6, threads: construction and free at 1 and N
// threads for three working sets, beside native `final class` construction in
// the same run, and frees from another thread (producer and consumer).
//
//===----------------------------------------------------------------------===//

import Dispatch
import Slotted

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One working set: construct+free throughput at 1 and at N threads.
struct ThreadRow: Codable {
    /// Instances each thread builds, then frees, per round.
    var workingSet: Int
    /// Constructions (each with its free) per second, all threads together.
    var slottedOne: Double
    var slottedMany: Double
    var nativeOne: Double
    var nativeMany: Double
    /// Throughput at N threads over throughput at one.
    var slottedScaling: Double { slottedOne > 0 ? slottedMany / slottedOne : 0 }
    var nativeScaling: Double { nativeOne > 0 ? nativeMany / nativeOne : 0 }
}

struct ThreadFigures: Codable {
    var threads: Int
    /// Timings per figure; each figure is the best of them.
    var runs: Int
    var rows: [ThreadRow]
    /// ns per `space.free(e)` on a consumer thread of instances a producer thread builds
    /// meanwhile, and ns per free of instances the freeing thread built itself.
    var crossThreadFreeNs: Double
    var sameThreadFreeNs: Double

    func row(_ workingSet: Int) -> ThreadRow? { rows.first { $0.workingSet == workingSet } }
}

/// The working sets of the section, per thread.
let threadWorkingSets = [32, 1_000, 100_000]

/// Raw storage a worker thread owns; handed over at creation, joined before reuse.
private struct Storage<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Runs `body(k)` on `count` POSIX threads released together; returns the wall time
/// from the first thread's start to the last thread's end, in nanoseconds.
private func runTogether(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Double {
    final class Shared: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let barrier = UnsafeMutablePointer<pthread_barrier_t>.allocate(capacity: 1)
        /// When each thread started and finished; each thread writes its own elements.
        let starts: UnsafeMutablePointer<ContinuousClock.Instant>
        let ends: UnsafeMutablePointer<ContinuousClock.Instant>
        let count: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ count: Int) {
            self.body = body
            self.count = count
            starts = .allocate(capacity: count)
            starts.initialize(repeating: .now, count: count)
            ends = .allocate(capacity: count)
            ends.initialize(repeating: .now, count: count)
            pthread_barrier_init(barrier, nil, UInt32(count + 1))
        }
        deinit {
            pthread_barrier_destroy(barrier)
            barrier.deallocate()
            starts.deallocate()
            ends.deallocate()
        }
    }
    final class Job: @unchecked Sendable {
        let shared: Shared
        let index: Int
        init(_ shared: Shared, _ index: Int) { (self.shared, self.index) = (shared, index) }
    }
    let shared = Shared(body, count)
    var threads: [pthread_t] = []
    for k in 0..<count {
        let context = Unmanaged.passRetained(Job(shared, k)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
            pthread_barrier_wait(job.shared.barrier)
            job.shared.starts[job.index] = .now
            job.shared.body(job.index)
            job.shared.ends[job.index] = .now
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed")
        threads.append(thread)
    }
    pthread_barrier_wait(shared.barrier)
    for thread in threads { pthread_join(thread, nil) }
    // From the first worker's start, not from this thread's return from the barrier: with
    // as many workers as cores, this thread may get a core back only after a worker ends.
    let start = UnsafeBufferPointer(start: shared.starts, count: count).min()!
    let last = UnsafeBufferPointer(start: shared.ends, count: count).max()!
    let parts = start.duration(to: last).components
    return Double(parts.seconds) * 1e9 + Double(parts.attoseconds) / 1e9
}

/// Measures the section. `opsPerThread` constructions (and frees) per thread per timing,
/// in rounds of the working set; `runs` timings, the best kept (the highest rate, the
/// lowest time per free), for Slotted and native alike. On a shared machine a timing at
/// N threads is slowed whenever another process holds a core, which says nothing about
/// the library: the best of several is the one least disturbed, as timeit's minimum is.
func measureThreads(threads: Int, opsPerThread: Int, runs: Int) throws -> ThreadFigures {
    let space = ObjectSpace()
    let eventClass = try EventClassDefinitions.typedSlots(in: space)
    let ts = try eventClass.slot("ts", as: Int.self)
    let kind = try eventClass.slot("kind", as: String.self)
    let value = try eventClass.slot("value", as: Double.self)
    let counts = Array(Set([1, threads])).sorted()

    let stores = (0..<threads).map { _ in
        Storage(base: UnsafeMutablePointer<Instance>.allocate(capacity: threadWorkingSets.max()!))
    }
    let natives = (0..<threads).map { _ in
        Storage(base: UnsafeMutablePointer<NativeEvent>.allocate(capacity: threadWorkingSets.max()!))
    }
    defer {
        for s in stores { s.base.deallocate() }
        for s in natives { s.base.deallocate() }
    }

    /// Constructions per second of `count` threads, each building and freeing `workingSet`.
    func slotted(_ count: Int, _ workingSet: Int) -> Double {
        let rounds = max(1, opsPerThread / workingSet)
        let ns = runTogether(count) { k in
            let cells = stores[k].base
            for _ in 0..<rounds {
                for i in 0..<workingSet {
                    (cells + i).initialize(to: try! eventClass.new { e in
                        e[ts] = i
                        e[kind] = "click"
                        e[value] = Double(i) * 1.5
                    })
                }
                for i in 0..<workingSet { space.free(cells[i]) }
                cells.deinitialize(count: workingSet)
            }
        }
        return Double(count * rounds * workingSet) / ns * 1e9
    }
    func native(_ count: Int, _ workingSet: Int) -> Double {
        let rounds = max(1, opsPerThread / workingSet)
        let ns = runTogether(count) { k in
            let objects = natives[k].base
            for _ in 0..<rounds {
                for i in 0..<workingSet {
                    (objects + i).initialize(to: NativeEvent(ts: i, kind: "click", value: Double(i) * 1.5))
                }
                objects.deinitialize(count: workingSet)
            }
        }
        return Double(count * rounds * workingSet) / ns * 1e9
    }

    // The timings of a working set are spread over the whole section (each run times every
    // working set in turn), so that a spell of other load on the machine slows a few timings
    // of each row rather than every timing of one row.
    Progress.note("threads: working sets of \(threadWorkingSets.map(\.grouped).joined(separator: ", ")) per thread, 1 and \(threads) threads, \(runs) runs")
    var samples: [Int: [Int: (slotted: [Double], native: [Double])]] = [:]
    for workingSet in threadWorkingSets { _ = slotted(threads, workingSet) }  // warms the pools and every thread's path
    for _ in 0..<runs {
        for workingSet in threadWorkingSets {
            for count in counts {  // the kinds and counts take turns against drift
                samples[workingSet, default: [:]][count, default: ([], [])].slotted.append(slotted(count, workingSet))
                samples[workingSet, default: [:]][count, default: ([], [])].native.append(native(count, workingSet))
            }
        }
    }
    let rows = threadWorkingSets.map { workingSet in
        let s = samples[workingSet]!
        return ThreadRow(
            workingSet: workingSet,
            slottedOne: s[1]!.slotted.max()!, slottedMany: s[threads]!.slotted.max()!,
            nativeOne: s[1]!.native.max()!, nativeMany: s[threads]!.native.max()!)
    }

    Progress.note("threads: frees on a consumer thread against frees on the building thread")
    var cross: [Double] = [], same: [Double] = []
    for _ in 0..<runs {
        cross.append(crossThreadFree(space, eventClass, ts, total: opsPerThread))
        same.append(sameThreadFree(space, eventClass, ts, total: opsPerThread))
    }
    return ThreadFigures(
        threads: threads, runs: runs, rows: rows, crossThreadFreeNs: cross.min()!, sameThreadFreeNs: same.min()!)
}

/// Instances per hand-over between the producer and the consumer.
private let handoffBatch = 1_000

/// A producer builds batches of instances into two buffers in turn while a consumer frees
/// the other: ns per free on the consumer, the hand-over itself not timed.
private func crossThreadFree(_ space: ObjectSpace, _ eventClass: SlotClass, _ ts: SlotAccessor<Int>, total: Int)
    -> Double
{
    final class Handoff: @unchecked Sendable {
        let buffers = [
            UnsafeMutablePointer<Instance>.allocate(capacity: handoffBatch),
            UnsafeMutablePointer<Instance>.allocate(capacity: handoffBatch),
        ]
        let filled = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let empty = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 1)]
        var freeNs: Double = 0
        deinit { for b in buffers { b.deallocate() } }
    }
    let handoff = Handoff()
    let rounds = max(2, total / handoffBatch)
    _ = runTogether(2) { k in
        for round in 0..<rounds {
            let b = round % 2
            if k == 0 {
                handoff.empty[b].wait()
                for i in 0..<handoffBatch {
                    (handoff.buffers[b] + i).initialize(to: try! eventClass.new { e in e[ts] = i })
                }
                handoff.filled[b].signal()
            } else {
                handoff.filled[b].wait()
                let start = ContinuousClock.now
                for i in 0..<handoffBatch { space.free(handoff.buffers[b][i]) }
                handoff.freeNs += nanoseconds(since: start)
                handoff.buffers[b].deinitialize(count: handoffBatch)
                handoff.empty[b].signal()
            }
        }
    }
    return handoff.freeNs / Double(rounds * handoffBatch)
}

/// The same batches built and freed by one thread: ns per free.
private func sameThreadFree(_ space: ObjectSpace, _ eventClass: SlotClass, _ ts: SlotAccessor<Int>, total: Int)
    -> Double
{
    let buffer = UnsafeMutablePointer<Instance>.allocate(capacity: handoffBatch)
    defer { buffer.deallocate() }
    let rounds = max(2, total / handoffBatch)
    var freeNs: Double = 0
    for _ in 0..<rounds {
        for i in 0..<handoffBatch { (buffer + i).initialize(to: try! eventClass.new { e in e[ts] = i }) }
        let start = ContinuousClock.now
        for i in 0..<handoffBatch { space.free(buffer[i]) }
        freeNs += nanoseconds(since: start)
        buffer.deinitialize(count: handoffBatch)
    }
    return freeNs / Double(rounds * handoffBatch)
}
