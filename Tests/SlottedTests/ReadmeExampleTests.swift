import Slotted
import Testing

@Suite("The README example")
struct ReadmeExampleTests {
    @Test("the README's example runs and prints what the README shows")
    func readmeExample() throws {
        let space = ObjectSpace()
        let PointDict = try space.defineClass("PointDict")
        let PointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        let Event = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        let Point3 = try space.defineClass("Point3", base: PointSlots, slots: ["z"])
        let Loose = try space.defineClass("Loose", base: PointSlots)

        let p = try PointSlots(x: 1.0, y: 2.0)
        #expect(try p.get("x") == .double(1.0))
        #expect(try p.x == .double(1.0))
        try p.set("x", 3)
        #expect(try p.x == 3)
        #expect(throws: AttributeError("'PointSlots' object has no attribute 'z'")) { try p.set("z", 3.0) }
        try p.delete("x")
        #expect(throws: AttributeError("'PointSlots' object has no attribute 'x'")) { try p.get("x") }
        #expect(throws: AttributeError("x")) { try p.delete("x") }
        #expect(p.hasDict == false)
        #expect(space.sizeof(p) == 40)

        let d = try PointDict(x: 1.0, y: 2.0)
        #expect(d.hasDict)
        #expect(try d.vars() == ["x": 1.0, "y": 2.0])
        // Header, dictionary word and two doubles kept raw: smaller than PointSlots's two
        // untyped slots (16 bytes each), larger than two typed ones.
        #expect(space.sizeof(d) == 32)

        let value = try Event.slot("value", as: Double.self)
        let e = try Event(ts: 1, kind: "click", value: 1.5)
        e[value] = e[value] * 2
        #expect(e[value] == 3.0)
        #expect(throws: TypeError.self) { try e.set("value", "oops") }
        #expect(Event.instanceSize == 32)
        #expect("\(e)" == "EventSlots(ts=1, kind='click', value=3.0)")

        let q = try Point3(x: 1.0, y: 2.0, z: 3.0)
        #expect("\(q)" == "Point3(x=1.0, y=2.0, z=3.0)")
        let l = try Loose(x: 1.0, y: 2.0, w: 9)
        #expect(try l.vars() == ["w": 9])

        let ts = try Event.slot("ts", as: Int.self), kind = try Event.slot("kind", as: String.self)
        let e2 = try Event.new { e in
            e[ts] = 2
            e[kind] = "view"
        }
        #expect("\(e2)" == "EventSlots(ts=2, kind='view')")
        let all = try Event.new(count: 100_000) { i, e in e[ts] = i }
        #expect(all.count == 100_000 && all[99_999][ts] == 99_999)
        for x in all { space.free(x) }
        space.free(e2)

        print(Event.layoutDescription)
        let before = space.memory.allocatedBytes
        space.free(e)
        #expect(space.memory.allocatedBytes == before - 32)
    }
}
