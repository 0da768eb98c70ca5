import Dispatch
import Slotted
import Testing

@Suite("Attribute sites on shaped dict instances and past the header's presence bits")
struct AttributeSiteShapeTests {
    @Test("a site that cached one dict shape reads every instance right, whatever its shape, room or mode")
    func otherShapes() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let x = AttributeSite("x")
        let a = try D(x: 1.0, y: 2.0)
        #expect(try x.get(a) == .double(1.0))  // caches the shape (x, y)
        let b = try D(y: 3.0, x: 4.0)
        #expect(try x.get(b) == .double(4.0))
        let c = try D(x: 5, y: 6.0)
        #expect(try x.get(c) == .int(5))
        for i in 0..<12 { try c.set("extra\(i)", .int(i)) }  // outgrows the cell's room
        #expect(try x.get(c) == .int(5))
        try c.set("x", true)
        #expect(try x.get(c) == .bool(true))
        try a.set("x", "a string")
        #expect(try x.get(a) == .string("a string"))
        try a.set("x", .none)
        #expect(try x.get(a) == Value.none)
        try a._forceDictionaryMode()
        #expect(try x.get(a) == Value.none)
        let missing = try D(y: 1.0)
        #expect(try x.getIfPresent(missing) == Value?.none)
        #expect(throws: AttributeError.self) { try x.get(missing) }
        #expect(x.cacheState == .monomorphic)
    }

    @Test("a site whose first access to a dict class was a set reads that class's instances right")
    func setFirst() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let value = AttributeSite("value")
        let d = try D(ts: 1, value: 1.5)
        try value.set(d, 2.5)
        #expect(try value.get(d) == .double(2.5))
        #expect(try value.get(try D(ts: 2, value: 3.5)) == .double(3.5))
    }

    @Test("a site caching classes whose ids collide in its entries reads each right and stays polymorphic")
    func collidingClasses() throws {
        let space = ObjectSpace()
        let classes = try (0..<8).map { k in
            try space.defineClass("C\(k)", slots: (0..<k).map { ("pad\($0)", SlotType.int) } + [("value", .int)])
        }
        let site = AttributeSite("value")
        // Ids four apart want the same entry after the first class's.
        let picked = [classes[0], classes[4], classes[1], classes[5]]
        let instances = try picked.enumerated().map { i, c in
            let e = try c.new()
            try e.set("value", .int(i))
            return e
        }
        for _ in 0..<3 {
            for (i, e) in instances.enumerated() { #expect(try site.get(e) == .int(i)) }
        }
        #expect(site.cacheState == .polymorphic(4))
        let fifth = try classes[2].new()
        try fifth.set("value", .int(9))
        #expect(try site.get(fifth) == .int(9))
        #expect(site.cacheState == .megamorphic)
        for (i, e) in instances.enumerated() { #expect(try site.get(e) == .int(i)) }
    }

    @Test("a site reads slots past the 16th, set and unset, of every type")
    func pastTheHeader() throws {
        let space = ObjectSpace()
        let types: [SlotType] = [.int, .double, .bool, .int32, .float, .uint8, .string, .any]
        let pad = (0..<16).map { ("pad\($0)", SlotType.int) }
        let C = try space.defineClass("Wide", slots: pad + types.enumerated().map { ("s\($0.offset)", $0.element) })
        let values: [Value] = [.int(-7), .double(2.5), .bool(true), .int(-40_000), .double(0.5), .int(200),
                               .string("text"), .none]
        let set = try C.new(), unset = try C.new()
        for (i, v) in values.enumerated() { try set.set("s\(i)", v) }
        for i in values.indices {
            let site = AttributeSite("s\(i)")
            #expect(try site.get(set) == values[i])
            #expect(try site.getIfPresent(unset) == Value?.none)
            #expect(try site.get(set) == values[i])
        }
    }

    @Test("a site on dict instances shared by readers while a writer rewrites and reshapes them reads only values written")
    func sharedWhileReshaping() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let count = 16, rounds = 400, reads = 40_000
        let instances = try (0..<count).map { try D(x: .int($0), y: 0.5) }
        let x = AttributeSite("x")
        _ = try x.get(instances[0])
        let failures = Locked<[String]>([], rank: .spaceState)
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            if thread == 0 {
                for round in 1...rounds {
                    for j in 0..<count {
                        do {
                            let d = instances[j]
                            switch round % 4 {
                            case 0: try d.set("x", .int(round * count + j))
                            case 1: try d.set("z\(round % 8)", .double(1))  // a new shape
                            case 2: try d.delete("x")  // leaves the shape: dictionary mode
                            default: try d.set("x", .int(round * count + j))
                            }
                        } catch { failures.withLock { $0.append("write: \(error)") } }
                    }
                }
                return
            }
            for r in 0..<reads {
                let j = (r &* 5 &+ thread) % count
                do {
                    switch try x.getIfPresent(instances[j]) {
                    case .int(let v)? where v % count == j: break
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
}
