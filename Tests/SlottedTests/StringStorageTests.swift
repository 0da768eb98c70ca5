import Dispatch
import Slotted
import Testing

/// A string of `n` ASCII bytes, different for each `seed`.
private func text(_ n: Int, _ seed: Int = 0) -> String {
    let digits = String(seed)
    return digits + String(repeating: "x", count: max(0, n - digits.count))
}

private let recordSchema: [(name: String, type: SlotType)] = [
    ("id", .int), ("amount", .double), ("code", .string), ("created", .string), ("updated", .string),
]

@Suite("String storage and interning")
struct StringStorageTests {
    @Test("a long string costs its UTF-8 bytes plus an 8-byte count, rounded up to 8, of arena memory",
          arguments: [8, 9, 15, 16, 20, 24, 25, 100, 1000])
    func storageSize(length: Int) throws {
        let space = ObjectSpace()
        let E = try space.defineClass("E", slots: ["s": .string])
        let e = try E.new()
        let before = space.memory.stats
        try e.set("s", .string(text(length)))
        let after = space.memory.stats
        #expect(after.blockBytes - before.blockBytes == (8 + length + 7) / 8 * 8)
        #expect(after.allocatedBytes - before.allocatedBytes == (8 + length + 7) / 8 * 8)
        #expect(after.liveBlocks - before.liveBlocks == 1)
        space.free(e)
        #expect(space.memory.stats.blockBytes == 0)
    }

    @Test("a 20-byte string costs 32 bytes of arena memory")
    func twentyBytes() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("E", slots: ["s": .string])
        let e = try E.new()
        let before = space.memory.allocatedBytes
        try e.set("s", "2024-03-01T12:34:56Z")
        #expect(space.memory.allocatedBytes - before == 32)
        #expect(try e.get("s") == "2024-03-01T12:34:56Z")
    }

    @Test("interned slots share one block per distinct value and the last user frees it")
    func sharing() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: recordSchema, interning: .slots(["created", "updated"]))
        let start = space.memory.allocatedBytes
        let stamp = "2024-03-01T12:34:56Z"
        let a = try R.construct([("created", .string(stamp)), ("updated", .string(stamp))])
        let afterFirst = space.memory.stats
        #expect(afterFirst.internedStrings == 1)
        #expect(afterFirst.liveBlocks == 2)  // the text and the table
        let b = try R.construct([("created", .string(stamp))])
        let afterSecond = space.memory.stats
        #expect(afterSecond.internedStrings == 1)
        #expect(afterSecond.blockBytes == afterFirst.blockBytes)
        #expect(try b.get("created") == .string(stamp))
        space.free(a)
        #expect(space.memory.stats.internedStrings == 1)
        #expect(try b.get("created") == .string(stamp))
        try b.delete("created")
        #expect(space.memory.stats.internedStrings == 0)
        space.free(b)
        #expect(space.memory.allocatedBytes == start)
    }

    @Test("a slot that does not intern keeps a block of its own beside an interned one")
    func mixedSlots() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: recordSchema, interning: .slots(["created"]))
        let stamp = "2024-03-01T12:34:56Z"
        let r = try R.construct([("created", .string(stamp)), ("updated", .string(stamp))])
        #expect(space.memory.stats.internedStrings == 1)
        #expect(space.memory.stats.liveBlocks == 3)  // interned text, its table, updated's own
        try r.set("updated", .string(text(30)))
        try r.set("created", .string(text(30)))
        #expect(try r.get("created") == .string(text(30)))
        #expect(space.memory.stats.internedStrings == 1)
        space.free(r)
        #expect(space.memory.stats.blockBytes == 0)
    }

    @Test("typed accessors intern into an interning slot")
    func typedAccessor() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: recordSchema, interning: .allStringSlots)
        let created = try R.slot("created", as: String.self)
        let rows = try (0..<10).map { _ in try R.new() }
        for r in rows { r[created] = "2024-03-01T12:34:56Z" }
        #expect(space.memory.stats.internedStrings == 1)
        #expect(rows.allSatisfy { $0[created] == "2024-03-01T12:34:56Z" })
        for r in rows { space.free(r) }
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("interning a slot that is not a string slot, or not a slot, throws ValueError")
    func badInterning() throws {
        let space = ObjectSpace()
        #expect(throws: ValueError.self) { try space.defineClass("A", slots: recordSchema, interning: .slots(["id"])) }
        #expect(throws: ValueError.self) { try space.defineClass("B", slots: recordSchema, interning: .slots(["nope"])) }
    }

    @Test("interned values freed in any order leave the others readable and counted")
    func removalOrder() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: recordSchema, interning: .slots(["created"]))
        let rows = try (0..<600).map { i in try R.construct([("id", .int(i)), ("created", .string(text(20, i)))]) }
        var order = Array(rows.indices)
        var generator = SystemRandomNumberGenerator()
        order.shuffle(using: &generator)
        let freed = Set(order.prefix(400))
        for i in order.prefix(400) { space.free(rows[i]) }
        #expect(space.memory.stats.internedStrings == 200)
        for i in rows.indices where !freed.contains(i) {
            #expect(try rows[i].get("created") == .string(text(20, i)))
        }
        // Interning an existing value again finds it.
        let again = try R.construct([("created", .string(text(20, order[599])))])
        #expect(space.memory.stats.internedStrings == 200)
        space.free(again)
        for i in rows.indices where !freed.contains(i) { space.free(rows[i]) }
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("statistics return to their start after a reset of interned instances")
    func resetFrees() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: recordSchema, interning: .allStringSlots)
        let start = space.memory.allocatedBytes
        for i in 0..<2_000 {
            _ = try R.construct([("id", .int(i)), ("created", .string(text(20, i % 50))), ("updated", .string(text(40, i)))])
        }
        let full = space.memory.stats
        #expect(full.internedStrings == 50 + 2_000)
        space.reset()
        let after = space.memory.stats
        #expect(after.internedStrings == 0)
        #expect(after.allocatedBytes == start)
        #expect(after.liveBlocks == 0)
    }

    @Test("a space with interned strings can be destroyed with them live")
    func destroyFrees() throws {
        var space: ObjectSpace? = ObjectSpace()
        let R = try space!.defineClass("R", slots: recordSchema, interning: .allStringSlots)
        let r = try R.construct([("created", .string(text(20)))])
        #expect(space!.memory.stats.internedStrings == 1)
        _ = consume R
        space = nil
        #expect(!r.has("created"))
    }

    @Test("threads that construct and free instances sharing interned values leave exact statistics")
    func threads() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: recordSchema, interning: .allStringSlots)
        let start = space.memory.allocatedBytes
        let failures = Locked<[String]>([], rank: .spaceState)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var mine: [Instance] = []
            for round in 0..<2_000 {
                let stamp = text(20, round % 37)
                do {
                    let r = try R.construct([("id", .int(round)), ("created", .string(stamp))])
                    if try r.get("created") != .string(stamp) { failures.withLock { $0.append("read back \(round)") } }
                    mine.append(r)
                    if mine.count > 16 { space.free(mine.removeFirst()) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            for r in mine { space.free(r) }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(space.memory.stats.internedStrings == 0)
        #expect(space.memory.allocatedBytes == start)
    }

    @Test("unset slots of a records class read as missing and own nothing")
    func unsetSlots() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: recordSchema, interning: .slots(["created"]))
        let r = try R.construct([("id", .int(1)), ("updated", .string(text(20)))])
        #expect(r.has("id"))
        #expect(!r.has("created"))
        #expect(!r.has("amount"))
        #expect(try r.getIfPresent("created") == nil)
        #expect(throws: AttributeError.self) { try r.get("amount") }
        #expect(space.memory.stats.internedStrings == 0)
        space.free(r)
        #expect(space.memory.allocatedBytes == 0)
    }
}
