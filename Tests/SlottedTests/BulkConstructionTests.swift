import Dispatch
import Foundation
import Slotted
import Testing

@Suite("Bulk construction: cells, generations and statistics")
struct BulkConstructionTests {
    private func eventClass(_ space: ObjectSpace) throws -> (SlotClass, SlotAccessor<Int>, SlotAccessor<String>) {
        let E = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        return (E, try E.slot("ts", as: Int.self), try E.slot("kind", as: String.self))
    }

    @Test("a batch built on freed cells gives each a new generation: every handle from before stays stale")
    func reusedCellsAreNewGenerations() throws {
        let space = ObjectSpace()
        let (E, ts, _) = try eventClass(space)
        let first = try E.new(count: 10_000) { i, e in e[ts] = i }
        for e in first { space.free(e) }
        let second = try E.new(count: 10_000) { i, e in e[ts] = -i }
        #expect(first.allSatisfy { !space.isAlive($0) })
        #expect(Set(first).isDisjoint(with: Set(second)))
        // Most cells were reused (those in the thread's cache, at most 2,048 cells of this
        // size, stay there): same addresses, new handles.
        let reused = Set(second.map(\._cellAddress)).intersection(first.map(\._cellAddress))
        #expect(reused.count >= 7_000)
        for (i, e) in second.enumerated() { #expect(e[ts] == -i) }
        #expect(space.memory.liveInstances == 10_000)
        for e in second { space.free(e) }
        space._checkInvariants()
    }

    @Test("a batch taking some freed cells and some fresh ones counts live cells and the peak exactly")
    func mixedBatchStatistics() throws {
        let space = ObjectSpace()
        let (E, ts, _) = try eventClass(space)
        let size = E.instanceSize
        space.memory.resetPeak()
        let first = try E.new(count: 1_000) { i, e in e[ts] = i }
        for e in first.prefix(400) { space.free(e) }
        let second = try E.new(count: 1_500) { i, e in e[ts] = i }
        #expect(space.memory.liveInstances == 2_100)
        #expect(space.memory.stats.instanceBytes == 2_100 * size)
        #expect(space.memory.stats.peakBytes == 2_100 * size)
        let counts = space._poolCounts(cellSize: size)
        #expect(counts.live == 2_100)
        #expect(counts.live + counts.free == counts.carved)
        for e in first.dropFirst(400) { space.free(e) }
        for e in second { space.free(e) }
        #expect(space.memory.allocatedBytes == 0)
        #expect(space.memory.stats.peakBytes == 2_100 * size)
        space._checkInvariants()
    }

    @Test("when the arena refuses a later chunk, the instances of the earlier chunks are freed and MemoryError comes through")
    func refusedLaterChunk() throws {
        let space = ObjectSpace()
        let (E, ts, kind) = try eventClass(space)
        let kept = try E.new { e in e[kind] = "a string long enough to need a block of its own" }
        // The first chunk's arena call goes through; the second is refused.
        try #require(space._failNextAllocations(1, after: 1), "the fail-next hook is compiled into debug builds")
        var calls = 0
        #expect(throws: MemoryError.self) {
            _ = try E.new(count: 5_000) { i, e in
                calls += 1
                e[ts] = i
            }
        }
        #expect(calls > 0 && calls < 5_000)
        #expect(space.memory.liveInstances == 1)
        #expect(space.memory.stats.liveBlocks == 1)
        #expect(space.isAlive(kept))
        #expect(try E.new(count: 5_000) { i, e in e[ts] = i }.count == 5_000)
        space._checkInvariants()
    }

    @Test("reset after bulk construction hands every cell back")
    func resetAfterBulk() throws {
        let space = ObjectSpace()
        let (E, ts, kind) = try eventClass(space)
        let events = try E.new(count: 4_000) { i, e in
            e[ts] = i
            e[kind] = i % 2 == 0 ? "click" : "a string long enough to need a block of its own \(i)"
        }
        space.reset()
        #expect(events.allSatisfy { !space.isAlive($0) })
        #expect(space.memory.liveInstances == 0)
        #expect(space.memory.stats.liveBlocks == 0)
        let counts = space._poolCounts(cellSize: E.instanceSize)
        #expect(counts.live == 0 && counts.free == counts.carved)
        space._checkInvariants()
    }

    @Test("threads that build in bulk and free hand every cell back when they exit")
    func threadsBuildAndExit() throws {
        let space = ObjectSpace()
        let (E, ts, _) = try eventClass(space)
        let failures = Locked<[String]>([], rank: .spaceState)
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            for round in 0..<5 {
                do {
                    let events = try E.new(count: 2_000) { i, e in e[ts] = thread * 100_000 + round * 2_000 + i }
                    for (i, e) in events.enumerated() where e[ts] != thread * 100_000 + round * 2_000 + i {
                        failures.withLock { $0.append("thread \(thread): instance \(i) holds \(e[ts])") }
                    }
                    for e in events { space.free(e) }
                } catch {
                    failures.withLock { $0.append("thread \(thread): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(space.memory.liveInstances == 0)
        space._checkInvariants()
    }
}

@Suite("Freeing classes with and without heap-owning slots")
struct FreeOwnershipTests {
    @Test("freeing instances of a class of numbers only makes their handles stale and keeps the counts exact")
    func numbersOnly() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("Point", slots: ["x": .double, "y": .double, "n": .int])
        let x = try P.slot("x", as: Double.self)
        let points = try (0..<1_000).map { i in try P.new { p in p[x] = Double(i) } }
        for p in points { space.free(p) }
        #expect(points.allSatisfy { !space.isAlive($0) })
        #expect(space.memory.liveInstances == 0)
        #expect(space.memory.allocatedBytes == 0)
        space._checkInvariants()
    }

    @Test("freeing instances whose string slots hold short inline text or long text releases exactly the blocks")
    func stringSlots() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("Named", slots: ["name": .string, "note": .string, "n": .int])
        let name = try E.slot("name", as: String.self)
        let note = try E.slot("note", as: String.self)
        let events = try (0..<600).map { i in
            try E.new { e in
                e[name] = i % 3 == 0 ? "a name long enough for a block of its own \(i)" : "short"
                if i % 2 == 0 { e[note] = "x" }
            }
        }
        #expect(space.memory.stats.liveBlocks == 200)
        for e in events { space.free(e) }
        #expect(space.memory.stats.liveBlocks == 0)
        #expect(space.memory.allocatedBytes == 0)
        space._checkInvariants()
    }
}
