import Slotted
import Testing

@Suite("Declaration: slot names, __dict__ / __weakref__, and class definition errors")
struct DeclarationTests {
    // MARK: - Forms and order

    @Test("untyped slots keep their declaration order in allSlots and declaredSlots")
    func untypedOrder() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["b", "a", "c"])
        #expect(C.allSlots == ["b", "a", "c"])
        #expect(C.declaredSlots == ["b", "a", "c"])
    }

    @Test("typed slots keep their declaration order in allSlots and declaredSlots")
    func typedOrder() throws {
        let E = try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        #expect(E.allSlots == ["ts", "kind", "value"])
        #expect(E.declaredSlots == ["ts", "kind", "value"])
    }

    @Test("a class defined without slots has nil declaredSlots, no slots and a dict")
    func noSlotsMeansDict() throws {
        let D = try ObjectSpace().defineClass("D")
        #expect(D.declaredSlots == nil)
        #expect(D.allSlots.isEmpty)
        #expect(D.hasDict)
    }

    @Test("a class with an empty slots list has declaredSlots [] and no dict")
    func emptySlotsDeclared() throws {
        let C = try ObjectSpace().defineClass("C", slots: [])
        #expect(C.declaredSlots == [])
        #expect(!C.hasDict)
    }

    // MARK: - Identifiers

    @Test("a slot name that is not an identifier throws TypeError: __slots__ must be identifiers",
          arguments: ["1x", "a-b", "", "a b", "x!", "x.y"])
    func nonIdentifier(name: String) throws {
        let space = ObjectSpace()
        #expect(throws: TypeError("__slots__ must be identifiers")) {
            try space.defineClass("C", slots: [name])
        }
    }

    @Test("a typed slot name that is not an identifier throws TypeError: __slots__ must be identifiers")
    func nonIdentifierTyped() throws {
        let space = ObjectSpace()
        #expect(throws: TypeError("__slots__ must be identifiers")) {
            try space.defineClass("C", slots: ["ok": .int, "1x": .int])
        }
    }

    @Test("a Python keyword is a valid slot name (isidentifier, not iskeyword)")
    func keywordAllowed() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["class"])
        let c = try C()
        try c.set("class", 1)
        #expect(try c.get("class") == 1)
    }

    @Test("a non-ASCII identifier is a valid slot name")
    func nonASCIIAllowed() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["été"])
        let c = try C()
        try c.set("été", 1)
        #expect(try c.get("été") == 1)
    }

    @Test("slot names are not NFKC-normalized: slot 'ﬁ' does not answer to 'fi'")
    func noNormalization() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["ﬁ"])
        let c = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'fi'")) { try c.set("fi", 1) }
    }

    @Test("underscores and digits after the first character are valid in slot names")
    func underscoresAndDigits() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["_", "_x1", "x_2"])
        #expect(C.allSlots == ["_", "_x1", "x_2"])
    }

    // MARK: - Conflicts with class attributes

    @Test("a slot that is also a class attribute throws ValueError: 'x' in __slots__ conflicts with class variable")
    func conflictWithClassVariable() throws {
        let space = ObjectSpace()
        #expect(throws: ValueError("'x' in __slots__ conflicts with class variable")) {
            try space.defineClass("C", slots: ["x"], attributes: ["x": 1])
        }
    }

    @Test("a typed slot that is also a class attribute throws the same conflict ValueError")
    func conflictTyped() throws {
        let space = ObjectSpace()
        #expect(throws: ValueError("'n' in __slots__ conflicts with class variable")) {
            try space.defineClass("C", slots: ["n": .int], attributes: ["n": 0])
        }
    }

    @Test("a slot named like a base class's attribute is allowed and shadows it (unset until assigned)")
    func inheritedAttributeNoConflict() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [], attributes: ["x": "class"])
        let B = try space.defineClass("B", base: A, slots: ["x"])
        let b = try B()
        #expect(try b.get("x", default: "unset") == "unset")
        try b.set("x", 1)
        #expect(try b.get("x") == 1)
    }

    @Test("'__qualname__' in slots does not conflict with a '__qualname__' class attribute")
    func qualnameExempt() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["__qualname__"], attributes: ["__qualname__": "C"])
        let c = try C()
        try c.set("__qualname__", "inst")
        #expect(try c.get("__qualname__") == "inst")
    }

    // MARK: - Precedence of definition errors

    @Test("a layout conflict is reported before a non-identifier slot name")
    func layoutConflictFirst() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B", slots: ["b"])
        #expect(throws: TypeError("multiple bases have instance lay-out conflict")) {
            try space.defineClass("C", bases: [A, B], slots: ["1x"])
        }
    }

    @Test("a layout conflict is reported before a class-variable conflict")
    func layoutConflictBeforeValueError() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["a"])
        let B = try space.defineClass("B", slots: ["b"])
        #expect(throws: TypeError("multiple bases have instance lay-out conflict")) {
            try space.defineClass("C", bases: [A, B], slots: ["y"], attributes: ["y": 1])
        }
    }

    @Test("a non-identifier is reported before a class-variable conflict, even when it comes later in slots")
    func identifierBeforeConflict() throws {
        let space = ObjectSpace()
        #expect(throws: TypeError("__slots__ must be identifiers")) {
            try space.defineClass("C", slots: ["y", "1x"], attributes: ["y": 1])
        }
    }

    @Test("per-item checks run in slot order: a non-identifier before a later duplicate '__dict__'")
    func itemOrderIdentifierFirst() throws {
        let space = ObjectSpace()
        #expect(throws: TypeError("__slots__ must be identifiers")) {
            try space.defineClass("C", slots: ["1x", "__dict__", "__dict__"])
        }
    }

    @Test("per-item checks run in slot order: a duplicate '__dict__' before a later non-identifier")
    func itemOrderDictFirst() throws {
        let space = ObjectSpace()
        #expect(throws: TypeError("__dict__ slot disallowed: we already got one")) {
            try space.defineClass("C", slots: ["__dict__", "__dict__", "1x"])
        }
    }

    // MARK: - Private name mangling

    @Test("a private slot '__x' of class C is stored under the mangled name '_C__x'")
    func mangling() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["__x"])
        #expect(C.allSlots == ["_C__x"])
        #expect(C.ownSlots == ["_C__x"])
    }

    @Test("declaredSlots keeps the private slot name as written")
    func manglingDeclared() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["__x"])
        #expect(C.declaredSlots == ["__x"])
    }

    @Test("a mangled slot is read and written by its mangled name; the unmangled name is not an attribute")
    func manglingAccess() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["__x"])
        let c = try C()
        try c.set("_C__x", 1)
        #expect(try c.get("_C__x") == 1)
        #expect(throws: AttributeError("'C' object has no attribute '__x'")) { try c.get("__x") }
    }

    @Test("mangling strips the class name's leading underscores: '__x' in class '_C' becomes '_C__x'")
    func manglingLeadingUnderscores() throws {
        let C = try ObjectSpace().defineClass("_C", slots: ["__x"])
        #expect(C.allSlots == ["_C__x"])
    }

    @Test("a class whose name is all underscores does not mangle")
    func manglingAllUnderscores() throws {
        let C = try ObjectSpace().defineClass("__", slots: ["__x"])
        #expect(C.allSlots == ["__x"])
    }

    @Test("dunder names and single-underscore names are not mangled")
    func noManglingForDunders() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["__x__", "_x", "__x_"])
        #expect(C.allSlots == ["__x__", "_x", "_C__x_"])
    }

    @Test("the class-variable conflict is checked after mangling: '_C__x' conflicts with slot '__x'")
    func conflictAfterMangling() throws {
        let space = ObjectSpace()
        #expect(throws: ValueError("'_C__x' in __slots__ conflicts with class variable")) {
            try space.defineClass("C", slots: ["__x"], attributes: ["_C__x": 1])
        }
    }

    @Test("private slots of a base and a subclass get different mangled names and do not collide")
    func manglingPerClass() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["__x"])
        let B = try space.defineClass("B", base: A, slots: ["__x"])
        #expect(B.allSlots == ["_A__x", "_B__x"])
    }

    // MARK: - Duplicates and re-declarations (Slotted rejects what CPython silently wastes)

    @Test("a duplicate slot name throws a ValueError that names the slot")
    func duplicateSlot() throws {
        let space = ObjectSpace()
        let error = #expect(throws: ValueError.self) { try space.defineClass("C", slots: ["x", "y", "x"]) }
        #expect(error.map { String(describing: $0).contains("'x'") } == true)
    }

    @Test("two spellings that mangle to the same name are a duplicate")
    func duplicateAfterMangling() throws {
        let space = ObjectSpace()
        let error = #expect(throws: ValueError.self) { try space.defineClass("C", slots: ["__x", "_C__x"]) }
        #expect(error.map { String(describing: $0).contains("_C__x") } == true)
    }

    @Test("re-declaring a base class's slot throws a ValueError naming the slot and the base")
    func redeclareBaseSlot() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("Alpha", slots: ["x"])
        let error = #expect(throws: ValueError.self) { try space.defineClass("Beta", base: A, slots: ["x"]) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("'x'"))
        #expect(message.contains("Alpha"))
    }

    @Test("re-declaring a grandparent's slot throws a ValueError naming the class that declared it")
    func redeclareGrandparentSlot() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("Alpha", slots: ["x"])
        let B = try space.defineClass("Beta", base: A, slots: ["y"])
        let error = #expect(throws: ValueError.self) { try space.defineClass("Gamma", base: B, slots: ["x"]) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("'x'"))
        #expect(message.contains("Alpha"))
    }

    @Test("re-declaring a typed base slot throws a ValueError too")
    func redeclareTypedBaseSlot() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("Alpha", slots: ["n": .int])
        #expect(throws: ValueError.self) { try space.defineClass("Beta", base: A, slots: ["n": .int]) }
    }

    @Test("a failed definition does not register a class in the space")
    func failedDefinitionNotRegistered() throws {
        let space = ObjectSpace()
        _ = try space.defineClass("Ok", slots: ["x"])
        _ = try? space.defineClass("Bad", slots: ["x", "x"])
        #expect(space.classes.map(\.name) == ["Ok"])
    }

    // MARK: - Class names and bases

    @Test("a class name with a NUL character throws ValueError: type name must not contain null characters")
    func nulInClassName() throws {
        let space = ObjectSpace()
        #expect(throws: ValueError("type name must not contain null characters")) {
            try space.defineClass("a\u{0}b", slots: [])
        }
    }

    @Test("listing the same base twice throws TypeError: duplicate base class A")
    func duplicateBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [])
        #expect(throws: TypeError("duplicate base class A")) { try space.defineClass("C", bases: [A, A]) }
    }

    @Test("a base from another ObjectSpace is refused with a TypeError")
    func foreignBase() throws {
        let other = try ObjectSpace().defineClass("A", slots: ["x"])
        let space = ObjectSpace()
        #expect(throws: TypeError.self) { try space.defineClass("C", base: other, slots: ["y"]) }
    }

    // MARK: - __dict__ and __weakref__ in slots

    @Test("'__dict__' in slots gives instances a dict that takes undeclared attributes")
    func dictSlot() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x", "__dict__"])
        let c = try C()
        try c.set("x", 1)
        try c.set("z", 2)
        #expect(C.hasDict)
        #expect(try c.vars() == ["z": 2])
    }

    @Test("'__dict__' and '__weakref__' are listed in declaredSlots but are not slots of the layout")
    func dictWeakrefNotSlots() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x", "__dict__", "__weakref__"])
        #expect(C.declaredSlots == ["x", "__dict__", "__weakref__"])
        #expect(C.allSlots == ["x"])
    }

    @Test("'__weakref__' in slots is accepted and does not add a dict")
    func weakrefSlot() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x", "__weakref__"])
        #expect(C.hasWeakrefSlot)
        #expect(!C.hasDict)
        let c = try C()
        #expect(throws: AttributeError("'C' object has no attribute 'z'")) { try c.set("z", 1) }
    }

    @Test("a class with slots and no '__weakref__' has no weakref slot")
    func noWeakrefSlot() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"])
        #expect(!C.hasWeakrefSlot)
    }

    @Test("'__dict__' listed twice throws TypeError: __dict__ slot disallowed: we already got one")
    func dictTwice() throws {
        let space = ObjectSpace()
        #expect(throws: TypeError("__dict__ slot disallowed: we already got one")) {
            try space.defineClass("C", slots: ["__dict__", "__dict__"])
        }
    }

    @Test("'__dict__' in slots over a base that already has a dict throws the same TypeError")
    func dictOverDictBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A")
        #expect(throws: TypeError("__dict__ slot disallowed: we already got one")) {
            try space.defineClass("B", base: A, slots: ["__dict__"])
        }
    }

    @Test("'__dict__' in slots over a base whose own slots include '__dict__' throws the same TypeError")
    func dictOverDictSlotBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["__dict__"])
        #expect(throws: TypeError("__dict__ slot disallowed: we already got one")) {
            try space.defineClass("B", base: A, slots: ["__dict__"])
        }
    }

    @Test("'__weakref__' listed twice throws CPython 3.11's __weakref__ slot disallowed TypeError")
    func weakrefTwice() throws {
        let space = ObjectSpace()
        #expect(throws: TypeError("__weakref__ slot disallowed: either we already got one, or __itemsize__ != 0")) {
            try space.defineClass("C", slots: ["__weakref__", "__weakref__"])
        }
    }

    @Test("'__weakref__' in slots over a dict base (which has weakrefs) throws the same TypeError")
    func weakrefOverDictBase() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A")
        #expect(throws: TypeError("__weakref__ slot disallowed: either we already got one, or __itemsize__ != 0")) {
            try space.defineClass("B", base: A, slots: ["__weakref__"])
        }
    }

    @Test("a subclass may add '__dict__' and '__weakref__' to a dict-less slotted base")
    func subclassAddsDictAndWeakref() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A, slots: ["__dict__", "__weakref__"])
        let b = try B()
        try b.set("z", 1)
        #expect(try b.vars() == ["z": 1])
        #expect(B.hasWeakrefSlot)
    }
}
