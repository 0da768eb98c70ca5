import Slotted
import Testing

@Suite("space.free and handles to freed instances")
struct FreeTests {
    @Test("a freed instance's handle throws ReferenceError on get")
    func getAfterFree() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        let p = try P(x: 1.0)
        space.free(p)
        #expect(throws: ReferenceError("instance no longer exists: it was freed, and this handle is stale")) {
            try p.get("x")
        }
    }

    @Test("get(default:) still throws ReferenceError for a freed instance")
    func getDefaultAfterFree() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        let p = try P(x: 1.0)
        space.free(p)
        #expect(throws: ReferenceError.self) { try p.get("x", default: 0) }
    }

    @Test("isAlive is true until the instance is freed")
    func isAlive() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        let p = try P()
        #expect(space.isAlive(p))
        space.free(p)
        #expect(!space.isAlive(p))
    }

    @Test("classes still work after a reset")
    func classesAfterReset() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        _ = try P(x: 1.0)
        space.reset()
        let q = try P(x: 3.0)
        #expect(try q.get("x") == 3.0)
    }

    @Test("storing an instance of another space throws a ValueError")
    func storeForeignInstance() throws {
        let Other = try ObjectSpace().defineClass("Other", slots: [])
        let foreign = try Other()
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        let p = try P()
        #expect(throws: ValueError.self) { try p.set("x", .instance(foreign)) }
    }

    @Test("freeing an instance through another space traps")
    func foreignFreeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = ObjectSpace()
            let b = ObjectSpace()
            let P = try a.defineClass("PointSlots", slots: ["x", "y"])
            let p = try P()
            b.free(p)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("another ObjectSpace"))
    }
}
