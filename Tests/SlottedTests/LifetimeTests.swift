import Slotted
import Testing

/// A small space for the lifetime tests: untyped `PointSlots`, typed `EventSlots`, a dict class.
private struct Fixture {
    let space = ObjectSpace()
    let point: SlotClass
    let event: SlotClass
    let bag: SlotClass

    init() throws {
        point = try space.defineClass("PointSlots", slots: ["x", "y"])
        event = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        bag = try space.defineClass("Bag")
    }
}

@Suite("Stale handles")
struct StaleHandleTests {
    @Test("every by-name use of a freed instance throws ReferenceError")
    func byNameUseAfterFree() throws {
        let f = try Fixture()
        let p = try f.point(x: 1.0, y: 2.0)
        f.space.free(p)
        #expect(throws: ReferenceError.self) { try p.get("x") }
        #expect(throws: ReferenceError.self) { try p.set("x", 1) }
        #expect(throws: ReferenceError.self) { try p.delete("x") }
        #expect(throws: ReferenceError.self) { try p.vars() }
        #expect(!p.has("x"))
        #expect("\(p)" == "<freed instance>")
    }

    @Test("a stale handle is detected after its cell was reused by a new instance")
    func staleAfterReuse() throws {
        let f = try Fixture()
        let old = try f.point(x: 1.0, y: 2.0)
        f.space.free(old)
        let new = try f.point(x: 5.0, y: 6.0)
        #expect(new._cellAddress == old._cellAddress)
        #expect(new != old)
        #expect(throws: ReferenceError.self) { try old.get("x") }
        #expect(throws: ReferenceError.self) { try old.set("x", 9) }
        #expect(try new.get("x") == 5.0)
    }

    @Test("a copy of a handle goes stale with the original")
    func copiesGoStale() throws {
        let f = try Fixture()
        let p = try f.point(x: 1.0, y: 2.0)
        let copies = [p, p, p]
        f.space.free(p)
        for c in copies { #expect(throws: ReferenceError.self) { try c.get("y") } }
    }

    @Test("storing a freed instance into a slot throws and leaves the slot as it was")
    func storingStaleReference() throws {
        let f = try Fixture()
        let holder = try f.point(x: 1.0, y: 2.0)
        let gone = try f.point(x: 0.0, y: 0.0)
        f.space.free(gone)
        #expect(throws: ReferenceError.self) { try holder.set("x", .instance(gone)) }
        #expect(try holder.get("x") == 1.0)
    }

    @Test("reading a slot that refers to a freed instance throws instead of dangling")
    func danglingReferenceThrows() throws {
        let f = try Fixture()
        let node = try f.space.defineClass("Node", slots: ["next": .instance, "any": .any])
        let a = try node()
        let b = try node()
        try a.set("next", .instance(b))
        try a.set("any", .instance(b))
        let d = try f.bag(peer: .instance(b))
        #expect(try a.get("next") == .instance(b))
        f.space.free(b)
        #expect(throws: ReferenceError.self) { try a.get("next") }
        #expect(throws: ReferenceError.self) { try a.get("any") }
        #expect(throws: ReferenceError.self) { try d.get("peer") }
    }

    @Test("typed reads through a stale handle trap with a message that says it was freed")
    func typedReadOfStaleHandleTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let event = try space.defineClass("EventSlots", slots: ["ts": .int])
            let ts = try event.slot("ts", as: Int.self)
            let e = try event(ts: 1)
            space.free(e)
            _ = try event(ts: 2)  // reuses the cell
            _ = e[ts]
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("stale handle"))
    }

    @Test("freeing an instance twice traps with a message, even after the cell was reused")
    func doubleFreeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let c = try space.defineClass("C", slots: ["x"])
            let a = try c(x: 1)
            space.free(a)
            _ = try c(x: 2)
            space.free(a)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("free of a stale instance handle"))
    }

    @Test("an accessor applied to an instance of an unrelated class traps with CPython's descriptor message")
    func accessorOnForeignClassTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let a = try space.defineClass("A", slots: ["x": .int])
            let b = try space.defineClass("B", slots: ["x": .int])
            let ax = try a.slot("x", as: Int.self)
            let bInstance = try b(x: 1)
            _ = bInstance[ax]
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("descriptor 'x' for 'A' objects doesn't apply to a 'B' object"))
    }
}

@Suite("Weak references")
struct WeakRefTests {
    @Test("a weak reference returns the instance while it lives and nil once it is freed")
    func clearedOnFree() throws {
        let f = try Fixture()
        let p = try f.point(x: 1.0, y: 2.0)
        let r = f.space.weakRef(p)
        #expect(r.instance == p)
        f.space.free(p)
        #expect(r.instance == nil)
        _ = try f.point(x: 3.0, y: 4.0)  // same cell, new generation
        #expect(r.instance == nil)
    }

    @Test("weak references work on slotted instances without a __weakref__ slot, at no size cost")
    func noWeakrefSlotNeeded() throws {
        let f = try Fixture()
        #expect(!f.point.hasWeakrefSlot)
        let withSlot = try f.space.defineClass("P2", slots: ["x", "y", "__weakref__"])
        #expect(withSlot.instanceSize == f.point.instanceSize)
        let p = try f.point(x: 1.0, y: 2.0)
        #expect(f.space.weakRef(p).instance == p)
    }

    @Test("a weak reference reads nil after the space is reset")
    func clearedOnReset() throws {
        let f = try Fixture()
        let r = f.space.weakRef(try f.event(ts: 1, kind: "a", value: 1.0))
        f.space.reset()
        #expect(r.instance == nil)
    }

    @Test("a weak reference reads nil, without trapping, after its space is destroyed")
    func clearedOnDestroy() throws {
        var r: WeakRef? = nil
        do {
            let space = ObjectSpace()
            let c = try space.defineClass("C", slots: ["x"])
            r = space.weakRef(try c(x: 1))
            #expect(r?.instance != nil)
        }
        #expect(r?.instance == nil)
    }
}

@Suite("Reset and destroy", .serialized)
struct ResetDestroyTests {
    @Test("reset frees every instance, keeps the classes, and leaves every old handle stale")
    func resetKeepsClasses() throws {
        let f = try Fixture()
        let old = try (0..<1000).map { try f.event(ts: .int($0), kind: "a long kind string", value: 1.5) }
        let d = try f.bag(a: 1, b: "two")
        f.space.reset()
        #expect(f.space.memory.allocatedBytes == 0)
        #expect(f.space.memory.liveInstances == 0)
        #expect(throws: ReferenceError.self) { try old[0].get("ts") }
        #expect(throws: ReferenceError.self) { try d.get("a") }
        let e = try f.event(ts: 7, kind: "click", value: 2.0)
        #expect(try e.get("ts") == 7)
        #expect(throws: ReferenceError.self) { try old.last!.get("ts") }
        f.space._checkInvariants()
    }

    @Test("a handle that outlives its space traps with a message when used by name")
    func handleOutlivesSpaceByName() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var handle: Instance? = nil
            do {
                let space = ObjectSpace()
                let c = try space.defineClass("C", slots: ["x"])
                handle = try c(x: 1)
            }
            _ = try handle!.get("x")
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("ObjectSpace was destroyed"))
    }

    @Test("a handle that outlives its space answers the non-trapping questions: not alive, no attributes, an instance of nothing")
    func handleOutlivesSpaceQueries() throws {
        let other = ObjectSpace()
        let otherClass = try other.defineClass("C", slots: ["x": .int])
        var handle: Instance? = nil
        var weak: WeakRef? = nil
        var accessor: SlotAccessor<Int>? = nil
        do {
            let space = ObjectSpace()
            let c = try space.defineClass("C", slots: ["x": .int])
            handle = try c(x: 1)
            weak = space.weakRef(handle!)
            accessor = try c.slot("x", as: Int.self)
        }
        let h = try #require(handle)
        #expect(!h.has("x"))
        #expect(!h.has("__dict__"))
        #expect(!h.isInstance(of: otherClass))
        #expect(!other.isAlive(h))
        #expect(weak?.instance == nil)
        #expect(!h.isSet(accessor!))
        #expect("\(h)" == "<instance of a destroyed space>")
        #expect("\(Value.instance(h))" == "<instance of a destroyed space>")
    }

    @Test("an accessor whose space was destroyed traps with a message that names the accessor, not the instance")
    func accessorOutlivesSpace() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var accessor: SlotAccessor<Int>? = nil
            do {
                let space = ObjectSpace()
                accessor = try space.defineClass("Gone", slots: ["x": .int]).slot("x", as: Int.self)
            }
            let live = ObjectSpace()
            let instance = try live.defineClass("Here", slots: ["x": .int])(x: 1)
            print(instance[accessor!])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Slotted: a typed accessor (slot 0, at offset 8, of class #"))
        #expect(stderr.contains(") used after its ObjectSpace was destroyed"))
    }

    @Test("a space stays alive while one of its classes is referenced")
    func classKeepsSpaceAlive() throws {
        var c: SlotClass? = nil
        var i: Instance? = nil
        do {
            let space = ObjectSpace()
            c = try space.defineClass("C", slots: ["x"])
            i = try c!(x: 1)
        }
        #expect(try i!.get("x") == 1)
        #expect(c!.space.memory.liveInstances == 1)
    }
}

@Suite("Out of memory", .serialized)
struct OutOfMemoryTests {
    @Test("construction throws MemoryError when the arena refuses, and the space stays usable and exact")
    func constructionFails() throws {
        let f = try Fixture()
        let keep = try f.event(ts: 1, kind: "click", value: 1.0)
        let before = f.space.memory.stats
        try #require(f.space._failNextAllocations(1), "the fail-next hook is compiled into debug builds")
        #expect(throws: MemoryError.self) { try f.event(ts: 2, kind: "click", value: 2.0) }
        let after = f.space.memory.stats
        #expect(after.liveInstances == before.liveInstances)
        #expect(after.allocatedBytes == before.allocatedBytes)
        let next = try f.event(ts: 3, kind: "click", value: 3.0)
        #expect(try next.get("ts") == 3)
        #expect(try keep.get("ts") == 1)
        f.space._checkInvariants()
    }

    @Test("a long string that cannot be stored throws MemoryError and leaves the old value")
    func stringStoreFails() throws {
        let f = try Fixture()
        let e = try f.event(ts: 1, kind: "the original long kind", value: 1.0)
        let before = f.space.memory.allocatedBytes
        try #require(f.space._failNextAllocations(1))
        #expect(throws: MemoryError.self) { try e.set("kind", "a replacement that needs a block") }
        #expect(try e.get("kind") == "the original long kind")
        #expect(f.space.memory.allocatedBytes == before)
    }

    @Test("construction whose second allocation fails frees the half-built instance")
    func partialConstructionFreed() throws {
        let f = try Fixture()
        let before = f.space.memory.stats
        // The cell succeeds, the block for the long string fails.
        try #require(f.space._failNextAllocations(1, after: 1))
        #expect(throws: MemoryError.self) { try f.event(ts: 1, kind: "needs a block of its own", value: 1.0) }
        #expect(f.space.memory.stats.liveInstances == before.liveInstances)
        #expect(f.space.memory.stats.allocatedBytes == before.allocatedBytes)
        let e = try f.event(ts: 1, kind: "needs a block of its own", value: 1.0)
        #expect(try e.get("kind") == "needs a block of its own")
    }

    @Test("a dictionary that cannot grow throws MemoryError and keeps its attributes")
    func dictGrowthFails() throws {
        let f = try Fixture()
        let d = try f.bag(a: 1)
        try d._forceDictionaryMode()
        for k in 0..<4 { try d.set("k\(k)", .int(k)) }  // 5 entries: the first table, 2/3 full
        try #require(f.space._failNextAllocations(1))
        #expect(throws: MemoryError.self) { try d.set("k4", 4) }  // the 6th needs a bigger table
        #expect(try d.vars().count == 5)
        #expect(throws: AttributeError.self) { try d.get("k4") }
        try d.set("k4", 4)
        #expect(try d.vars().count == 6)
    }
}

@Suite("Limits")
struct LimitTests {
    @Test("a class with more than the maximum number of slots is refused with a clear ValueError")
    func tooManySlots() throws {
        let space = ObjectSpace()
        let names = (0...ObjectSpace.Limits.maxSlots).map { "s\($0)" }
        #expect(throws: ValueError.self) { try space.defineClass("Big", slots: names) }
        let ok = try space.defineClass("Ok", slots: KeyValuePairs(dictionaryLiteral: ("a", .int)))
        #expect(ok.allSlots == ["a"])
    }

    @Test("class and slot names longer than the maximum are refused")
    func longNames() throws {
        let space = ObjectSpace()
        let long = String(repeating: "a", count: ObjectSpace.Limits.maxNameLength + 1)
        #expect(throws: ValueError.self) { try space.defineClass(long) }
        #expect(throws: ValueError.self) { try space.defineClass("C", slots: [long]) }
    }

    @Test("an inheritance chain deeper than the maximum is refused")
    func deepChain() throws {
        let space = ObjectSpace()
        var c = try space.defineClass("C0", slots: [])
        for i in 1..<ObjectSpace.Limits.maxInheritanceDepth { c = try space.defineClass("C\(i)", base: c, slots: []) }
        #expect(throws: ValueError.self) { try space.defineClass("TooDeep", base: c, slots: []) }
    }

    @Test("an instance larger than the maximum cell is refused")
    func hugeInstance() throws {
        let space = ObjectSpace()
        let names = (0..<1024).map { "s\($0)" }  // 1024 untyped slots: 16 KiB of values plus header
        #expect(throws: ValueError.self) { try space.defineClass("Huge", slots: names) }
    }

    @Test("a class name with a NUL byte is refused as CPython refuses it")
    func nulInName() {
        let space = ObjectSpace()
        #expect(throws: ValueError("type name must not contain null characters")) { try space.defineClass("a\0b") }
    }
}

@Suite("Slots past the header's presence bits")
struct ManySlotsTests {
    @Test("a class with 40 slots keeps every slot's set and unset state apart")
    func fortySlots() throws {
        let space = ObjectSpace()
        let names = (0..<40).map { "s\($0)" }
        let c = try space.defineClass("Wide", slots: names)
        let w = try c()
        for (i, n) in names.enumerated() where i % 3 == 0 { try w.set(n, .int(i)) }
        for (i, n) in names.enumerated() {
            if i % 3 == 0 { #expect(try w.get(n) == .int(i)) } else { #expect(!w.has(n)) }
        }
        let s35 = try c.slot("s35", as: Value.self)
        w[s35] = "late"
        #expect(try w.get("s35") == "late")
        try w.delete("s35")
        #expect(!w.has("s35"))
        space._checkInvariants()
    }
}

@Suite("AddressSanitizer sees the arena")
struct PoisoningTests {
    @Test("the sanitized build poisons free arena memory", .enabled(if: ObjectSpace.backend == "system"))
    func sanitizedBuildReportsPoisoning() {
        // The sanitizer runs use the system backend; only they compile with ASan.
        print("AddressSanitizer poisoning of free cells: \(ObjectSpace.poisonsFreeMemory ? "on" : "off (not an ASan build)")")
        #expect(ObjectSpace.poisonsFreeMemory || ObjectSpace.backend == "system")
    }

    @Test("under AddressSanitizer, reading a freed cell through a raw pointer is reported",
          .enabled(if: ObjectSpace.poisonsFreeMemory))
    func useAfterFreeInsideArenaIsCaught() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let c = try space.defineClass("C", slots: ["x": .int, "y": .int])
            let i = try c(x: 1, y: 2)
            let cell = i._cellAddress
            space.free(i)
            // `pointee` is transparent, so this load is instrumented even in debug builds
            // (a generic `load(fromByteOffset:as:)` runs inside the uninstrumented stdlib).
            print((cell + 16).assumingMemoryBound(to: Int.self).pointee)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("use-after-poison"))
    }

    @Test("under AddressSanitizer, writing past a cell into the next, free cell is reported",
          .enabled(if: ObjectSpace.poisonsFreeMemory))
    func overflowIntoNextCellIsCaught() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let c = try space.defineClass("C", slots: ["x": .int])
            let i = try c(x: 1)
            // The next cell of the slab is free (in the thread's cache, or not carved yet):
            // everything after its header is poisoned.
            (i._cellAddress + 24).assumingMemoryBound(to: Int.self).pointee = 7
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("use-after-poison"))
    }

    @Test("stale-handle checks read only the header, which stays readable after free")
    func headerStaysReadable() throws {
        let space = ObjectSpace()
        let c = try space.defineClass("C", slots: ["x": .int])
        let i = try c(x: 1)
        space.free(i)
        #expect(throws: ReferenceError.self) { try i.get("x") }
        #expect(space.weakRef(i).instance == nil)
    }
}
