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

    @Test("class attributes and dict entries are found by names of every form")
    func attributesAndDict() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", attributes: ["label": "class value"])
        let c = try C.new()
        for form in variants("label") { #expect(try c.get(form) == "class value") }
        try c.set(String(decoding: Array("extra".utf8), as: UTF8.self), .int(3))
        for form in variants("extra") { #expect(try c.get(form) == .int(3)) }
    }
}
