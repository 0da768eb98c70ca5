import Slotted
import Testing

@Suite("Class attributes: shared values read through instances")
struct ClassAttributeTests {
    @Test("a class attribute is read through a slotted instance")
    func readThroughSlotted() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1])
        let c = try C()
        #expect(try c.get("z") == 1)
        #expect(try c.z == 1)
    }

    @Test("a class attribute is read through a dict instance")
    func readThroughDict() throws {
        let D = try ObjectSpace().defineClass("D", attributes: ["z": "shared"])
        #expect(try D().get("z") == "shared")
    }

    @Test("every instance sees the same class attribute value")
    func sharedByAll() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1.5])
        let a = try C(x: 1)
        let b = try C(x: 2)
        #expect(try a.get("z") == b.get("z"))
    }

    @Test("has() is true for a class attribute")
    func hasClassAttribute() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1])
        #expect(try C().has("z"))
    }

    @Test("assigning a class attribute on a slotted instance throws 'C' object attribute 'z' is read-only")
    func assignReadOnly() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1])
        let c = try C()
        #expect(throws: AttributeError("'C' object attribute 'z' is read-only")) { try c.set("z", 2) }
    }

    @Test("a class attribute given as a constructor keyword of a slotted class throws read-only")
    func keywordReadOnly() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1])
        #expect(throws: AttributeError("'C' object attribute 'z' is read-only")) { try C(x: 1, z: 2) }
    }

    @Test("deleting a class attribute through a slotted instance throws read-only")
    func deleteReadOnly() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1])
        let c = try C()
        #expect(throws: AttributeError("'C' object attribute 'z' is read-only")) { try c.delete("z") }
    }

    @Test("a failed read-only assignment leaves the class attribute unchanged")
    func readOnlyUnchanged() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1])
        let c = try C()
        _ = try? c.set("z", 2)
        #expect(try c.get("z") == 1)
        #expect(C.attribute("z") == 1)
    }

    @Test("on a dict instance, assigning a class attribute's name goes into the instance dict")
    func dictAssignGoesToDict() throws {
        let D = try ObjectSpace().defineClass("D", attributes: ["z": 5])
        let d = try D()
        try d.set("z", 6)
        #expect(try d.vars() == ["z": 6])
    }

    @Test("on a dict instance, the dict entry shadows the class attribute on reads")
    func dictShadows() throws {
        let D = try ObjectSpace().defineClass("D", attributes: ["z": 5])
        let d = try D()
        try d.set("z", 6)
        #expect(try d.get("z") == 6)
    }

    @Test("shadowing on one dict instance changes neither the class nor other instances")
    func shadowIsLocal() throws {
        let D = try ObjectSpace().defineClass("D", attributes: ["z": 5])
        let d = try D()
        let other = try D()
        try d.set("z", 6)
        #expect(D.attribute("z") == 5)
        #expect(try other.get("z") == 5)
    }

    @Test("deleting the shadowing dict entry reveals the class attribute again")
    func deleteShadow() throws {
        let D = try ObjectSpace().defineClass("D", attributes: ["z": 5])
        let d = try D(z: 6)
        try d.delete("z")
        #expect(try d.get("z") == 5)
    }

    @Test("deleting a class attribute's name through a dict instance without a shadow throws has-no-attribute")
    func deleteUnshadowed() throws {
        let D = try ObjectSpace().defineClass("D", attributes: ["z": 5])
        let d = try D()
        #expect(throws: AttributeError("'D' object has no attribute 'z'")) { try d.delete("z") }
    }

    @Test("a slotted class with '__dict__' in its slots also lets the dict shadow class attributes")
    func dictSlotShadows() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x", "__dict__"], attributes: ["z": 5])
        let c = try C()
        try c.set("z", 6)
        #expect(try c.get("z") == 6)
        #expect(C.attribute("z") == 5)
    }

    @Test("get(default:) returns the class attribute, not the default")
    func getDefaultClassAttribute() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"], attributes: ["z": 1])
        #expect(try C().get("z", default: 0) == 1)
    }

    @Test("attribute(_:) finds class attributes along the MRO; attributes lists only the class's own")
    func classLevelLookup() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [], attributes: ["a": 1])
        let B = try space.defineClass("B", base: A, slots: [], attributes: ["b": 2])
        #expect(B.attribute("a") == 1)
        #expect(B.attribute("b") == 2)
        #expect(B.attribute("c") == nil)
        #expect(B.attributes == ["b": 2])
    }

    @Test("a slotted subclass of a class with a class attribute reads it through its instances as read-only")
    func inheritedReadOnly() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [], attributes: ["z": 1])
        let B = try space.defineClass("B", base: A, slots: ["x"])
        let b = try B()
        #expect(try b.get("z") == 1)
        #expect(throws: AttributeError("'B' object attribute 'z' is read-only")) { try b.set("z", 2) }
    }
}

@Suite("Class attributes holding instances: the same checks as slots")
struct ClassAttributeReferenceTests {
    @Test("a class attribute holding a freed instance is refused with ReferenceError")
    func freedInstanceRefused() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let gone = try A()
        space.free(gone)
        #expect(throws: ReferenceError.self) {
            try space.defineClass("C", slots: ["y"], attributes: ["z": .instance(gone)])
        }
        #expect(space.classes.map(\.name) == ["A"])
    }

    @Test("a class attribute holding an instance of another space is refused with the slots' ValueError")
    func foreignInstanceRefused() throws {
        let other = try ObjectSpace().defineClass("A", slots: ["x"])
        let foreign = try other()
        let space = ObjectSpace()
        #expect(throws: ValueError("an instance of another ObjectSpace cannot be stored here")) {
            try space.defineClass("C", slots: ["y"], attributes: ["z": .instance(foreign)])
        }
        #expect(space.classes.isEmpty)
    }
}
