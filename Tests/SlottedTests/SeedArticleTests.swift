import Slotted
import Testing

// "Python __slots__ — What They Are and When to Use Them" (shared/seed/slots-article.txt),
// translated example by example. Python's `sys.getsizeof` is `space.sizeof`, `hasattr(p,
// '__dict__')` is `p.hasDict`, and tracemalloc's peak is the space's `memory.peakBytes`.

@Suite("The seed article's examples", .serialized)
struct SeedArticleTests {
    // class PointDict:  def __init__(self, x, y): self.x = x; self.y = y
    // class PointSlots: __slots__ = ('x', 'y'); same __init__
    private static func points() throws -> (ObjectSpace, Instance, Instance) {
        let space = ObjectSpace()
        let PointDict = try space.defineClass("PointDict")
        let PointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        return (space, try PointDict(x: 1.0, y: 2.0), try PointSlots(x: 1.0, y: 2.0))
    }

    // The article's claim is about CPython, where the dict is an object of its own. Here a
    // shaped dict's values sit in the cell, and its shape records that x and y are doubles,
    // kept raw (8 bytes each), while an untyped slot takes 16 bytes for any value: with
    // doubles the dict instance is the smaller of the two, and typed slots smaller still.
    @Test("sys.getsizeof(p_dict) and sys.getsizeof(p_slots): 32 and 40 bytes here (the article's ~280 and ~56 are CPython's); typed slots take 24, a dict of untyped values 48")
    func getsizeof() throws {
        let (space, pDict, pSlots) = try Self.points()
        print("sizeof(p_dict) = \(space.sizeof(pDict))")
        print("sizeof(p_slots) = \(space.sizeof(pSlots))")
        #expect(space.sizeof(pDict) == 32)
        #expect(space.sizeof(pSlots) == 40)
        let typed = try space.defineClass("PointTyped", slots: ["x": .double, "y": .double])
        #expect(space.sizeof(try typed(x: 1.0, y: 2.0)) == 24)
        let flags = try space.defineClass("PointFlags")
        #expect(space.sizeof(try flags(x: true, y: false)) == 48)
    }

    @Test("hasattr(p_dict, '__dict__') is True")
    func pointDictHasDict() throws {
        let (space, pDict, _) = try Self.points()
        print(pDict.hasDict ? "True" : "False")
        #expect(pDict.hasDict == true)
        #expect(space.isAlive(pDict))
    }

    @Test("hasattr(p_slots, '__dict__') is False")
    func pointSlotsHasNoDict() throws {
        let (space, _, pSlots) = try Self.points()
        print(pSlots.hasDict ? "True" : "False")
        #expect(pSlots.hasDict == false)
        #expect(space.isAlive(pSlots))
    }

    @Test("p_slots.z = 3.0 raises AttributeError: 'PointSlots' object has no attribute 'z'")
    func dynamicAssignmentBlocked() throws {
        let (space, _, pSlots) = try Self.points()
        let error = #expect(throws: AttributeError("'PointSlots' object has no attribute 'z'")) {
            try pSlots.set("z", 3.0)
        }
        if let error { print(error) }
        #expect(String(describing: error.map { $0 as any Error }!) == "'PointSlots' object has no attribute 'z'")
        #expect(space.isAlive(pSlots))
    }

    @Test("dynamic attribute assignment on p_dict works")
    func dynamicAssignmentOnDict() throws {
        let (space, pDict, _) = try Self.points()
        try pDict.set("z", 3.0)
        #expect(try pDict.get("z") == 3.0)
        #expect(space.isAlive(pDict))
    }

    /// An `EventDict(ts=i, kind='click', value=i * 1.5)` whose dictionary is a per-instance
    /// hash table, as every CPython dict instance's is (the article's baseline).
    static func dictionaryModeEvent(_ EventDict: SlotClass, _ i: Int) throws -> Instance {
        let e = try EventDict.new()
        try e._forceDictionaryMode()
        try e.set("ts", .int(i))
        try e.set("kind", "click")
        try e.set("value", .double(Double(i) * 1.5))
        return e
    }

    @Test("Memory savings at scale: 100,000 EventSlots save at least 67% against EventDict")
    func memorySavingsAtScale() throws {
        let n = 100_000

        // tracemalloc.start(); events_dict = [EventDict(i, 'click', i * 1.5) for i in range(N)]
        let dictSpace = ObjectSpace()
        let EventDict = try dictSpace.defineClass("EventDict")
        dictSpace.memory.resetPeak()
        let dictBase = dictSpace.memory.allocatedBytes
        var eventsDict: [Instance] = []
        // CPython's dict instances each hold a hash table: Slotted's dictionary mode.
        for i in 0..<n { eventsDict.append(try Self.dictionaryModeEvent(EventDict, i)) }
        let peakDict = dictSpace.memory.peakBytes - dictBase

        // tracemalloc.start(); events_slots = [EventSlots(i, 'click', i * 1.5) for i in range(N)]
        let slotsSpace = ObjectSpace()
        let EventSlots = try slotsSpace.defineClass("EventSlots", slots: ["ts", "kind", "value"])
        slotsSpace.memory.resetPeak()
        let slotsBase = slotsSpace.memory.allocatedBytes
        var eventsSlots: [Instance] = []
        for i in 0..<n { eventsSlots.append(try EventSlots(.int(i), "click", .double(Double(i) * 1.5))) }
        let peakSlots = slotsSpace.memory.peakBytes - slotsBase

        let mb = { (bytes: Int) in (Double(bytes) / 1024 / 1024 * 10).rounded() / 10 }
        let saving = (1 - Double(peakSlots) / Double(peakDict)) * 100
        print("Dict: \(mb(peakDict)) MB")
        print("Slots: \(mb(peakSlots)) MB")
        print("Saving: \(Int(saving.rounded()))%")

        #expect(eventsDict.count == n && eventsSlots.count == n)
        #expect(try eventsSlots[n - 1].get("value") == .double(Double(n - 1) * 1.5))
        #expect(saving >= 67)
    }

    @Test("the same experiment with typed EventSlots (ts: .int, kind: .string, value: .double) saves at least 67%")
    func memorySavingsTyped() throws {
        let n = 100_000
        let dictSpace = ObjectSpace()
        let EventDict = try dictSpace.defineClass("EventDict")
        var eventsDict: [Instance] = []
        // CPython's dict instances each hold a hash table: Slotted's dictionary mode.
        for i in 0..<n { eventsDict.append(try Self.dictionaryModeEvent(EventDict, i)) }
        let slotsSpace = ObjectSpace()
        let EventSlots = try slotsSpace.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        var eventsSlots: [Instance] = []
        for i in 0..<n { eventsSlots.append(try EventSlots(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5))) }
        let saving = 1 - Double(slotsSpace.memory.peakBytes) / Double(dictSpace.memory.peakBytes)
        print("typed EventSlots saving: \(Int((saving * 100).rounded()))%")
        #expect(eventsDict.count == eventsSlots.count)
        #expect(saving >= 0.67)
    }

    @Test("Subclasses do not inherit the __slots__ restriction unless they also define __slots__")
    func subclassWithoutSlotsIsUnrestricted() throws {
        let space = ObjectSpace()
        let PointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        let Loose = try space.defineClass("Loose", base: PointSlots)
        let l = try Loose(x: 1.0, y: 2.0)
        try l.set("z", 3.0)
        #expect(try l.get("z") == 3.0)
    }

    @Test("A class with __slots__ that inherits from a class without __slots__ still has a __dict__")
    func slotsOverDictStillHasDict() throws {
        let space = ObjectSpace()
        let Base = try space.defineClass("Base")
        let Sub = try space.defineClass("Sub", base: Base, slots: ["x"])
        let s = try Sub(x: 1)
        #expect(s.hasDict)
    }

    @Test("Each class should declare only its new slots: repeating the parent's slots is refused")
    func repeatParentSlots() throws {
        let space = ObjectSpace()
        let PointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        #expect(throws: ValueError.self) { try space.defineClass("Point3", base: PointSlots, slots: ["x", "y", "z"]) }
    }
}
