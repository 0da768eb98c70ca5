import Dispatch
import Slotted
import Testing

@Suite("The shape a dict instance's header names, and the attribute sites that read through it")
struct ShapeTagTests {
    /// The shape number in `shapeDescription()` (`D shape 2: ...`), nil in dictionary mode.
    private static func shapeNumber(_ d: Instance) throws -> Int? {
        let text = try d.shapeDescription()
        guard let r = text.range(of: " shape ") else { return nil }
        return Int(text[r.upperBound...].prefix { $0.isNumber })
    }

    @Test("the header names the shape of a dictionary whose values are inline, and no shape when empty, in a block or in dictionary mode")
    func tagFollowsTheShape() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        // Booleans are kept untyped: a delete of the last-added name keeps the shapes.
        let d = try D(x: true, y: false)
        let xy = try #require(try Self.shapeNumber(d))
        #expect(xy > 0)
        #expect(d._headerShapeTag == xy)
        try d.delete("y")
        let x = try #require(try Self.shapeNumber(d))
        #expect(x != xy && d._headerShapeTag == x)
        try d.set("y", .none)
        #expect(d._headerShapeTag == xy)
        for i in 0..<10 { try d.set("extra\(i)", .int(i)) }
        #expect(try d.shapeDescription().contains("in a block of"))
        #expect(d._headerShapeTag == 0)

        #expect(try D()._headerShapeTag == 0)
        let e = try D(x: true, y: false)
        #expect(e._headerShapeTag == xy)
        try e._forceDictionaryMode()
        #expect(e._headerShapeTag == 0)
        let f = try D(x: true, y: false)
        try f.delete("x")  // not the last-added name: dictionary mode
        #expect(f._headerShapeTag == 0)
    }

    @Test("a class with six slots and a __dict__ keeps the shape beside its slots' presence bits; with seven it keeps none")
    func besideSlots() throws {
        let space = ObjectSpace()
        let six = try space.defineClass("Six", slots: (0..<6).map { ("s\($0)", SlotType.int) })
        let Sub6 = try space.defineClass("Sub6", base: six)
        let a = try Sub6(s0: 0, s2: 2, s5: 5, z: 7.5, w: "text")  // room for two values inline
        let tag = try #require(a._headerShapeTag)
        #expect(tag > 0)
        #expect(try tag == Self.shapeNumber(a))
        for k in 0..<6 {
            let accessor = try Sub6.slot("s\(k)", as: Int.self)
            #expect(a.isSet(accessor) == [0, 2, 5].contains(k))
        }
        try a.delete("s2")
        try a.set("s3", .int(3))
        #expect(a._headerShapeTag == tag)
        #expect(try a.getIfPresent("s2") == nil)
        #expect(try a.get("s3") == .int(3))
        #expect(try a.get("z") == .double(7.5))
        let z = AttributeSite("z"), s5 = AttributeSite("s5")
        #expect(try z.get(a) == .double(7.5))
        #expect(try s5.get(a) == .int(5))

        let seven = try space.defineClass("Seven", slots: (0..<7).map { ("s\($0)", SlotType.int) })
        let Sub7 = try space.defineClass("Sub7", base: seven)
        let b = try Sub7(s6: 6, z: 1.5)
        #expect(b._headerShapeTag == nil)
        let z7 = AttributeSite("z")
        #expect(try z7.get(b) == .double(1.5))
        #expect(try z7.get(b) == .double(1.5))  // from the cache
        try b.set("z", 2.5)
        #expect(try z7.get(b) == .double(2.5))
        #expect(try b.get("s6") == .int(6))
    }

    @Test("a site that cached where one shape keeps a name does not read another name that took its position")
    func positionTakenByAnotherName() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        // Booleans and None are kept untyped, so the position can change names.
        let d = try D(v: true)
        let v = AttributeSite("v")
        #expect(try v.get(d) == .bool(true))  // caches (v): v at position 0
        try d.delete("v")
        try d.set("w", false)  // shape (w): w at position 0
        #expect(try v.getIfPresent(d) == nil)
        #expect(throws: AttributeError.self) { try v.get(d) }
        try d.delete("w")
        try d.set("v", .none)  // (v) again
        #expect(try v.get(d) == .none)
        #expect(v.cacheState == .monomorphic)
    }

    @Test("sites read untyped slots set and unset, as numbers, booleans, None and strings")
    func untypedSlots() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["a", "b"])
        let site = AttributeSite("a")
        let c = try C(a: 1, b: 2)
        for value: Value in [.int(-3), .double(0.25), .bool(false), .none, .string("a string"), .int(4)] {
            try c.set("a", value)
            #expect(try site.get(c) == value)
        }
        try c.delete("a")
        #expect(try site.getIfPresent(c) == nil)
        #expect(throws: AttributeError.self) { try site.get(c) }
    }

    @Test("site readers racing with a writer that gives a name's position to another name and back see only the name's own values")
    func racingPositionReuse() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let count = 8, rounds = 3_000, reads = 200_000
        // Numbers of both kinds in v and w: the class keeps them untyped (a first instance
        // generalizes each), so a position can change names.
        for name in ["v", "w"] {
            let primer = try D()
            try primer.set(name, 0)
            try primer.set(name, 0.5)
            space.free(primer)
        }
        let instances = try (0..<count).map { try D(v: .int($0)) }
        #expect(try instances[0].shapeDescription().contains("v at 16 (any)"))
        let v = AttributeSite("v")
        _ = try v.get(instances[0])
        let failures = Locked<[String]>([], rank: .spaceState)
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            if thread == 0 {
                // v holds values >= 0, w negative ones; both live at position 0.
                for round in 1...rounds {
                    for (j, d) in instances.enumerated() {
                        do {
                            try d.delete("v")
                            try d.set("w", .int(-round))
                            try d.delete("w")
                            try d.set("v", round % 2 == 0 ? .int(round * count + j) : .double(Double(round * count + j)))
                        } catch { failures.withLock { $0.append("write: \(error)") } }
                    }
                }
                return
            }
            for r in 0..<reads {
                let j = (r &* 3 &+ thread) % count
                do {
                    switch try v.getIfPresent(instances[j]) {
                    case .int(let x)? where x >= 0 && x % count == j: break
                    case .double(let x)? where x >= 0 && Int(x) % count == j: break
                    case nil: break
                    case let other: failures.withLock { $0.append("instance \(j): read \(String(describing: other))") }
                    }
                } catch {
                    failures.withLock { $0.append("instance \(j): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }

    @Test("site readers of an untyped slot racing with a writer that changes its type see whole values")
    func racingUntypedRewrites() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["a"])
        let c = try C(a: 0)
        let a = AttributeSite("a")
        _ = try a.get(c)
        let failures = Locked<[String]>([], rank: .spaceState)
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            if thread == 0 {
                // Ints are even, doubles odd and negative, strings say what they are.
                for i in 0..<50_000 {
                    do {
                        switch i % 3 {
                        case 0: try c.set("a", .int(2 * i))
                        case 1: try c.set("a", .double(-Double(2 * i + 1)))
                        default: try c.set("a", .string("string \(i)"))
                        }
                    } catch { failures.withLock { $0.append("write: \(error)") } }
                }
                return
            }
            for _ in 0..<200_000 {
                do {
                    switch try a.get(c) {
                    case .int(let x) where x % 2 == 0 && x >= 0: break
                    case .double(let x) where x < 0 && Int(-x) % 2 == 1: break
                    case .string(let s) where s.hasPrefix("string "): break
                    case let other: failures.withLock { $0.append("read \(other)") }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }
}
