import Dispatch
import Slotted
import SlottedMacros
import Testing

/// A type only these tests construct, so that its class cache starts empty here.
@SlotClass
struct CacheProbe {
    var n: Int
    var label: String
    let tag: Int
}

@Suite("@SlotClass: the initializers' class cache", .serialized)
struct RegistrationCacheTests {
    @Test("threads constructing at once in several spaces register the class once per space, and each instance gets its own space's class")
    func threadsAcrossSpaces() throws {
        let spaces = [ObjectSpace(), ObjectSpace(), ObjectSpace()]
        let perThread = 300
        let built = Locked<[(space: Int, instance: Instance, n: Int)]>([], rank: .spaceState)
        let failures = Locked<[String]>([], rank: .spaceState)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var mine: [(space: Int, instance: Instance, n: Int)] = []
            for i in 0..<perThread {
                // Each thread moves between the spaces in its own order, so the cache keeps
                // changing hands.
                let s = (i &* (thread &+ 1) &+ thread) % spaces.count
                do {
                    let probe = try CacheProbe(in: spaces[s], n: thread * perThread + i, label: "probe \(i)", tag: s)
                    mine.append((s, probe.instance, thread * perThread + i))
                } catch {
                    failures.withLock { $0.append("thread \(thread): \(error)") }
                }
            }
            built.withLock { $0 += mine }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let all = built.withLock { $0 }
        #expect(all.count == 4 * perThread)
        for (k, space) in spaces.enumerated() {
            #expect(space.classes.filter { $0.name == "CacheProbe" }.count == 1, "space \(k)")
            let cls = try CacheProbe.slotClass(in: space)
            let mine = all.filter { $0.space == k }
            #expect(space.memory.liveInstances == mine.count, "space \(k)")
            for entry in mine {
                #expect(entry.instance.type == cls)
                let probe = try CacheProbe(entry.instance)
                #expect(probe.n == entry.n && probe.tag == k && probe.label.hasPrefix("probe "))
            }
        }
    }

    @Test("a space made after another was destroyed gets a class of its own, even at the same address")
    func destroyedSpaceIsNotReused() throws {
        for round in 0..<20 {
            let space = ObjectSpace()
            let probe = try CacheProbe(in: space, n: round, label: "x", tag: round)
            #expect(probe.instance.type == (try CacheProbe.slotClass(in: space)))
            #expect(space.classes.map(\.name) == ["CacheProbe"])
            #expect(probe.n == round)
        }
    }

    @Test("the initializer's string parameter is stored whether short or long, and freeing releases its block")
    func borrowedStrings() throws {
        let space = ObjectSpace()
        let long = String(repeating: "long label ", count: 8)
        let a = try CacheProbe(in: space, n: 1, label: "short", tag: 1)
        let b = try CacheProbe(in: space, n: 2, label: long, tag: 2)
        #expect(a.label == "short")
        #expect(b.label == long)
        #expect(space.memory.stats.liveBlocks == 1)
        space.free(b.instance)
        space.free(a.instance)
        #expect(space.memory.stats.liveBlocks == 0)
        #expect(space.memory.liveInstances == 0)
    }
}
