import Slotted
import Testing

@Suite("Errors name what they refuse: culprit")
struct CulpritTests {
    @Test("__slots__ must be identifiers names the refused slot among many")
    func identifierCulprit() throws {
        let space = ObjectSpace()
        let names = (0..<19).map { $0 == 11 ? "11th" : "s\($0)" }
        let error = #expect(throws: TypeError("__slots__ must be identifiers")) {
            try space.defineClass("Row", slots: names)
        }
        #expect(error?.culprit == "11th")
    }

    @Test("a duplicate slot name is the culprit of its ValueError")
    func duplicateCulprit() throws {
        let space = ObjectSpace()
        let error = #expect(throws: ValueError("'a' appears more than once in __slots__")) {
            try space.defineClass("C", slots: ["a", "b", "a"])
        }
        #expect(error?.culprit == "a")
    }

    @Test("a slot re-declared from a base is the culprit")
    func redeclaredCulprit() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let error = #expect(throws: ValueError("'x' in __slots__ is already a slot of base class 'A'")) {
            try space.defineClass("B", base: A, slots: ["y", "x"])
        }
        #expect(error?.culprit == "x")
    }

    @Test("a slot that conflicts with a class variable is the culprit")
    func classVariableCulprit() throws {
        let space = ObjectSpace()
        let error = #expect(throws: ValueError("'x' in __slots__ conflicts with class variable")) {
            try space.defineClass("C", slots: ["x"], attributes: ["x": 1])
        }
        #expect(error?.culprit == "x")
    }

    @Test("a second __dict__ slot is the culprit")
    func dictSlotCulprit() throws {
        let space = ObjectSpace()
        let error = #expect(throws: TypeError("__dict__ slot disallowed: we already got one")) {
            try space.defineClass("C", slots: ["__dict__", "__dict__"])
        }
        #expect(error?.culprit == "__dict__")
    }

    @Test("a duplicate base class is the culprit")
    func duplicateBaseCulprit() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A")
        let error = #expect(throws: TypeError("duplicate base class A")) {
            try space.defineClass("B", bases: [A, A])
        }
        #expect(error?.culprit == "A")
    }

    @Test("an unknown keyword of a call is the culprit of its AttributeError")
    func unknownKeywordCulprit() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        let error = #expect(throws: AttributeError("'PointSlots' object has no attribute 'z'")) {
            try P(x: 1.0, z: 3.0)
        }
        #expect(error?.culprit == "z")
        #expect(space.memory.liveInstances == 0)
    }

    @Test("a value its typed slot refuses is the culprit, as its repr")
    func wrongTypeCulprit() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string])
        let error = #expect(throws: TypeError("slot 'ts' of 'EventSlots' objects holds int, not 'str'")) {
            try E(ts: "soon")
        }
        #expect(error?.culprit == "'soon'")
    }

    @Test("a float too large for a float32 slot is the culprit of its OverflowError")
    func overflowCulprit() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["f": .float])
        let error = #expect(throws: OverflowError("float too large to pack with f format")) {
            try C(f: 1e300)
        }
        #expect(error?.culprit == "1e+300")
    }

    @Test("errors compare by message alone: the culprit does not take part")
    func equalityIgnoresCulprit() {
        #expect(TypeError("__slots__ must be identifiers", culprit: "1a") == TypeError("__slots__ must be identifiers"))
        #expect(Set([ValueError("m", culprit: "a"), ValueError("m", culprit: "b")]).count == 1)
    }

    @Test("errors with nothing single to blame have no culprit")
    func layoutConflictHasNoCulprit() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B", slots: ["b"])
        let error = #expect(throws: TypeError("multiple bases have instance lay-out conflict")) {
            try space.defineClass("C", bases: [A, B])
        }
        #expect(error?.culprit == nil)
    }

    @Test("every error type is a SlottedError with a message and a culprit")
    func protocolConformance() {
        let errors: [any SlottedError] = [
            AttributeError("a", culprit: "x"), TypeError("t"), ValueError("v"),
            OverflowError("o"), ReferenceError("r"), MemoryError("m"),
        ]
        #expect(errors.map(\.message) == ["a", "t", "v", "o", "r", "m"])
        #expect(errors.map(\.culprit) == ["x", nil, nil, nil, nil, nil])
    }
}

@Suite("Defining a class from a schema")
struct SchemaDefinitionTests {
    @Test("an array of (name, type) pairs defines the slots in the array's order")
    func arrayOfPairsKeepsOrder() throws {
        let space = ObjectSpace()
        let schema: [(String, SlotType)] = [("ts", .int), ("kind", .string), ("value", .double)]
        let E = try space.defineClass("EventSlots", slots: schema)
        #expect(E.allSlots == ["ts", "kind", "value"])
        #expect(E.layout.map(\.type) == [.int, .string, .double])
        #expect("\(try E(1, "click", 1.5))" == "EventSlots(ts=1, kind='click', value=1.5)")
    }

    @Test("a schema built at run time defines the same layout as the literal form")
    func sameLayoutAsLiteral() throws {
        let space = ObjectSpace()
        let fields = ["ts": SlotType.int, "value": .double, "kind": .string]
        let schema = ["ts", "kind", "value"].map { ($0, fields[$0]!) }
        let A = try space.defineClass("A", slots: schema)
        let B = try space.defineClass("B", slots: ["ts": .int, "kind": .string, "value": .double])
        #expect(A.layout.map(\.offset) == B.layout.map(\.offset))
        #expect(A.instanceSize == B.instanceSize)
    }

    @Test("a schema with a name that is not an identifier names it as the culprit")
    func schemaCulprit() throws {
        let space = ObjectSpace()
        let schema: [(String, SlotType)] = [("ok", .int), ("not ok", .int)]
        let error = #expect(throws: TypeError("__slots__ must be identifiers")) {
            try space.defineClass("C", slots: schema)
        }
        #expect(error?.culprit == "not ok")
    }

    @Test("the README's schema-driven host snippet runs and builds and reads what it says")
    func readmeSnippet() throws {
        let space = ObjectSpace()
        let schema: [(String, SlotType)] = [("ts", .int), ("kind", .string), ("value", .double)]
        let Event = try space.defineClass("EventSlots", slots: schema)
        let args: [Value] = [1, "click", 1.5]
        let e1 = try Event.construct(positional: args)
        let e2 = try Event(2, "view")
        let byName = try ConstructionSignature(Event, keywords: ["value", "ts"])
        let e3 = try Event.construct(byName, [2.5, 7])
        let value = AttributeSite("value")
        #expect("\(e1)" == "EventSlots(ts=1, kind='click', value=1.5)")
        #expect("\(e2)" == "EventSlots(ts=2, kind='view')")
        #expect("\(e3)" == "EventSlots(ts=7, value=2.5)")
        #expect(try value.get(e1) == .double(1.5))
        #expect(try value.getIfPresent(e2) == Value?.none)
    }

    @Test("an empty schema defines a class with no slots and no __dict__")
    func emptySchema() throws {
        let space = ObjectSpace()
        let none: [(String, SlotType)] = []
        let C = try space.defineClass("C", slots: none)
        #expect(C.allSlots.isEmpty)
        #expect(!C.hasDict)
    }
}
