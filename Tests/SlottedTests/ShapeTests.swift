import Dispatch
import Slotted
import Testing

@Suite("Dict instances with shapes", .serialized)
struct ShapeTests {
    /// A class whose instances already learned their inline capacity from a first one.
    static func pointDict() throws -> (ObjectSpace, SlotClass) {
        let space = ObjectSpace()
        let P = try space.defineClass("PointDict")
        space.free(try P(x: 0.0, y: 0.0))
        return (space, P)
    }

    /// `pointDict()` for values kept untyped (booleans): its instances learned room for two
    /// 16-byte values.
    static func flagDict() throws -> (ObjectSpace, SlotClass) {
        let space = ObjectSpace()
        let P = try space.defineClass("PointDict")
        space.free(try P(x: true, y: true))
        return (space, P)
    }

    @Test("the shape description names the positions and how each value is kept: PointDict shape 2: x at 16 (double), y at 24 (double), inline 16 of 16 bytes")
    func description() throws {
        let (_, P) = try Self.pointDict()
        let p = try P(x: 1.0, y: 2.0)
        #expect(try p.shapeDescription() == "PointDict shape 2: x at 16 (double), y at 24 (double), inline 16 of 16 bytes")
        #expect(p.description == "PointDict(x=1.0, y=2.0)")
        let (_, F) = try Self.flagDict()
        let f = try F(x: true, y: .none)
        #expect(try f.shapeDescription() == "PointDict shape 2: x at 16 (any), y at 32 (any), inline 32 of 32 bytes")
    }

    @Test("doubles, ints and strings are kept raw, 8 bytes each; other values untyped, 16 bytes")
    func representations() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("EventDict")
        let e = try E(ts: 1, kind: "click", value: 1.5, flag: true)
        #expect(try e.shapeDescription() == "EventDict shape 4: ts at 16 (int), kind at 24 (string), value at 32 (double), flag at 40 (any), inline 40 of 40 bytes")
        #expect(space.sizeof(e) == 16 + 40)
        #expect(try e.vars() == ["ts": 1, "kind": "click", "value": 1.5, "flag": true])
        try e.set("kind", "a string long enough for a block of its own")
        try e.set("ts", .int(-7))
        #expect(try e.get("kind") == "a string long enough for a block of its own")
        #expect(try e.vars() == ["ts": -7, "kind": "a string long enough for a block of its own", "value": 1.5, "flag": true])
        space.free(e)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("a value of another kind than a raw position keeps moves the instance to dictionary mode, and later instances keep that name untyped")
    func generalization() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let first = try D(n: 1, s: "text")
        try first.set("n", 1.5)
        #expect(first._isInDictionaryMode)
        #expect(try first.vars() == ["n": 1.5, "s": "text"])
        let second = try D(n: 2, s: "text")
        let text = try second.shapeDescription()
        #expect(text.contains(": n at 16 (any), s at 32 (string)"), "\(text)")
        try second.set("n", "now a string")
        #expect(!second._isInDictionaryMode)
        try second.set("s", 3)  // s is still kept as a string: this instance leaves its shapes
        #expect(second._isInDictionaryMode)
        #expect(try second.vars() == ["n": "now a string", "s": 3])
        space.free(first)
        space.free(second)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("deleting the last-added attribute of a shape with raw values moves the instance to dictionary mode")
    func deleteRaw() throws {
        let (_, P) = try Self.pointDict()
        let p = try P(x: 1.0, y: 2.0)
        try p.delete("y")
        #expect(p._isInDictionaryMode)
        #expect(try p.vars() == ["x": 1.0])
        try p.set("y", 3.0)
        #expect(try p.vars() == ["x": 1.0, "y": 3.0])
    }

    @Test("instances that add the same names in the same order share one shape per step")
    func sharing() throws {
        let (space, P) = try Self.pointDict()
        let before = space.memory.stats
        let points = try (0..<1_000).map { try P(x: .double(Double($0)), y: 0.0) }
        #expect(space.memory.stats.shapeCount == before.shapeCount)
        #expect(before.shapeCount == 3 && before.shapeTransitions == 2)
        for p in points { space.free(p) }
    }

    @Test("setting an existing attribute keeps its position; deleting the last-added one and adding it again puts it back at the end")
    func positions() throws {
        let (_, P) = try Self.flagDict()
        let p = try P(x: true, y: true)
        try p.set("x", false)
        #expect(try p.shapeDescription() == "PointDict shape 2: x at 16 (any), y at 32 (any), inline 32 of 32 bytes")
        try p.delete("y")
        #expect(try p.shapeDescription() == "PointDict shape 1: x at 16 (any), inline 16 of 32 bytes")
        try p.set("y", .none)
        #expect(try p.shapeDescription() == "PointDict shape 2: x at 16 (any), y at 32 (any), inline 32 of 32 bytes")
        #expect(try p.vars() == ["x": false, "y": .none])
    }

    @Test("a dictionary back at a shape it had has another dictionary word, so a reader that saw the first one reads again")
    func dictionaryWordChangesOnReturn() throws {
        let (_, P) = try Self.flagDict()
        let p = try P(x: true, y: true)
        let before = p._dictionaryWord
        // y's position goes to z, then back to y: the same shape as before.
        try p.delete("y")
        try p.set("z", false)
        try p.delete("z")
        try p.set("y", .none)
        #expect(try p.shapeDescription() == "PointDict shape 2: x at 16 (any), y at 32 (any), inline 32 of 32 bytes")
        let after = p._dictionaryWord
        #expect(after & 0x00FF_FFFF_FFFF_FFFF == before & 0x00FF_FFFF_FFFF_FFFF, "the same shape, mode and capacity")
        #expect(after != before)
        // Each of the four changes counted once.
        #expect((after >> 56) &- (before >> 56) == 4)
    }

    @Test("deleting an attribute other than the last-added one moves the instance to dictionary mode, unobservably")
    func deleteMiddle() throws {
        let (space, P) = try Self.pointDict()
        let p = try P(x: 1.0, y: 2.0)
        let cell = space.sizeof(p)
        try p.delete("x")
        #expect(p._isInDictionaryMode)
        #expect(try p.shapeDescription() == "PointDict dictionary mode")
        #expect(try p.vars() == ["y": 2.0])
        #expect(throws: AttributeError.self) { try p.get("x") }
        try p.set("x", 4.0)
        #expect(try p.vars() == ["x": 4.0, "y": 2.0])
        #expect(space.sizeof(p) > cell)
    }

    @Test("more than 64 attributes move an instance to dictionary mode")
    func tooManyAttributes() throws {
        let space = ObjectSpace()
        let d = try space.defineClass("D")()
        for i in 0..<64 { try d.set("a\(i)", .int(i)) }
        #expect(!d._isInDictionaryMode)
        try d.set("a64", 64)
        #expect(d._isInDictionaryMode)
        for i in 0...64 { #expect(try d.get("a\(i)") == .int(i)) }
        space.free(d)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("a class whose transition tree passes 1,024 shapes sends further instances to dictionary mode")
    func tooManyShapes() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        var instances: [Instance] = []
        for i in 0..<1_100 { instances.append(try D.construct([(label: "kept", value: 0), (label: "n\(i)", value: .int(i))])) }
        #expect(space.memory.stats.shapeCount <= 1_024)
        #expect(instances.last!._isInDictionaryMode)
        #expect(!instances.first!._isInDictionaryMode)
        for (i, d) in instances.enumerated() { #expect(try d.vars() == ["kept": 0, "n\(i)": .int(i)]) }
        for d in instances { space.free(d) }
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("instances built by keyword along existing transitions count in their shape: their names stay interned until the last one goes")
    func keywordConstructionCounts() throws {
        let (space, P) = try Self.pointDict()
        let start = space.memory.stats.internedNames
        let a = try P(x: 1.0, y: 2.0)
        #expect(space.memory.stats.internedNames == start + 2)
        let b = try P(x: 3.0, y: 4.0)
        space.free(a)
        #expect(space.memory.stats.internedNames == start + 2)
        #expect(try b.vars() == ["x": 3.0, "y": 4.0])
        space.free(b)
        #expect(space.memory.stats.internedNames == start)
    }

    @Test("a keyword construction that throws after dictionary entries leaves the names and bytes as they were")
    func keywordConstructionThrows() throws {
        let space = ObjectSpace()
        let B = try space.defineClass("B", slots: ["n": .int])
        let D = try space.defineClass("D", base: B)
        space.free(try D(x: 1.0, n: 1))
        let (names, bytes) = (space.memory.stats.internedNames, space.memory.allocatedBytes)
        #expect(throws: TypeError.self) { try D(x: 1.0, n: "text") }
        #expect(space.memory.stats.internedNames == names)
        #expect(space.memory.allocatedBytes == bytes)
        #expect(space.memory.liveInstances == 0)
    }

    @Test("a shaped PointDict that moves to dictionary mode is its cell plus a 4-entry table: 160 bytes, smaller than a first-set table's 240")
    func dictionaryModeSize() throws {
        let (space, P) = try Self.pointDict()
        let p = try P(x: 1.0, y: 2.0)
        try p.delete("x")
        try p.set("x", 1.0)
        #expect(p._isInDictionaryMode)
        #expect(space.sizeof(p) == 32 + 16 + 16 + 4 * 24)
        try p.set("z", 3.0)
        #expect(try p.vars() == ["y": 2.0, "x": 1.0, "z": 3.0])
        #expect(space.sizeof(p) == 32 + 16 + 16 + 8 * 24)
        space.free(p)
        #expect(space.memory.liveInstances == 0)
    }

    @Test("sizeof is the cell with its inline values, plus the block once the values outgrow it")
    func sizeof() throws {
        let (space, P) = try Self.pointDict()
        let p = try P(x: 1.0, y: 2.0)
        #expect(space.sizeof(p) == 32)
        try p.set("z", 3.0)
        #expect(try p.shapeDescription().contains("in a block of 64 bytes"))
        #expect(space.sizeof(p) == 32 + 16 + 16 + 64)
        space.free(p)
    }

    @Test("slots win over dict entries and dict entries shadow class attributes, in both directions of inheritance")
    func inheritance() throws {
        let space = ObjectSpace()
        let S = try space.defineClass("S", slots: ["a"], attributes: ["c": 1])
        let T = try space.defineClass("T", bases: [S])
        let t = try T(a: 1, b: 2)
        try t.set("c", 5)
        #expect(try t.get("c") == 5)
        #expect(try t.vars() == ["b": 2, "c": 5])
        #expect(try t.slotValues().map(\.name) == ["a"])
        let U = try space.defineClass("U", bases: [T], slots: ["d"])
        let u = try U(a: 1, d: 4, e: 5)
        #expect(try u.vars() == ["e": 5])
        #expect(try u.get("d") == 4)
    }

    @Test("a stale handle to a shaped instance throws ReferenceError and its weak reference reads nil")
    func stale() throws {
        let (space, P) = try Self.pointDict()
        let p = try P(x: 1.0, y: 2.0)
        let weak = space.weakRef(p)
        space.free(p)
        #expect(throws: ReferenceError.self) { try p.get("x") }
        #expect(throws: ReferenceError.self) { try p.set("x", 1.0) }
        #expect(weak.instance == nil)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("a copy of a shaped instance has the same attributes and its own values")
    func copy() throws {
        let (space, P) = try Self.pointDict()
        let p = try P(x: 1.0, y: "a string long enough for a block of its own")
        let q = try p._slottedCopy()
        try p.set("y", 0.0)
        #expect(try q.vars() == ["x": 1.0, "y": "a string long enough for a block of its own"])
        space.free(p)
        space.free(q)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("a shaped dictionary that cannot move to a larger block throws MemoryError and keeps its attributes")
    func shapedGrowthFails() throws {
        let space = ObjectSpace()
        let d = try space.defineClass("Bag")(a: 1)
        var k = 0
        // Past the cell's inline room and the first block: the next set needs a new block.
        while try !d.shapeDescription().contains("in a block") {
            try d.set("k\(k)", .int(k))
            k += 1
        }
        while try Self.blockIsFull(d) == false {
            try d.set("k\(k)", .int(k))
            k += 1
        }
        let count = try d.vars().count
        try #require(space._failNextAllocations(1))
        #expect(throws: MemoryError.self) { try d.set("next", 4) }
        #expect(try d.vars().count == count)
        #expect(throws: AttributeError.self) { try d.get("next") }
        try d.set("next", 4)
        #expect(try d.vars().count == count + 1)
        #expect(!d._isInDictionaryMode)
    }

    /// Whether the dictionary's block has no room left, from its shape description.
    static func blockIsFull(_ d: Instance) throws -> Bool? {
        let text = try d.shapeDescription()
        guard let r = text.range(of: "in a block of ") else { return nil }
        let room = Int(text[r.upperBound...].prefix { $0.isNumber })!
        return try d.vars().count * 8 == room  // ints: 8 bytes each
    }

    @Test("two threads adding attributes in different orders to instances of one class read back what they wrote")
    func threads() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let names = (0..<12).map { "attr\($0)" }
        let results = ManagedList()
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            var mine: [Instance] = []
            do {
                for i in 0..<5_000 {
                    let d = try D()
                    let order = thread == 0 ? names : names.reversed()
                    let count = 1 + i % names.count
                    for (k, name) in order.prefix(count).enumerated() { try d.set(name, .int(i * 100 + k)) }
                    for (k, name) in order.prefix(count).enumerated() {
                        guard try d.get(name) == .int(i * 100 + k) else {
                            results.fail("thread \(thread) read a wrong \(name) at \(i)")
                            return
                        }
                    }
                    if i % 7 == 0 { try d.delete(order[0]) }
                    if i % 10 == 0 { mine.append(d) } else { space.free(d) }
                }
            } catch { results.fail("\(error)") }
            results.append(mine, thread: thread)
        }
        #expect(results.failures.isEmpty)
        for d in results.all { space.free(d) }
        #expect(space.memory.allocatedBytes == 0)
        #expect(space.memory.stats.internedNames == 0)
    }

    @Test("readers of a shaped instance racing with writers that add, delete and free see whole values or ReferenceError")
    func readersRaceWriters() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let shared = SharedHandle()
        let results = ManagedList()
        shared.value = try D(x: 0)
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for i in 0..<20_000 {
                if thread == 0 {
                    let old = shared.value!
                    let d = try! D(x: .int(i))
                    try! d.set("s", .string("long string value number \(i) in a block"))
                    if i % 3 == 0 { try! d.delete("x") }
                    shared.value = d
                    space.free(old)
                } else if let d = shared.value {
                    do {
                        if case .string(let s) = try d.get("s", default: .none), !s.hasPrefix("long string value number") {
                            results.fail("torn string \(s)")
                        }
                        _ = try d.vars()
                    } catch is ReferenceError {
                    } catch { results.fail("\(error)") }
                }
            }
        }
        #expect(results.failures.isEmpty)
    }
}

/// A handle shared between threads (the tests synchronise through the instance's header).
final class SharedHandle: @unchecked Sendable {
    private let lock = NSLockLike()
    private var stored: Instance?
    var value: Instance? {
        get {
            var out: Instance?
            lock.with { out = stored }
            return out
        }
        set { lock.with { stored = newValue } }
    }
}
