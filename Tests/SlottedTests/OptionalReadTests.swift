import Slotted
import Testing

/// A class of 20 typed int slots, `s0` to `s19`, in a fresh space.
private func wide() throws -> SlotClass {
    try ObjectSpace().defineClass("Wide", typedSlots: (0..<20).map { ("s\($0)", .int) })
}

@Suite("Reads that do not throw: getIfPresent, instance[ifSet:], isSet")
struct OptionalReadTests {
    @Test("getIfPresent returns a set slot's value")
    func setSlot() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        #expect(try P(x: 1.0).getIfPresent("x") == .double(1.0))
    }

    @Test("getIfPresent returns nil for an unset slot and for a name the class does not have")
    func unsetAndMissing() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        let p = try P(y: 2.0)
        #expect(try p.getIfPresent("x") == Value?.none)
        #expect(try p.getIfPresent("z") == Value?.none)
    }

    @Test("getIfPresent reads a dict entry and a class attribute, and is nil for neither")
    func dictAndClassAttribute() throws {
        let D = try ObjectSpace().defineClass("PointDict", attributes: ["k": 3])
        let d = try D(x: 1)
        #expect(try d.getIfPresent("x") == .int(1))
        #expect(try d.getIfPresent("k") == .int(3))
        #expect(try d.getIfPresent("w") == Value?.none)
    }

    @Test("getIfPresent throws ReferenceError for a stale handle")
    func stale() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x"])
        let p = try P(x: 1)
        space.free(p)
        #expect(throws: ReferenceError.self) { try p.getIfPresent("x") }
    }

    @Test("instance[ifSet: accessor] is the value of a set slot and nil for an unset one")
    func optionalTyped() throws {
        let E = try ObjectSpace().defineClass("E", slots: ["ts": .int, "value": .double])
        let ts = try E.slot("ts", as: Int.self), value = try E.slot("value", as: Double.self)
        let e = try E(ts: 4)
        #expect(e[ifSet: ts] == 4)
        #expect(e[ifSet: value] == nil)
    }

    @Test("instance[ifSet: accessor] reads a base's slot on a subclass instance")
    func optionalTypedSubclass() throws {
        let space = ObjectSpace()
        let Base = try space.defineClass("Base", slots: ["x": .int])
        let Sub = try space.defineClass("Sub", base: Base, slots: ["y": .int])
        let x = try Base.slot("x", as: Int.self)
        #expect(try Sub(x: 5)[ifSet: x] == 5)
        #expect(try Sub(y: 5)[ifSet: x] == nil)
    }

    @Test("isSet follows set, delete and a subclass instance")
    func isSet() throws {
        let space = ObjectSpace()
        let Base = try space.defineClass("Base", slots: ["x": .int])
        let Sub = try space.defineClass("Sub", base: Base, slots: ["y": .int])
        let x = try Base.slot("x", as: Int.self)
        let b = try Base()
        #expect(!b.isSet(x))
        try b.set("x", 1)
        #expect(b.isSet(x))
        try b.delete("x")
        #expect(!b.isSet(x))
        #expect(try Sub(x: 1).isSet(x))
        #expect(try !Sub(y: 1).isSet(x))
    }

    @Test("isSet is false for a freed instance")
    func isSetFreed() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["x": .int])
        let x = try C.slot("x", as: Int.self)
        let c = try C(x: 1)
        space.free(c)
        #expect(!c.isSet(x))
    }
}

@Suite("Typed reads of slots past the 16th")
struct WideSlotReadTests {
    @Test("slots 16 to 19 read back what was stored, through the subscript and by name")
    func readsBack() throws {
        let W = try wide()
        let w = try W.new()
        for i in 16..<20 { w[try W.slot("s\(i)", as: Int.self)] = i * 100 }
        for i in 16..<20 {
            #expect(w[try W.slot("s\(i)", as: Int.self)] == i * 100)
            #expect(try w.get("s\(i)") == .int(i * 100))
        }
    }

    @Test("slot 17 unset is nil through ifSet and false through isSet; set, it is neither")
    func unsetSlot17() throws {
        let W = try wide()
        let s17 = try W.slot("s17", as: Int.self)
        let w = try W.new()
        #expect(w[ifSet: s17] == nil)
        #expect(!w.isSet(s17))
        w[s17] = 17
        #expect(w[ifSet: s17] == 17)
        #expect(w.isSet(s17))
        try w.delete("s17")
        #expect(w[ifSet: s17] == nil)
    }

    @Test("slot 17 of a base reads on a subclass instance")
    func slot17Subclass() throws {
        let W = try wide()
        let Sub = try W.space.defineClass("Sub", base: W, slots: ["extra": .int])
        let s17 = try W.slot("s17", as: Int.self)
        let s = try Sub.new()
        s[s17] = 3
        #expect(s[s17] == 3)
        #expect(s.isSet(s17))
    }

    @Test("slot 17 of a freed instance, or of an unrelated class laid out the same, is not set")
    func slot17StaleOrForeign() throws {
        let W = try wide()
        let Twin = try W.space.defineClass("Twin", typedSlots: (0..<20).map { ("s\($0)", .int) })
        let s17 = try W.slot("s17", as: Int.self)
        let twin = try Twin.new()
        twin[try Twin.slot("s17", as: Int.self)] = 1
        #expect(!twin.isSet(s17))
        let w = try W.new()
        w[s17] = 17
        W.space.free(w)
        #expect(!w.isSet(s17))
    }

    @Test("reading slot 17 of a freed instance through ifSet traps as a stale handle")
    func staleSlot17Traps() async {
        await #expect(processExitsWith: .failure) {
            let W = try ObjectSpace().defineClass("Wide", typedSlots: (0..<20).map { ("s\($0)", .int) })
            let s17 = try W.slot("s17", as: Int.self)
            let w = try W.new()
            w[s17] = 17
            W.space.free(w)
            _ = w[ifSet: s17]
        }
    }

    @Test("reading slot 17 unset through the subscript traps with the AttributeError message")
    func unsetSlot17Traps() async {
        await #expect(processExitsWith: .failure) {
            let W = try ObjectSpace().defineClass("Wide", typedSlots: (0..<20).map { ("s\($0)", .int) })
            let s17 = try W.slot("s17", as: Int.self)
            _ = try W.new()[s17]
        }
    }
}

@Suite("AnySlotAccessor: a slot of any type, read and written as a Value")
struct AnySlotAccessorTests {
    @Test("an erased accessor reads and writes every slot type of EventSlots")
    func readsAndWrites() throws {
        let E = try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double, "any": .any])
        let e = try E.new()
        let values: [(String, Value)] = [("ts", 1), ("kind", "a long string for a block"), ("value", 2.5), ("any", "x")]
        for (name, value) in values {
            let a = try E.anySlot(name)
            try a.set(e, value)
            #expect(try a.get(e) == value)
            #expect(try e.get(name) == value)
        }
    }

    @Test("an erased accessor throws AttributeError for an unset slot, as get does, and getIfPresent is nil")
    func unset() throws {
        let E = try ObjectSpace().defineClass("E", slots: ["ts": .int])
        let a = try E.anySlot("ts")
        let e = try E()
        #expect(throws: AttributeError("'E' object has no attribute 'ts'")) { try a.get(e) }
        #expect(try a.getIfPresent(e) == Value?.none)
    }

    @Test("an erased accessor throws set's TypeError for a value of another type")
    func wrongType() throws {
        let E = try ObjectSpace().defineClass("E", slots: ["ts": .int])
        let e = try E()
        var expected: TypeError?
        do { try e.set("ts", "no") } catch let error as TypeError { expected = error }
        #expect(expected != nil)
        #expect(throws: expected!) { try E.anySlot("ts").set(e, "no") }
    }

    @Test("an erased accessor works on a subclass and throws TypeError on an unrelated class")
    func classes() throws {
        let space = ObjectSpace()
        let Base = try space.defineClass("Base", slots: ["x": .int])
        let Sub = try space.defineClass("Sub", base: Base, slots: ["y": .int])
        let Other = try space.defineClass("Other", slots: ["x": .int])
        let x = try Base.anySlot("x")
        #expect(try x.get(try Sub(x: 2)) == .int(2))
        #expect(throws: TypeError("descriptor 'x' for 'Base' objects doesn't apply to a 'Other' object")) {
            try x.get(try Other(x: 1))
        }
    }

    @Test("an erased accessor throws ReferenceError for a stale handle")
    func stale() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("E", slots: ["ts": .int])
        let e = try E(ts: 1)
        space.free(e)
        #expect(throws: ReferenceError.self) { try E.anySlot("ts").get(e) }
        #expect(throws: ReferenceError.self) { try E.anySlot("ts").set(e, 1) }
    }

    @Test("an erased accessor's delete unsets the slot and gives a long string's block back to the arena")
    func deleteReleases() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("E", slots: ["ts": .int, "kind": .string])
        let e = try E(ts: 1)
        let before = space.memory.allocatedBytes
        try e.set("kind", "a string long enough for a text block")
        #expect(space.memory.allocatedBytes > before)
        try E.anySlot("kind").delete(e)
        try E.anySlot("ts").delete(e)
        #expect(space.memory.allocatedBytes == before)
        #expect(try e.getIfPresent("kind") == Value?.none)
        #expect(try e.getIfPresent("ts") == Value?.none)
    }

    @Test("an erased accessor's delete throws what del p.x throws: the bare name when unset, TypeError, ReferenceError")
    func deleteErrors() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("E", slots: ["ts": .int])
        let Other = try space.defineClass("Other", slots: ["ts": .int])
        let ts = try E.anySlot("ts")
        let e = try E()
        var expected: AttributeError?
        do { try e.delete("ts") } catch let error as AttributeError { expected = error }
        #expect(expected == AttributeError("ts"))
        #expect(throws: expected!) { try ts.delete(e) }
        #expect(throws: TypeError("descriptor 'ts' for 'E' objects doesn't apply to a 'Other' object")) {
            try ts.delete(try Other(ts: 1))
        }
        try ts.set(e, 1)
        space.free(e)
        #expect(throws: ReferenceError.self) { try ts.delete(e) }
    }

    @Test("resolving an erased accessor for a name that is not a slot throws AttributeError")
    func notASlot() throws {
        let E = try ObjectSpace().defineClass("E", slots: ["ts": .int])
        #expect(throws: AttributeError("type object 'E' has no attribute 'z'")) { try E.anySlot("z") }
    }
}
