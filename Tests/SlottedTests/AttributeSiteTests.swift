import Dispatch
import Slotted
import Testing

/// The error a call throws, as its type and message (nil when it returns).
private func thrown(_ body: () throws -> Any) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return "\(type(of: error)): \(error)"
    }
}

@Suite("Attribute sites: an inline cache of where a name lives")
struct AttributeSiteTests {
    @Test("a site reads the slot of a slotted instance")
    func readsSlot() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        let site = AttributeSite("x")
        #expect(try site.get(try P(x: 1.5, y: 2.0)) == .double(1.5))
    }

    @Test("a site reads None, a boolean, an int, a double and a string from untyped slots")
    func untypedValues() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["v"])
        let site = AttributeSite("v")
        for value: Value in [nil, true, 7, 2.5, "text", "a string long enough to need a block"] {
            #expect(try site.get(try C(v: value)) == value)
            #expect(try C.anySlot("v").get(try C(v: value)) == value)
        }
    }

    @Test("a site used on one class is monomorphic and keeps reading right")
    func monomorphic() throws {
        let E = try ObjectSpace().defineClass("E", slots: ["ts": .int, "value": .double])
        let site = AttributeSite("value")
        #expect(site.cacheState == .empty)
        for i in 0..<100 {
            #expect(try site.get(try E(ts: .int(i), value: .double(Double(i)))) == .double(Double(i)))
        }
        #expect(site.cacheState == .monomorphic)
    }

    @Test("a site used on four classes with the name at four offsets reads each right")
    func polymorphic() throws {
        let space = ObjectSpace()
        let classes = try (0..<4).map { k in
            try space.defineClass("C\(k)", typedSlots: (0...k).map { ("p\($0)", .int) } + [("v", .int)])
        }
        let site = AttributeSite("v")
        for round in 0..<3 {
            for (k, C) in classes.enumerated() {
                let c = try C.new()
                try c.set("v", .int(k * 10 + round))
                #expect(try site.get(c) == .int(k * 10 + round))
            }
        }
        #expect(site.cacheState == .polymorphic(4))
    }

    @Test("a site cached on an int, a double, an int32 and a slot past the 16th reads each with its type")
    func polymorphicTypes() throws {
        let space = ObjectSpace()
        let I = try space.defineClass("I", typedSlots: [("v", .int)])
        let D = try space.defineClass("D", typedSlots: [("pad", .int), ("v", .double)])
        let S = try space.defineClass("S", typedSlots: [("pad", .double), ("v", .int32)])
        let W = try space.defineClass("W", typedSlots: (0..<17).map { ("p\($0)", .int) } + [("v", .double)])
        let site = AttributeSite("v")
        for round in 0..<3 {
            let i = try I.new(), d = try D.new(), s = try S.new(), w = try W.new()
            try i.set("v", .int(-7 - round))
            try d.set("v", .double(2.5 + Double(round)))
            try d.set("pad", .int(99))
            try s.set("v", .int(40 + round))
            try w.set("v", .double(-1.25 * Double(round)))
            #expect(try site.get(i) == .int(-7 - round))
            #expect(try site.get(d) == .double(2.5 + Double(round)))
            #expect(try site.get(s) == .int(40 + round))
            #expect(try site.get(w) == .double(-1.25 * Double(round)))
        }
        #expect(site.cacheState == .polymorphic(4))
    }

    @Test("a site reads, out of line, boolean, float and byte slots and the dictionary of a class with seven slots")
    func outOfLineReads() throws {
        // The inlined read serves 64-bit numbers and untyped values; these take the rest of
        // the fast path in the slow call. Each class is read many times once it is cached.
        let space = ObjectSpace()
        let B = try space.defineClass("B", typedSlots: [("v", .bool)])
        let F = try space.defineClass("F", typedSlots: [("pad", .int), ("v", .float)])
        let U = try space.defineClass("U", typedSlots: [("v", .uint8)])
        let Seven = try space.defineClass("Seven", base: space.defineClass("Base", slots: (0..<7).map { "p\($0)" }))
        let site = AttributeSite("v")
        for round in 0..<20 {
            let b = try B.new(), f = try F.new(), u = try U.new(), d = try Seven.new()
            try b.set("v", .bool(round % 2 == 0))
            try f.set("v", .double(Double(round) + 0.5))
            try u.set("v", .int(250 - round))
            try d.set("w", .int(round))
            try d.set("v", .double(-Double(round)))
            #expect(try site.get(b) == .bool(round % 2 == 0))
            #expect(try site.get(f) == .double(Double(round) + 0.5))
            #expect(try site.get(u) == .int(250 - round))
            #expect(try site.get(d) == .double(-Double(round)))
            #expect(try site.getIfPresent(d) == .double(-Double(round)))
            try d.delete("v")
            #expect(try site.getIfPresent(d) == Value?.none)
        }
        #expect(site.cacheState == .polymorphic(4))
    }

    @Test("a fifth class makes the site megamorphic, and every class still reads right")
    func megamorphic() throws {
        let space = ObjectSpace()
        let classes = try (0..<8).map { k in
            try space.defineClass("C\(k)", typedSlots: (0...k).map { ("p\($0)", .int) } + [("v", .string)])
        }
        let site = AttributeSite("v")
        for round in 0..<3 {
            for (k, C) in classes.enumerated() {
                let c = try C.new()
                try c.set("v", .string("value \(k) of round \(round), long enough for a block"))
                #expect(try site.get(c) == .string("value \(k) of round \(round), long enough for a block"))
            }
        }
        #expect(site.cacheState == .megamorphic)
    }

    @Test("a site reads a base's slot on a subclass instance and the subclass's own slot")
    func subclass() throws {
        let space = ObjectSpace()
        let Base = try space.defineClass("Base", slots: ["x": .int])
        let Sub = try space.defineClass("Sub", base: Base, slots: ["y": .double])
        let x = AttributeSite("x"), y = AttributeSite("y")
        let s = try Sub(x: 3, y: 4.5)
        #expect(try x.get(s) == .int(3))
        #expect(try y.get(s) == .double(4.5))
        #expect(try x.get(try Base(x: 7)) == .int(7))
    }

    @Test("a site reads a class attribute through an instance")
    func classAttribute() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["kind": "point"])
        let site = AttributeSite("kind")
        #expect(try site.get(try C(x: 1)) == .string("point"))
        #expect(try site.get(try C(x: 2)) == .string("point"))
    }

    @Test("a site reads and writes a dict instance's attributes, which shadow a class attribute")
    func dictInstance() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("PointDict", attributes: ["z": "class"])
        let d = try D(x: 1.0)
        let x = AttributeSite("x"), z = AttributeSite("z"), w = AttributeSite("w")
        #expect(try x.get(d) == .double(1.0))
        #expect(try z.get(d) == .string("class"))
        try z.set(d, "own")
        #expect(try z.get(d) == .string("own"))
        try w.set(d, .int(5))
        #expect(try d.get("w") == .int(5))
        #expect(try d.vars() == ["x": 1.0, "z": "own", "w": 5])
    }

    @Test("a site writes a typed slot and the value reads back by name")
    func setsSlot() throws {
        let E = try ObjectSpace().defineClass("E", slots: ["ts": .int, "kind": .string])
        let e = try E.new()
        try AttributeSite("ts").set(e, .int(9))
        try AttributeSite("kind").set(e, "a string that needs a block")
        #expect(try e.get("ts") == .int(9))
        #expect(try e.get("kind") == .string("a string that needs a block"))
    }

    @Test("a site sets numbers and booleans in set typed slots of every type, and refuses what set by name refuses",
          arguments: [0, 16])
    func setsTypedSlots(padding: Int) throws {
        // With 16 slots before them, every slot's presence lies past the header.
        let space = ObjectSpace()
        let T = try space.defineClass("T", typedSlots: (0..<padding).map { ("pad\($0)", .int) }
                                          + [("i", .int), ("d", .double), ("b", .bool), ("i32", .int32),
                                             ("u8", .uint8), ("f", .float)])
        let t = try T(i: 1, d: 1.0, b: false, i32: 1, u8: 1, f: 1.0)
        let byName = try T(i: 1, d: 1.0, b: false, i32: 1, u8: 1, f: 1.0)
        let writes: [(String, Value)] = [
            ("i", .int(-5)), ("i", .int(.max)), ("d", .double(2.5)), ("d", .int(3)), ("d", .double(-.infinity)),
            ("b", .bool(true)), ("b", .bool(false)), ("i32", .int(Int(Int32.min))), ("i32", .int(1 << 40)),
            ("u8", .int(255)), ("u8", .int(256)), ("u8", .int(-1)), ("f", .double(1.5)), ("f", .double(1e300)),
            ("f", .int(7)), ("d", .string("no")), ("b", .int(1)), ("i", .none), ("i", .double(1)),
        ]
        for round in 0..<2 {
            for (name, value) in writes {
                let site = AttributeSite(name)
                if round == 1 { _ = try site.get(t) }  // cached before the write: the fast path
                let expected = thrown { try byName.set(name, value) }
                #expect(thrown { try site.set(t, value) } == expected, "\(name) = \(value)")
                #expect(try site.get(t) == byName.get(name), "\(name) = \(value)")
            }
        }
        let i = try T.slot("i", as: Int.self), d = try T.slot("d", as: Double.self)
        #expect(t[i] == byName[i] && t[d] == byName[d] && t[i] == .max)
    }

    @Test("a site sets an unset typed slot, past the 16th slot too, and reads it back")
    func setsUnsetSlots() throws {
        let W = try ObjectSpace().defineClass("W", typedSlots: (0..<20).map { ("s\($0)", .int) })
        let s1 = AttributeSite("s1"), s17 = AttributeSite("s17")
        for k in 0..<3 {
            let w = try W.new()
            #expect(try s1.getIfPresent(w) == Value?.none && s17.getIfPresent(w) == Value?.none)
            try s1.set(w, .int(k))
            try s17.set(w, .int(k + 100))
            #expect(try s1.get(w) == .int(k) && s17.get(w) == .int(k + 100))
            try s17.set(w, .int(k + 200))
            #expect(try w.get("s17") == .int(k + 200))
            #expect(try w[W.slot("s17", as: Int.self)] == k + 200)
        }
    }

    @Test("a site's get and set through a handle whose instance was freed throw ReferenceError and leave the cell's new instance alone")
    func staleHandleAfterReuse() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("E", slots: ["v": .double, "n": .int])
        let v = AttributeSite("v"), n = AttributeSite("n")
        for k in 0..<50 {
            let old = try E(v: .double(Double(k)), n: .int(k))
            #expect(try v.get(old) == .double(Double(k)) && n.get(old) == .int(k))
            try v.set(old, .double(-1))
            space.free(old)
            let fresh = try E(v: 0.5, n: 7)
            #expect(thrown { try v.get(old) } == thrown { try old.get("v") })
            #expect(thrown { try v.get(old) } != nil)
            #expect(thrown { try n.set(old, .int(99)) } == thrown { try old.set("n", .int(99)) })
            #expect(thrown { try n.set(old, .int(99)) } != nil)
            #expect(try v.get(fresh) == .double(0.5) && n.get(fresh) == .int(7))
            space.free(fresh)
        }
    }

    @Test("a site's get throws the errors Instance.get throws, with the same messages")
    func getErrorsMatch() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        let D = try space.defineClass("PointDict")
        let p = try P(y: 1), d = try D(y: 1)
        let freed = try P(x: 1)
        space.free(freed)
        for (instance, name) in [(p, "x"), (p, "z"), (d, "x"), (freed, "x")] {
            let site = AttributeSite(name)
            let expected = thrown { try instance.get(name) }
            #expect(expected != nil)
            #expect(thrown { try site.get(instance) } == expected)
            #expect(thrown { try site.get(instance) } == expected)
        }
    }

    @Test("a site's set throws the errors Instance.set throws, with the same messages")
    func setErrorsMatch() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("E", slots: ["ts": .int], attributes: ["k": 1])
        let e = try E()
        let freed = try E()
        space.free(freed)
        for (instance, name, value) in [(e, "ts", Value.string("no")), (e, "z", .int(1)), (e, "k", .int(2)),
                                        (freed, "ts", .int(1))]
        {
            let site = AttributeSite(name)
            let expected = thrown { try instance.set(name, value) }
            #expect(expected != nil)
            #expect(thrown { try site.set(instance, value) } == expected)
            #expect(thrown { try site.set(instance, value) } == expected)
        }
    }

    @Test("a site's getIfPresent is nil for an unset slot and a missing name, the value otherwise")
    func siteGetIfPresent() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x": .double, "y": .double])
        let D = try space.defineClass("PointDict")
        let x = AttributeSite("x"), z = AttributeSite("z")
        #expect(try x.getIfPresent(try P(y: 1)) == Value?.none)
        #expect(try x.getIfPresent(try P(x: 2)) == .double(2))
        #expect(try z.getIfPresent(try P(x: 2)) == Value?.none)
        #expect(try z.getIfPresent(try D(x: 2)) == Value?.none)
        #expect(try x.getIfPresent(try D(x: 2.0)) == .double(2))
    }

    @Test("a site shared by reader threads while another frees and reconstructs reads right values or ReferenceError")
    func sharedWhileFreeing() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["n": .int, "text": .string, "u": .any])
        let D = try space.defineClass("D")
        let count = 64, rounds = 300, reads = 60_000
        @Sendable func make(_ token: Int) throws -> Instance {
            let text = "token \(token) in a string too long to be inline"
            let u = Value.double(Double(token) + 0.5)
            return token % 2 == 0 ? try C(n: .int(token), text: .string(text), u: u) : try D(n: .int(token), text: .string(text), u: u)
        }
        let live = Locked<[(Instance, Int)]>(try (0..<count).map { (try make($0), $0) }, rank: .spaceState)
        let n = AttributeSite("n"), text = AttributeSite("text"), u = AttributeSite("u")
        let failures = Locked<[String]>([], rank: .spaceState)
        let freedReads = Locked(0, rank: .spaceState)
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            if thread == 0 {
                for round in 1...rounds {
                    for j in 0..<count {
                        let old = live.withLock { $0[j].0 }
                        space.free(old)
                        do {
                            let fresh = try make(round * count + j)
                            live.withLock { $0[j] = (fresh, round * count + j) }
                        } catch { failures.withLock { $0.append("construct: \(error)") } }
                    }
                }
                return
            }
            var stale = 0
            for r in 0..<reads {
                let (handle, token) = live.withLock { $0[(r &* 7 &+ thread) % count] }
                do {
                    let v = try n.get(handle)
                    let t = try text.get(handle)
                    let w = try u.get(handle)
                    if v != .int(token) || t != .string("token \(token) in a string too long to be inline")
                        || w != .double(Double(token) + 0.5)
                    {
                        failures.withLock { $0.append("token \(token): read \(v), \(t), \(w)") }
                    }
                } catch is ReferenceError {
                    stale += 1
                } catch {
                    failures.withLock { $0.append("token \(token): \(error)") }
                }
            }
            freedReads.withLock { $0 += stale }
        }
        #expect(failures.withLock { $0 } == [])
    }

    @Test("the README's example for embedding hosts runs and reads what it says")
    func readmeHostExample() throws {
        let space = ObjectSpace()
        let PointSlots = try space.defineClass("PointSlots", slots: ["x", "y"])
        let PointDict = try space.defineClass("PointDict")
        let Event = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        let p = try PointSlots(x: 1.0, y: 2.0), d = try PointDict(x: 1.0)
        let value = try Event.slot("value", as: Double.self)
        let e = try Event(ts: 1, kind: "click")
        let x = AttributeSite("x")
        #expect(try x.get(p) == .double(1.0))
        try x.set(d, 2.0)
        #expect(try d.get("x") == .double(2.0))
        try p.delete("x")
        #expect(try p.getIfPresent("x") == Value?.none)
        #expect(e[ifSet: value] == nil)
        let any = try Event.anySlot("kind")
        try any.set(e, "view")
        #expect(try any.get(e) == "view")
    }

    @Test("a site reading shaped dict instances interns no name of its own")
    func shapedDictPinsNothing() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let d = try D(x: 1)
        let before = space.memory.stats.internedNames
        do {
            let site = AttributeSite("unused")
            let read = try site.getIfPresent(d)
            #expect(read == Value?.none)
            #expect(try AttributeSite("x").get(d) == .int(1))
            #expect(space.memory.stats.internedNames == before)
            withExtendedLifetime(site) {}
        }
        #expect(space.memory.stats.internedNames == before)
    }
}
