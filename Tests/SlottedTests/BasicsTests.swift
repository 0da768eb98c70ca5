import Slotted
import Testing

/// A fresh space with `class C: __slots__ = ('x', 'y')`.
private func slottedC() throws -> SlotClass {
    try ObjectSpace().defineClass("C", slots: ["x", "y"])
}

@Suite("Basics: construction and attributes of slotted instances")
struct BasicsTests {
    // MARK: - Construction

    @Test("keyword construction sets each named slot to its keyword's value")
    func keywordConstruction() throws {
        let C = try slottedC()
        let p = try C(x: 1.0, y: 2.0)
        #expect(try p.get("x") == .double(1.0))
        #expect(try p.get("y") == .double(2.0))
    }

    @Test("positional construction fills the slots in declaration order, not sorted order")
    func positionalConstruction() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["b", "a"])
        let p = try C(1, 2)
        #expect(try p.get("b") == 1)
        #expect(try p.get("a") == 2)
    }

    @Test("positional and keyword arguments can be mixed: positionals fill the first slots")
    func mixedConstruction() throws {
        let C = try slottedC()
        let p = try C(1.0, y: 2.0)
        #expect(try p.get("x") == 1.0)
        #expect(try p.get("y") == 2.0)
    }

    @Test("construction with no arguments leaves every slot unset")
    func emptyConstruction() throws {
        let C = try slottedC()
        let p = try C()
        #expect(try p.slotValues().isEmpty)
        #expect(!p.has("x"))
        #expect(!p.has("y"))
    }

    @Test("an unknown keyword in construction throws CPython's has-no-attribute AttributeError")
    func unknownKeyword() throws {
        let C = try slottedC()
        #expect(throws: AttributeError("'C' object has no attribute 'z'")) { try C(x: 1.0, z: 3.0) }
    }

    @Test("more positional arguments than slots throw a TypeError")
    func tooManyPositional() throws {
        let C = try slottedC()
        #expect(throws: TypeError.self) { try C(1, 2, 3) }
    }

    @Test("new() makes an instance of the class with every slot unset")
    func newInstance() throws {
        let C = try slottedC()
        let p = try C.new()
        #expect(p.type == C)
        #expect(try p.slotValues().isEmpty)
    }

    // MARK: - get / set

    @Test("a slot that was set reads back the value it was set to")
    func setThenGet() throws {
        let C = try slottedC()
        let p = try C()
        try p.set("x", 1)
        #expect(try p.get("x") == .int(1))
    }

    @Test("dynamic member lookup `try p.x` reads the same value as get(\"x\")")
    func dynamicMember() throws {
        let C = try slottedC()
        let p = try C(x: 1.5)
        #expect(try p.x == .double(1.5))
        #expect(try p.x == p.get("x"))
    }

    @Test("dynamic member lookup of an unset slot throws the has-no-attribute AttributeError")
    func dynamicMemberUnset() throws {
        let C = try slottedC()
        let p = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'y'")) { try p.y }
    }

    @Test("assigning a slot again replaces its previous value")
    func overwrite() throws {
        let C = try slottedC()
        let p = try C(x: 1)
        try p.set("x", "now a string")
        #expect(try p.get("x") == .string("now a string"))
    }

    @Test("an untyped slot holds a value of every kind and gives it back unchanged")
    func untypedHoldsEveryKind() throws {
        let C = try slottedC()
        let p = try C()
        let other = try C()
        let values: [Value] = [.none, .int(-42), .int(Int.max), .double(2.5), .bool(true), .bool(false),
                               .string(""), .string("short"), .string("a string longer than seven bytes"),
                               .instance(other)]
        for v in values {
            try p.set("x", v)
            #expect(try p.get("x") == v)
        }
    }

    @Test("a slot holding another instance gives back a handle to that same instance")
    func instanceReference() throws {
        let C = try slottedC()
        let a = try C(x: 1)
        let b = try C(x: .instance(a))
        guard case .instance(let ref) = try b.get("x") else {
            Issue.record("slot x does not hold an instance")
            return
        }
        #expect(ref == a)
        #expect(try ref.get("x") == 1)
    }

    // MARK: - Unset slots and None

    @Test("reading a declared slot that was never set throws 'C' object has no attribute 'x'")
    func readUnset() throws {
        let C = try slottedC()
        let p = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'x'")) { try p.get("x") }
    }

    @Test("reading an undeclared name throws 'C' object has no attribute 'z'")
    func readUndeclared() throws {
        let C = try slottedC()
        let p = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'z'")) { try p.get("z") }
    }

    @Test("assigning an undeclared name on a slotted instance throws 'C' object has no attribute 'z'")
    func assignUndeclared() throws {
        let C = try slottedC()
        let p = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'z'")) { try p.set("z", 1) }
    }

    @Test("a failed assignment of an undeclared name leaves the instance unchanged")
    func assignUndeclaredNoChange() throws {
        let C = try slottedC()
        let p = try C(x: 1)
        _ = try? p.set("z", 1)
        #expect(try p.slotValues().map(\.name) == ["x"])
        #expect(!p.has("z"))
    }

    @Test(".none is a value: a slot set to .none is present and reads back .none")
    func noneIsAValue() throws {
        let C = try slottedC()
        let p = try C()
        try p.set("x", nil)
        #expect(p.has("x"))
        #expect(try p.get("x") == Value.none)
    }

    @Test("an unset slot is distinguishable from a slot holding .none")
    func unsetIsNotNone() throws {
        let C = try slottedC()
        let unset = try C()
        let none = try C(x: nil)
        #expect(try unset.get("x", default: "unset") == "unset")
        #expect(try none.get("x", default: "unset") == Value.none)
    }

    @Test("has() is false for an unset slot and true once the slot is set")
    func hasAttribute() throws {
        let C = try slottedC()
        let p = try C()
        #expect(!p.has("x"))
        try p.set("x", 0)
        #expect(p.has("x"))
    }

    @Test("has() is false for an undeclared name")
    func hasUndeclared() throws {
        let C = try slottedC()
        let p = try C(x: 1, y: 2)
        #expect(!p.has("z"))
    }

    @Test("get(default:) returns the default for an unset slot, like getattr(c, 'x', 'dflt')")
    func getDefaultUnset() throws {
        let C = try slottedC()
        let p = try C()
        #expect(try p.get("x", default: "dflt") == "dflt")
    }

    @Test("get(default:) returns the default for an undeclared name")
    func getDefaultUndeclared() throws {
        let C = try slottedC()
        let p = try C()
        #expect(try p.get("z", default: 7) == 7)
    }

    @Test("get(default:) returns the slot's value, not the default, when the slot is set")
    func getDefaultSet() throws {
        let C = try slottedC()
        let p = try C(x: 1)
        #expect(try p.get("x", default: "dflt") == 1)
    }

    // MARK: - delete

    @Test("deleting a set slot unsets it: reading it then throws has-no-attribute")
    func deleteThenRead() throws {
        let C = try slottedC()
        let p = try C(x: 1)
        try p.delete("x")
        #expect(!p.has("x"))
        #expect(throws: AttributeError("'C' object has no attribute 'x'")) { try p.get("x") }
    }

    @Test("deleting an unset slot throws AttributeError with the bare slot name")
    func deleteUnset() throws {
        let C = try slottedC()
        let p = try C()
        #expect(throws: AttributeError("x")) { try p.delete("x") }
    }

    @Test("deleting a slot twice throws the bare slot name the second time")
    func deleteTwice() throws {
        let C = try slottedC()
        let p = try C(x: 1)
        try p.delete("x")
        #expect(throws: AttributeError("x")) { try p.delete("x") }
    }

    @Test("deleting an undeclared name throws 'C' object has no attribute 'z'")
    func deleteUndeclared() throws {
        let C = try slottedC()
        let p = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'z'")) { try p.delete("z") }
    }

    @Test("a deleted slot can be set again")
    func deleteThenSet() throws {
        let C = try slottedC()
        let p = try C(x: "a long string value, stored in a block")
        try p.delete("x")
        try p.set("x", "again, another long string value")
        #expect(try p.get("x") == "again, another long string value")
    }

    @Test("deleting one slot leaves the other slots set")
    func deleteOneOfTwo() throws {
        let C = try slottedC()
        let p = try C(x: 1, y: 2)
        try p.delete("x")
        #expect(try p.get("y") == 2)
    }

    // MARK: - Instances are independent

    @Test("slot values are not shared across instances")
    func notShared() throws {
        let C = try slottedC()
        let a = try C()
        let b = try C()
        try a.set("x", 1)
        #expect(!b.has("x"))
    }

    @Test("assigning one instance's slot leaves another instance's value unchanged")
    func notSharedValues() throws {
        let C = try slottedC()
        let a = try C(x: 1)
        let b = try C(x: 2)
        try a.set("x", 10)
        #expect(try b.get("x") == 2)
    }

    // MARK: - No dict

    @Test("a slotted instance has no __dict__")
    func noDict() throws {
        let C = try slottedC()
        let p = try C()
        #expect(p.hasDict == false)
    }

    @Test("has(\"__dict__\") is false on a slotted instance, like hasattr(c, '__dict__')")
    func hasDunderDictFalse() throws {
        let C = try slottedC()
        let p = try C()
        #expect(!p.has("__dict__"))
    }

    @Test("vars() on a slotted instance throws TypeError: vars() argument must have __dict__ attribute")
    func varsOnSlotted() throws {
        let C = try slottedC()
        let p = try C(x: 1)
        #expect(throws: TypeError("vars() argument must have __dict__ attribute")) { try p.vars() }
    }

    @Test("a class with an empty slots list accepts no attributes at all")
    func emptySlots() throws {
        let C = try ObjectSpace().defineClass("C", slots: [])
        let c = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'a'")) { try c.set("a", 1) }
    }

    // MARK: - Identity and introspection of an instance

    @Test("an instance's type is the class that made it")
    func instanceType() throws {
        let C = try slottedC()
        let p = try C()
        #expect(p.type == C)
        #expect(p.isInstance(of: C))
    }

    @Test("two handles to the same instance are equal and different instances are not")
    func identity() throws {
        let C = try slottedC()
        let a = try C()
        let copy = a
        let b = try C()
        #expect(copy == a)
        #expect(a != b)
    }

    @Test("attributeNames lists every slot name, set or not, like dir()")
    func attributeNames() throws {
        let C = try slottedC()
        let p = try C(y: 1)
        #expect(try p.attributeNames() == ["x", "y"])
    }

    @Test("slotValues lists only the set slots, in layout order")
    func slotValues() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["a", "b", "c"])
        let p = try C(c: 3, a: 1)
        let values = try p.slotValues()
        #expect(values.map(\.name) == ["a", "c"])
        #expect(values.map(\.value) == [1, 3])
    }

    @Test("an instance may have more than 16 slots, each set and unset independently")
    func manySlots() throws {
        let names = (0..<40).map { "s\($0)" }
        let C = try ObjectSpace().defineClass("Wide", slots: names)
        let p = try C()
        for (i, n) in names.enumerated() where i % 3 == 0 { try p.set(n, .int(i)) }
        for (i, n) in names.enumerated() {
            if i % 3 == 0 {
                #expect(try p.get(n) == .int(i))
            } else {
                #expect(!p.has(n))
            }
        }
    }
}
