import Slotted
import Testing

/// The same text built in ways that give Swift's different string forms: literal, computed
/// small, native heap storage, substring copy.
private func variants(_ name: String) -> [String] {
    [
        name,
        String(decoding: Array(name.utf8), as: UTF8.self),
        String(unsafeUninitializedCapacity: 64) { buffer in
            for (i, byte) in name.utf8.enumerated() { buffer[i] = byte }
            return name.utf8.count
        },
        String(("<" + name + ">").dropFirst().dropLast()),
        name.lowercased() == name ? name.lowercased() : name,
    ]
}

@Suite("Attribute names: every form of the same text finds the same slot")
struct NameLookupTests {
    static let names = ["x", "ts", "kind", "value", "été", "日本", "fifteen_bytes__", "sixteen_bytes___",
                        "a_rather_long_attribute_name"]

    @Test("get and set find a slot through every form of its name, short, long and non-ASCII",
          arguments: names)
    func everyFormFindsTheSlot(name: String) throws {
        let space = ObjectSpace()
        // The class is defined with a name built at run time, looked up with literals and others.
        let declared = String(decoding: Array(name.utf8), as: UTF8.self)
        let C = try space.defineClass("C", slots: [declared, "other"])
        let c = try C.new()
        for (k, form) in variants(name).enumerated() {
            try c.set(form, .int(k))
            for reader in variants(name) {
                #expect(try c.get(reader) == .int(k))
                #expect(c.has(reader))
            }
        }
        try c.set("other", .int(-1))
        #expect(try c.get(name) == .int(variants(name).count - 1))
        #expect(throws: AttributeError.self) { try c.get(name + "_") }
        #expect(throws: AttributeError.self) { try c.get(String(name.dropLast())) }
    }

    @Test("a class with more names than the small-name table still finds every one")
    func manyNames() throws {
        let space = ObjectSpace()
        let names = (0..<40).map { "n\($0)" }
        let C = try space.defineClass("Wide", slots: names)
        let w = try C.new()
        for (i, n) in names.enumerated() { try w.set(n, .int(i)) }
        for (i, n) in names.enumerated() {
            #expect(try w.get(String(decoding: Array(n.utf8), as: UTF8.self)) == .int(i))
        }
        #expect(throws: AttributeError.self) { try w.get("n40") }
    }

    @Test("get reads each kind of slot by name: typed int, double and bool, untyped, string, past the 16th, on a subclass")
    func everyKindByName() throws {
        let space = ObjectSpace()
        let pads: [(String, SlotType)] = (0..<14).map { ("p\($0)", .int) }
        let C = try space.defineClass("Kinds", typedSlots: [("i", .int), ("d", .double), ("a", .any)] + pads
                                      + [("b", .bool), ("s", .string), ("late", .double)])
        let Sub = try space.defineClass("SubKinds", bases: [C], slots: ["own"])
        for K in [C, Sub] {
            let k = try K.new()
            for name in ["i", "d", "a", "b", "s", "late"] {
                #expect(throws: AttributeError.self) { try k.get(name) }
                #expect(try k.getIfPresent(name) == nil)
            }
            try k.set("i", .int(-7))
            try k.set("d", .double(2.5))
            try k.set("a", .bool(true))
            try k.set("b", .bool(false))
            try k.set("s", "text")
            try k.set("late", .double(-0.25))
            #expect(try k.get("i") == .int(-7))
            #expect(try k.get("d") == .double(2.5))
            #expect(try k.get("a") == .bool(true))
            #expect(try k.get("b") == .bool(false))
            #expect(try k.get("s") == "text")
            #expect(try k.get("late") == .double(-0.25))
            try k.set("a", nil)
            #expect(try k.get("a") == nil)
            try k.set("a", .int(3))
            #expect(try k.get("a") == .int(3))
            try k.delete("d")
            try k.delete("a")
            #expect(try k.getIfPresent("d") == nil)
            #expect(try k.getIfPresent("a") == nil)
            #expect(throws: AttributeError.self) { try k.get("d") }
            #expect(try k.get("i") == .int(-7))
            space.free(k)
            #expect(throws: ReferenceError.self) { try k.get("i") }
        }
    }

    @Test("class attributes and dict entries are found by names of every form")
    func attributesAndDict() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", attributes: ["label": "class value"])
        let c = try C.new()
        for form in variants("label") { #expect(try c.get(form) == "class value") }
        try c.set(String(decoding: Array("extra".utf8), as: UTF8.self), .int(3))
        for form in variants("extra") { #expect(try c.get(form) == .int(3)) }
    }

    @Test("get and getIfPresent on dict instances read shaped entries of each kind, class attributes, long names and hash tables, beside a slot")
    func dictInstanceByName() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D", attributes: ["label": "class value"])
        let S = try space.defineClass("S", bases: [D], slots: ["own"])
        let long = "a_rather_long_attribute_name"
        for K in [D, S] {
            let d = try K.new()
            #expect(throws: AttributeError.self) { try d.get("x") }
            #expect(try d.getIfPresent("x") == nil)
            #expect(try d.get("label") == "class value")
            try d.set("x", .double(1.5))
            try d.set("n", .int(4))
            try d.set("t", "text")
            try d.set("flag", .bool(true))
            try d.set("nothing", nil)
            try d.set(long, .int(9))
            if K === S { try d.set("own", .double(-2)) }
            #expect(try d.get("x") == .double(1.5))
            #expect(try d.get("n") == .int(4))
            #expect(try d.get("t") == "text")
            #expect(try d.get("flag") == .bool(true))
            #expect(try d.get("nothing") == nil)
            #expect(try d.getIfPresent("nothing") == .some(nil))
            #expect(try d.get(long) == .int(9))
            #expect(try d.getIfPresent(long) == .int(9))
            #expect(throws: AttributeError.self) { try d.get("y") }
            #expect(try d.getIfPresent("y") == nil)
            try d.set("label", .int(1))
            #expect(try d.get("label") == .int(1))
            if K === S { #expect(try d.get("own") == .double(-2)) }
            // Deleting an entry that is not the last one added: a hash table of its own.
            try d.delete("x")
            #expect(try d.getIfPresent("x") == nil)
            #expect(throws: AttributeError.self) { try d.get("x") }
            #expect(try d.get("n") == .int(4))
            #expect(try d.get(long) == .int(9))
            #expect(try d.get("label") == .int(1))
            try d.delete("label")
            #expect(try d.get("label") == "class value")
            if K === S { #expect(try d.get("own") == .double(-2)) }
            space.free(d)
            #expect(throws: ReferenceError.self) { try d.get("n") }
            #expect(throws: ReferenceError.self) { try d.getIfPresent("y") }
        }
    }
}

/// "é" as one code point (U+00E9) and as "e" + U+0301: canonically equivalent, so Swift's
/// `==` calls them equal, but two different names for CPython, which compares code points.
private let precomposed = "\u{E9}"
private let decomposed = "e\u{301}"

/// The scalars of each string, for comparing names by code point in expectations.
private func scalars(_ names: [String]) -> [[Unicode.Scalar]] { names.map { Array($0.unicodeScalars) } }

@Suite("Attribute names compare by code points, as CPython's str does")
struct CodePointNameTests {
    @Test("two canonically equivalent spellings are two distinct slots")
    func bothSpellingsAreSlots() throws {
        let C = try ObjectSpace().defineClass("C", slots: [precomposed, decomposed])
        #expect(scalars(C.allSlots) == scalars([precomposed, decomposed]))
        let c = try C.construct([(label: "", value: 1), (label: "", value: 2)])
        #expect(try c.get(precomposed) == 1)
        #expect(try c.get(decomposed) == 2)
    }

    @Test("get of one spelling throws AttributeError on a class with only the other, whatever its size",
          arguments: [1, 8, 13, 40])
    func getOfOtherSpellingThrows(slotCount: Int) throws {
        let C = try ObjectSpace().defineClass("C", slots: [precomposed] + (1..<slotCount).map { "s\($0)" })
        let c = try C.new()
        try c.set(precomposed, 1)
        #expect(throws: AttributeError.self) { try c.get(decomposed) }
        #expect(!c.has(decomposed))
    }

    @Test("set of one spelling throws AttributeError on a slotted class with only the other",
          arguments: [1, 13])
    func setOfOtherSpellingThrows(slotCount: Int) throws {
        let C = try ObjectSpace().defineClass("C", slots: [precomposed] + (1..<slotCount).map { "s\($0)" })
        let c = try C.new()
        #expect(throws: AttributeError.self) { try c.set(decomposed, 1) }
    }

    @Test("a typed accessor is not resolved through the other spelling")
    func accessorOfOtherSpelling() throws {
        let C = try ObjectSpace().defineClass(
            "C", typedSlots: [(precomposed, .int)] + (1..<13).map { ("s\($0)", SlotType.int) })
        #expect(throws: AttributeError.self) { try C.slot(decomposed, as: Int.self) }
    }

    @Test("a dict instance keeps both spellings as separate keys")
    func dictKeepsBoth() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D.new()
        try d.set(precomposed, 1)
        try d.set(decomposed, 2)
        #expect(try d.get(precomposed) == 1)
        #expect(try d.get(decomposed) == 2)
        try d.delete(precomposed)
        #expect(throws: AttributeError.self) { try d.get(precomposed) }
        #expect(try d.get(decomposed) == 2)
    }

    @Test("a class attribute is not found through the other spelling")
    func classAttributeOfOtherSpelling() throws {
        let C = try ObjectSpace().defineClass("C", slots: (1..<13).map { "s\($0)" }, attributes: [precomposed: 1])
        #expect(throws: AttributeError.self) { try C.new().get(decomposed) }
        #expect(C.attribute(decomposed) == nil)
    }

    @Test("a slot does not conflict with a class attribute spelled the other way")
    func noConflictAcrossSpellings() throws {
        let C = try ObjectSpace().defineClass("C", slots: [decomposed], attributes: [precomposed: 1])
        let c = try C.new()
        try c.set(decomposed, 2)
        #expect(try c.get(precomposed) == 1)
        #expect(try c.get(decomposed) == 2)
    }

    @Test("a base's slot spelled the other way is not a re-declaration")
    func noRedeclarationAcrossSpellings() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: [precomposed])
        let B = try space.defineClass("B", base: A, slots: [decomposed])
        #expect(scalars(B.allSlots) == scalars([precomposed, decomposed]))
    }

    @Test("attributeNames lists both spellings")
    func attributeNamesListsBoth() throws {
        let C = try ObjectSpace().defineClass("C", slots: [precomposed, decomposed])
        #expect(try C.new().attributeNames().count == 2)
    }

    @Test("a private name with a combining mark after its two underscores is mangled")
    func manglingByCodePoint() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["__\u{301}x"])
        #expect(scalars(C.allSlots) == scalars(["_C__\u{301}x"]))
    }

    @Test("mangling strips a class name's leading underscores by code point")
    func manglingStripsUnderscoresByCodePoint() throws {
        let C = try ObjectSpace().defineClass("_\u{301}C", slots: ["__x"])
        #expect(scalars(C.allSlots) == scalars(["_\u{301}C__x"]))
    }
}
