import Slotted
import Testing

@Suite("Inheritance: layouts, dicts, multiple inheritance and the MRO")
struct InheritanceTests {
    // MARK: - Single inheritance of slotted classes

    @Test("a slotted subclass adds only its own slots, after the base's")
    func ownSlotsAfterBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x", "y"])
        let B = try space.defineClass("B", base: A, slots: ["z"])
        #expect(B.ownSlots == ["z"])
        #expect(B.allSlots == ["x", "y", "z"])
        #expect(B.declaredSlots == ["z"])
    }

    @Test("the base's slot offsets are unchanged in the subclass's layout")
    func baseOffsetsKept() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["flag": .bool, "n": .int, "s": .string])
        let B = try space.defineClass("B", base: A, slots: ["d": .double, "b": .bool])
        let baseLayout = A.layout.map { ($0.name, $0.offset, $0.type) }
        let prefix = B.layout.prefix(A.layout.count).map { ($0.name, $0.offset, $0.type) }
        #expect(prefix.elementsEqual(baseLayout) { $0 == $1 })
    }

    @Test("the subclass's own slots lie after the base's and do not overlap them")
    func ownSlotsDoNotOverlap() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["flag": .bool])
        let B = try space.defineClass("B", base: A, slots: ["n": .int, "c": .bool])
        let baseEnd = A.layout.map { $0.offset + $0.size }.max()!
        for s in B.layout.dropFirst(A.layout.count) {
            #expect(s.offset >= baseEnd, "slot \(s.name) at \(s.offset) overlaps the base layout")
            #expect(s.offset + s.size <= B.instanceSize)
        }
    }

    @Test("a typed accessor resolved on the base reads the slot of a subclass instance")
    func baseAccessorReadsSubclass() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["n": .int])
        let B = try space.defineClass("B", base: A, slots: ["m": .int])
        let n = try A.slot("n", as: Int.self)
        let b = try B(n: 7, m: 8)
        #expect(b[n] == 7)
    }

    @Test("a typed accessor resolved on the base writes the slot of a subclass instance")
    func baseAccessorWritesSubclass() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["n": .int])
        let B = try space.defineClass("B", base: A, slots: ["m": .int])
        let n = try A.slot("n", as: Int.self)
        let b = try B(m: 8)
        b[n] = 41
        #expect(try b.get("n") == 41)
        #expect(try b.get("m") == 8)
    }

    @Test("an untyped accessor resolved on the base reads and writes a subclass instance's slot")
    func baseUntypedAccessor() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x", "y"])
        let B = try space.defineClass("B", base: A, slots: ["z"])
        let y = try A.slot("y", as: Value.self)
        let b = try B(1, 2, 3)
        #expect(b[y] == 2)
        b[y] = "two"
        #expect(try b.get("y") == "two")
    }

    @Test("a base accessor still works on an instance of a grandchild class")
    func baseAccessorGrandchild() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["v": .double])
        let B = try space.defineClass("B", base: A, slots: ["w": .double])
        let C = try space.defineClass("C", base: B, slots: ["u": .double])
        let v = try A.slot("v", as: Double.self)
        let c = try C(v: 1.5, w: 2.5, u: 3.5)
        #expect(c[v] == 1.5)
    }

    @Test("positional construction of a subclass fills the base's slots first")
    func positionalBaseFirst() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x", "y"])
        let B = try space.defineClass("B", base: A, slots: ["z"])
        let b = try B(1, 2, 3)
        #expect(try b.get("x") == 1)
        #expect(try b.get("y") == 2)
        #expect(try b.get("z") == 3)
    }

    @Test("a slotted subclass of a slotted base has no dict and refuses undeclared names")
    func slottedSubclassNoDict() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A, slots: ["y"])
        let b = try B(x: 1, y: 2)
        #expect(!b.hasDict)
        #expect(throws: AttributeError("'B' object has no attribute 'z'")) { try b.set("z", 3) }
    }

    @Test("a subclass with an empty slots list keeps the base's no-dict behaviour")
    func emptySlotsSubclass() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A, slots: [])
        let b = try B()
        #expect(throws: AttributeError("'B' object has no attribute 'z'")) { try b.set("z", 1) }
    }

    @Test("a subclass with an empty slots list has the base's instance size")
    func emptySlotsSubclassSize() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A, slots: [])
        #expect(B.instanceSize == A.instanceSize)
    }

    // MARK: - Dicts through inheritance

    @Test("a subclass defined without slots gets a dict for new attributes")
    func subclassWithoutSlotsGetsDict() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A)
        let b = try B()
        try b.set("z", 1)
        #expect(B.hasDict)
        #expect(try b.vars() == ["z": 1])
    }

    @Test("in a dict subclass, the base's slots stay slots and stay out of vars()")
    func dictSubclassKeepsSlots() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A)
        let b = try B(x: 1, w: 2)
        #expect(try b.get("x") == 1)
        #expect(try b.vars() == ["w": 2])
        #expect(B.allSlots == ["x"])
    }

    @Test("a slotted class over a dict-having base still has a dict")
    func slottedOverDictBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A")
        let B = try space.defineClass("B", base: A, slots: ["x"])
        let b = try B()
        try b.set("z", 1)
        #expect(B.hasDict)
        #expect(try b.vars() == ["z": 1])
    }

    @Test("every slotted descendant of a dict class has a dict")
    func slottedGrandchildOfDictBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A)
        let C = try space.defineClass("C", base: B, slots: ["y"])
        let c = try C(x: 1, y: 2, z: 3)
        #expect(c.hasDict)
        #expect(try c.vars() == ["z": 3])
    }

    // MARK: - Multiple inheritance

    @Test("two bases with non-empty slots throw TypeError: multiple bases have instance lay-out conflict")
    func layoutConflict() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B", slots: ["b"])
        #expect(throws: TypeError("multiple bases have instance lay-out conflict")) {
            try space.defineClass("C", bases: [A, B])
        }
    }

    @Test("two bases declaring the same slot name still conflict")
    func layoutConflictSameName() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", slots: ["x"])
        #expect(throws: TypeError("multiple bases have instance lay-out conflict")) {
            try space.defineClass("C", bases: [A, B], slots: [])
        }
    }

    @Test("two typed slotted bases conflict too")
    func layoutConflictTyped() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a": .int])
        let B = try space.defineClass("B", slots: ["b": .bool])
        #expect(throws: TypeError("multiple bases have instance lay-out conflict")) {
            try space.defineClass("C", bases: [A, B], slots: ["c": .int])
        }
    }

    @Test("one non-empty and one empty slotted base are compatible")
    func nonEmptyPlusEmpty() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B", slots: [])
        let C = try space.defineClass("C", bases: [A, B], slots: ["c"])
        let c = try C()
        try c.set("a", 1)
        try c.set("c", 3)
        #expect(try c.get("a") == 1)
        #expect(try c.get("c") == 3)
        #expect(!c.hasDict)
    }

    @Test("an empty slotted base listed first is compatible with a non-empty one listed second")
    func emptyPlusNonEmpty() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B", slots: [])
        let C = try space.defineClass("C", bases: [B, A], slots: ["c"])
        #expect(C.allSlots == ["a", "c"])
        #expect(C.mro.map(\.name) == ["C", "B", "A"])
    }

    @Test("an accessor of the storage base works on an instance of a class with an empty mixin first")
    func accessorThroughMixin() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a": .int])
        let M = try space.defineClass("M", slots: [])
        let C = try space.defineClass("C", bases: [M, A], slots: ["c": .int])
        let a = try A.slot("a", as: Int.self)
        let c = try C(a: 5, c: 6)
        #expect(c[a] == 5)
    }

    @Test("a slotted base plus a plain dict base is allowed and the instance has a dict")
    func slottedPlusDictBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B")
        let C = try space.defineClass("C", bases: [A, B])
        let c = try C()
        try c.set("a", 1)
        try c.set("z", 2)
        #expect(try c.get("a") == 1)
        #expect(try c.vars() == ["z": 2])
    }

    @Test("a slotted class over a slotted base and a plain dict base still has a dict")
    func slottedOverSlottedPlusDict() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B")
        let C = try space.defineClass("C", bases: [A, B], slots: ["c"])
        let c = try C(a: 1, c: 3, z: 2)
        #expect(C.hasDict)
        #expect(try c.vars() == ["z": 2])
    }

    @Test("a plain dict base listed before a slotted base is allowed too")
    func dictPlusSlottedBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B")
        let C = try space.defineClass("C", bases: [B, A], slots: ["c"])
        let c = try C(a: 1, c: 3, z: 2)
        #expect(try c.get("a") == 1)
        #expect(try c.vars() == ["z": 2])
    }

    @Test("two bases with only '__dict__' and '__weakref__' slots are compatible, in MRO order")
    func dictAndWeakrefBases() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["__dict__"])
        let B = try space.defineClass("B", slots: ["__weakref__"])
        let C = try space.defineClass("C", bases: [A, B], slots: [])
        #expect(C.mro.map(\.name) == ["C", "A", "B"])
        #expect(C.hasDict)
        #expect(C.hasWeakrefSlot)
    }

    @Test("a diamond over a common slotted base is allowed")
    func diamond() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: ["r"])
        let A = try space.defineClass("A", base: R, slots: [])
        let B = try space.defineClass("B", base: R, slots: [])
        let C = try space.defineClass("C", bases: [A, B], slots: ["c"])
        let c = try C()
        try c.set("r", 1)
        #expect(try c.get("r") == 1)
        #expect(C.allSlots == ["r", "c"])
    }

    @Test("the diamond's MRO is C, A, B, R")
    func diamondMRO() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: ["r"])
        let A = try space.defineClass("A", base: R, slots: [])
        let B = try space.defineClass("B", base: R, slots: [])
        let C = try space.defineClass("C", bases: [A, B], slots: ["c"])
        #expect(C.mro.map(\.name) == ["C", "A", "B", "R"])
    }

    @Test("an accessor of the diamond's root works on the bottom class's instances")
    func diamondAccessor() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: ["r": .int])
        let A = try space.defineClass("A", base: R, slots: [])
        let B = try space.defineClass("B", base: R, slots: [])
        let C = try space.defineClass("C", bases: [A, B], slots: ["c": .int])
        let r = try R.slot("r", as: Int.self)
        let c = try C(r: 10, c: 20)
        #expect(c[r] == 10)
    }

    @Test("a diamond whose two sides both add slots is a layout conflict")
    func diamondConflict() throws {
        let space = ObjectSpace()
        let R = try space.defineClass("R", slots: ["r"])
        let A = try space.defineClass("A", base: R, slots: ["a"])
        let B = try space.defineClass("B", base: R, slots: ["b"])
        #expect(throws: TypeError("multiple bases have instance lay-out conflict")) {
            try space.defineClass("C", bases: [A, B], slots: [])
        }
    }

    @Test("a subclass of one base and that base's own subclass is allowed when the subclass comes first")
    func baseAndItsSubclass() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B", base: A, slots: ["b"])
        let C = try space.defineClass("C", bases: [B, A], slots: ["c"])
        #expect(C.allSlots == ["a", "b", "c"])
        #expect(C.mro.map(\.name) == ["C", "B", "A"])
    }

    // MARK: - MRO

    @Test("the MRO of a single-inheritance chain is the class, then each base up the chain")
    func chainMRO() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [])
        let B = try space.defineClass("B", base: A, slots: [])
        let C = try space.defineClass("C", base: B, slots: [])
        #expect(C.mro.map(\.name) == ["C", "B", "A"])
    }

    @Test("the MRO follows C3 linearization (the classic K1/K2/K3 example)")
    func c3MRO() throws {
        let space = ObjectSpace()
        let O = try space.defineClass("O")
        let A = try space.defineClass("A", base: O)
        let B = try space.defineClass("B", base: O)
        let C = try space.defineClass("C", base: O)
        let D = try space.defineClass("D", base: O)
        let E = try space.defineClass("E", base: O)
        let K1 = try space.defineClass("K1", bases: [A, B, C])
        let K2 = try space.defineClass("K2", bases: [D, B, E])
        let K3 = try space.defineClass("K3", bases: [D, A])
        let Z = try space.defineClass("Z", bases: [K1, K2, K3])
        #expect(Z.mro.map(\.name) == ["Z", "K1", "K2", "K3", "D", "A", "B", "C", "E", "O"])
    }

    @Test("bases lists the direct bases in the order given")
    func directBases() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B")
        let C = try space.defineClass("C", bases: [A, B])
        #expect(C.bases.map(\.name) == ["A", "B"])
    }

    @Test("an impossible MRO throws CPython 3.11's TypeError, line break included: Cannot create a consistent method resolution / order (MRO) for bases X, Y")
    func inconsistentMRO() throws {
        let space = ObjectSpace()
        let X = try space.defineClass("X")
        let Y = try space.defineClass("Y", base: X)
        #expect(throws: TypeError("Cannot create a consistent method resolution\norder (MRO) for bases X, Y")) {
            try space.defineClass("C", bases: [X, Y])
        }
    }

    @Test("the inconsistent-MRO error names the classes that block the merge, as CPython does (X, Y, not A, B)")
    func inconsistentMROBlockingClasses() throws {
        // CPython 3.11: class A(X, Y); class B(Y, X); class C(A, B)
        //   -> TypeError: Cannot create a consistent method resolution\n order (MRO) for bases X, Y
        let space = ObjectSpace()
        let X = try space.defineClass("X")
        let Y = try space.defineClass("Y")
        let A = try space.defineClass("A", bases: [X, Y])
        let B = try space.defineClass("B", bases: [Y, X])
        #expect(throws: TypeError("Cannot create a consistent method resolution\norder (MRO) for bases X, Y")) {
            try space.defineClass("C", bases: [A, B])
        }
    }

    @Test("isSubclass and isInstance follow the MRO")
    func subclassRelations() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let M = try space.defineClass("M", slots: [])
        let B = try space.defineClass("B", bases: [A, M], slots: ["b"])
        let Other = try space.defineClass("Other", slots: [])
        #expect(B.isSubclass(of: A))
        #expect(B.isSubclass(of: M))
        #expect(B.isSubclass(of: B))
        #expect(!A.isSubclass(of: B))
        let b = try B()
        #expect(b.isInstance(of: A))
        #expect(b.isInstance(of: M))
        #expect(!b.isInstance(of: Other))
    }

    @Test("a class attribute defined on the base is read through a subclass instance")
    func inheritedClassAttribute() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"], attributes: ["kind": "base"])
        let B = try space.defineClass("B", base: A, slots: ["y"])
        let b = try B()
        #expect(try b.get("kind") == "base")
    }

    @Test("a subclass's class attribute overrides the base's attribute of the same name")
    func overriddenClassAttribute() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [], attributes: ["kind": "base"])
        let B = try space.defineClass("B", base: A, slots: [], attributes: ["kind": "sub"])
        #expect(try B().get("kind") == "sub")
        #expect(try A().get("kind") == "base")
    }

    @Test("a class attribute earlier in the MRO wins over one later in the MRO")
    func mroAttributeLookup() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [], attributes: ["v": "A"])
        let B = try space.defineClass("B", slots: [], attributes: ["v": "B"])
        let C = try space.defineClass("C", bases: [A, B], slots: [])
        let D = try space.defineClass("D", bases: [B, A], slots: [])
        #expect(try C().get("v") == "A")
        #expect(try D().get("v") == "B")
    }
}
