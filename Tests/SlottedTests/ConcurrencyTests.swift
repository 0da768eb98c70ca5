import Dispatch
import Slotted
import Synchronization
import Testing

@Suite("Threads", .serialized)
struct ConcurrencyTests {
    @Test("two threads of 1,000,000 construct/free pairs each lose nothing and leave exact counts")
    func allocFreeStress() throws {
        let space = ObjectSpace()
        let event = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        let ts = try event.slot("ts", as: Int.self)
        let kind = try event.slot("kind", as: String.self)
        let pairs = 1_000_000
        let keepEvery = 1000
        let kept = ManagedList()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            var mine: [Instance] = []
            for i in 0..<pairs {
                guard let e = try? event.new() else { kept.fail("construction failed"); return }
                e[ts] = i
                e[kind] = i % 97 == 0 ? "a string long enough for a block" : "click"
                if i % keepEvery == 0 { mine.append(e) } else { space.free(e) }
            }
            kept.append(mine, thread: thread)
        }
        #expect(kept.failures.isEmpty)
        let stats = space.memory.stats
        let expected = 2 * (pairs / keepEvery)
        #expect(kept.all.count == expected)
        #expect(stats.liveInstances == expected)
        #expect(stats.instanceBytes == expected * 32)
        // Every kept instance is intact and holds what its thread wrote.
        for (thread, list) in kept.byThread {
            for (k, e) in list.enumerated() { #expect(e[ts] == k * keepEvery, "thread \(thread)") }
        }
        for e in kept.all { space.free(e) }
        #expect(space.memory.allocatedBytes == 0)
        space._checkInvariants()
    }

    @Test("classes defined and dictionary attributes added from two threads at once are all kept")
    func concurrentDefinitionAndNames() throws {
        let space = ObjectSpace()
        let bag = try space.defineClass("Bag")
        let results = ManagedList()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            var mine: [Instance] = []
            for i in 0..<200 {
                do {
                    let c = try space.defineClass("T\(thread)_\(i)", slots: ["a", "b"])
                    mine.append(try c(a: .int(i), b: .int(thread)))
                    let d = try bag()
                    try d.set("attr_\(thread)_\(i % 50)", .int(i))
                    mine.append(d)
                } catch { results.fail("\(error)") }
            }
            results.append(mine, thread: thread)
        }
        #expect(results.failures.isEmpty)
        #expect(space.classes.count == 401)
        #expect(space.memory.liveInstances == 800)
        for (thread, list) in results.byThread {
            for (k, inst) in list.enumerated() where k % 2 == 0 {
                #expect(try inst.get("b") == .int(thread))
            }
        }
        space._checkInvariants()
    }
}

extension ConcurrencyTests {
    @Test("by-name reads of dict instances stay right while other threads release and recycle names")
    func namesReleasedAndRecycledConcurrently() throws {
        let space = ObjectSpace()
        let bag = try space.defineClass("Bag")
        let results = ManagedList()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            do {
                let d = try bag()
                try d.set("kept_\(thread)", .int(thread))
                for i in 0..<50_000 {
                    // Names both threads use, each released as soon as neither holds it.
                    let name = "shared_\(i % 64)"
                    try d.set(name, .int(i))
                    guard try d.get(name) == .int(i), try d.get("kept_\(thread)") == .int(thread) else {
                        results.fail("thread \(thread) read a wrong value at \(i)")
                        return
                    }
                    try d.delete(name)
                }
                results.append([d], thread: thread)
            } catch { results.fail("\(error)") }
        }
        #expect(results.failures.isEmpty)
        for (thread, list) in results.byThread {
            #expect(try list[0].vars() == ["kept_\(thread)": .int(thread)])
        }
        #expect(space.memory.stats.internedNames == 2)
    }

    @Test("by-name reads see whole values while another thread rewrites an untyped slot and reshapes a dictionary")
    func byNameReadsDuringRewrites() throws {
        let space = ObjectSpace()
        let pair = try space.defineClass("AnyPair", slots: ["u", "v"])
        let bag = try space.defineClass("Bag")
        let p = try pair(u: .int(0), v: 1)
        // Ints and doubles in one name: a first instance generalizes each name, so the
        // class keeps them untyped and d keeps its shapes through the rewrites.
        for (first, name) in [(nil, "a"), ("a", "b"), ("a", "c")] as [(String?, String)] {
            let primer = try bag()
            if let first { try primer.set(first, 0) }
            try primer.set(name, 0)
            try primer.set(name, 0.5)
            space.free(primer)
        }
        let d = try bag(a: .int(0), b: .int(-2))
        let rounds = 200_000
        /// Round k stores an even k as an int and an odd one as k + 0.5: a value read half
        /// from one store and half from another is neither.
        @Sendable func isWhole(_ value: Value?) -> Bool {
            switch value {
            case .int(let k)?: k >= 0 && k < rounds && k % 2 == 0
            case .double(let x)?: x >= 0 && x < Double(rounds) && (x - 0.5).rounded() == x - 0.5
                && Int(x - 0.5) % 2 == 1
            default: false
            }
        }
        let results = ManagedList()
        let writerDone = Atomic(false)
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            do {
                if thread == 0 {
                    defer { writerDone.store(true, ordering: .releasing) }
                    for k in 0..<rounds {
                        let value: Value = k % 2 == 0 ? .int(k) : .double(Double(k) + 0.5)
                        try p.set("u", value)
                        try d.set("a", value)
                        // "b" and "c" take turns at the dictionary's second position.
                        if k % 2 == 0 {
                            try d.delete("b")
                            try d.set("c", .int(-1))
                        } else {
                            try d.delete("c")
                            try d.set("b", .int(-2))
                        }
                    }
                    return
                }
                var i = 0
                while !writerDone.load(ordering: .acquiring) {
                    i += 1
                    for _ in 0..<8 {
                        let b = try d.getIfPresent("b")
                        guard b == nil || b == .int(-2) else {
                            results.fail("read b \(String(describing: b)) at \(i)")
                            return
                        }
                    }
                    let u = try p.get("u"), a = try d.get("a")
                    let b = try d.getIfPresent("b"), c = try d.getIfPresent("c")
                    guard isWhole(u), isWhole(a), b == nil || b == .int(-2), c == nil || c == .int(-1) else {
                        results.fail("read \(u), \(a), b \(String(describing: b)), c \(String(describing: c)) at \(i)")
                        return
                    }
                }
            } catch { results.fail("\(error)") }
        }
        #expect(results.failures.isEmpty)
        #expect(try d.shapeDescription().contains("inline"))
    }
}

/// Results gathered from several threads, under a lock.
final class ManagedList: @unchecked Sendable {
    private let lock = NSLockLike()
    private(set) var byThread: [Int: [Instance]] = [:]
    private(set) var failures: [String] = []
    var all: [Instance] { byThread.values.flatMap { $0 } }

    func append(_ items: [Instance], thread: Int) { lock.with { byThread[thread] = items } }
    func fail(_ message: String) { lock.with { failures.append(message) } }
}

/// A minimal lock over a serial dispatch queue (Foundation-free).
final class NSLockLike: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tests.lock")
    func with(_ body: () -> Void) { queue.sync(execute: body) }
}
