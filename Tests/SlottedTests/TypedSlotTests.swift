import Slotted
import Testing

/// `EventSlots` with typed slots, in a fresh space.
private func eventSlots() throws -> SlotClass {
    try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
}

/// What an exit test's child process wrote to stderr.
private func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite("Typed slots: sizes, packing, accessors and type checks")
struct TypedSlotTests {
    // MARK: - Sizes and packing

    @Test("each slot type takes its documented number of bytes",
          arguments: [(SlotType.int, 8), (.double, 8), (.string, 8), (.bool, 1), (.any, 16),
                      (.instance, 8), (.int32, 4), (.float, 4), (.uint8, 1)])
    func slotTypeSize(type: SlotType, size: Int) {
        #expect(type.size == size)
    }

    @Test("the layout reports each typed slot's size", arguments: [SlotType.int, .double, .string, .bool, .any])
    func layoutSize(type: SlotType) throws {
        let C = try ObjectSpace().defineClass("C", slots: ["a": type])
        #expect(C.layout.map(\.size) == [type.size])
        #expect(C.layout.map(\.type) == [type])
    }

    @Test("an instance with one .int slot is 16 bytes: an 8-byte header and 8 bytes of value")
    func oneIntSlot() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["n": .int])
        #expect(C.instanceSize == 16)
    }

    @Test("an instance with one untyped slot is 24 bytes: an 8-byte header and 16 bytes of value")
    func oneAnySlot() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"])
        #expect(C.instanceSize == 24)
    }

    @Test("EventSlots (ts: .int, kind: .string, value: .double) is 32 bytes per instance")
    func eventSize() throws {
        let E = try eventSlots()
        #expect(E.instanceSize == 32)
    }

    @Test("typed slots are packed without padding: [flag: .bool, n: .int, b: .bool] is 24 bytes, not 32")
    func noPadding() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["flag": .bool, "n": .int, "b": .bool])
        #expect(C.instanceSize == 24)
    }

    @Test("packing puts the 8-byte slot first and the two 1-byte slots next to each other")
    func packingOffsets() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["flag": .bool, "n": .int, "b": .bool])
        let offsets = Dictionary(uniqueKeysWithValues: C.layout.map { ($0.name, $0.offset) })
        #expect(offsets["n"] == 8)
        #expect(offsets["flag"] == 16)
        #expect(offsets["b"] == 17)
    }

    @Test("packing does not reorder the declared slot names")
    func packingKeepsNameOrder() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["flag": .bool, "n": .int, "b": .bool])
        #expect(C.allSlots == ["flag", "n", "b"])
        #expect(C.layout.map(\.name) == ["flag", "n", "b"])
    }

    @Test("a .string slot costs 8 bytes in the instance")
    func stringCosts8() throws {
        let space = ObjectSpace()
        let without = try space.defineClass("Without", slots: ["ts": .int, "value": .double])
        let with = try space.defineClass("With", slots: ["ts": .int, "kind": .string, "value": .double])
        #expect(with.instanceSize - without.instanceSize == 8)
    }

    @Test("a .bool slot costs 1 byte: eight bools fit in the 8 bytes after the header")
    func eightBools() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["b0": .bool, "b1": .bool, "b2": .bool, "b3": .bool,
                                                           "b4": .bool, "b5": .bool, "b6": .bool, "b7": .bool])
        #expect(C.instanceSize == 16)
    }

    // MARK: - Accessors

    @Test("a typed accessor reads the value the constructor stored")
    func accessorRead() throws {
        let E = try eventSlots()
        let ts = try E.slot("ts", as: Int.self)
        let kind = try E.slot("kind", as: String.self)
        let value = try E.slot("value", as: Double.self)
        let e = try E(ts: 1, kind: "click", value: 1.5)
        #expect(e[ts] == 1)
        #expect(e[kind] == "click")
        #expect(e[value] == 1.5)
    }

    @Test("a value written through a typed accessor is read back by get()")
    func accessorWrite() throws {
        let E = try eventSlots()
        let value = try E.slot("value", as: Double.self)
        let e = try E(ts: 1, kind: "click", value: 1.5)
        e[value] = e[value] * 2
        #expect(try e.get("value") == .double(3.0))
    }

    @Test("writing through a typed accessor sets an unset slot")
    func accessorWriteMarksPresent() throws {
        let E = try eventSlots()
        let ts = try E.slot("ts", as: Int.self)
        let e = try E()
        e[ts] = 42
        #expect(e.has("ts"))
        #expect(e[ts] == 42)
    }

    @Test("a .bool slot round-trips through the accessor and through get()")
    func boolRoundTrip() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["on": .bool, "n": .int])
        let on = try C.slot("on", as: Bool.self)
        let c = try C(on: true, n: 1)
        #expect(c[on] == true)
        c[on] = false
        #expect(try c.get("on") == false)
    }

    @Test("an accessor for an undeclared slot throws AttributeError: type object 'EventSlots' has no attribute 'z'")
    func accessorUndeclared() throws {
        let E = try eventSlots()
        #expect(throws: AttributeError("type object 'EventSlots' has no attribute 'z'")) {
            try E.slot("z", as: Int.self)
        }
    }

    @Test("an accessor with the wrong Swift type throws a TypeError naming the slot and both types")
    func accessorWrongSwiftType() throws {
        let E = try eventSlots()
        let error = #expect(throws: TypeError.self) { try E.slot("value", as: Int.self) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("'value'"))
        #expect(message.contains("float"))
        #expect(message.contains("int"))
    }

    @Test("an accessor for an untyped slot must use Value")
    func accessorUntypedNeedsValue() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["x"])
        #expect(throws: TypeError.self) { try C.slot("x", as: Int.self) }
        let x = try C.slot("x", as: Value.self)
        let c = try C(x: 3)
        #expect(c[x] == 3)
    }

    @Test("the accessor records its slot's name and byte offset")
    func accessorMetadata() throws {
        let E = try eventSlots()
        let value = try E.slot("value", as: Double.self)
        #expect(value.name == "value")
        #expect(value.offset == E.layout.first { $0.name == "value" }?.offset)
        #expect(value.owner == E)
    }

    // MARK: - Type checks

    @Test("setting a value of the wrong type throws a TypeError naming the slot, the expected and the given type")
    func wrongTypeSet() throws {
        let E = try eventSlots()
        let e = try E(ts: 1, kind: "click", value: 1.5)
        let error = #expect(throws: TypeError.self) { try e.set("value", "oops") }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("'value'"))
        #expect(message.contains("float"))
        #expect(message.contains("str"))
    }

    @Test("a wrong-type assignment leaves the slot's previous value in place")
    func wrongTypeUnchanged() throws {
        let E = try eventSlots()
        let e = try E(ts: 1, kind: "click", value: 1.5)
        _ = try? e.set("ts", "not an int")
        #expect(try e.get("ts") == 1)
    }

    @Test("constructing with a value of the wrong type throws a TypeError naming the slot")
    func wrongTypeConstruct() throws {
        let E = try eventSlots()
        let error = #expect(throws: TypeError.self) { try E(ts: 1.5, kind: "click", value: 1.5) }
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.contains("'ts'"))
        #expect(message.contains("int"))
        #expect(message.contains("float"))
    }

    @Test("None is not accepted by a typed slot: TypeError mentions NoneType")
    func noneIntoTyped() throws {
        let E = try eventSlots()
        let e = try E()
        let error = #expect(throws: TypeError.self) { try e.set("kind", nil) }
        #expect(error.map { String(describing: $0).contains("NoneType") } == true)
    }

    @Test("an int is accepted by a .double slot and reads back as a float")
    func intIntoDouble() throws {
        let E = try eventSlots()
        let e = try E(value: 3)
        #expect(try e.get("value") == .double(3.0))
    }

    @Test("a .uint8 slot refuses an int outside 0...255")
    func uint8Range() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["b": .uint8])
        let c = try C(b: 255)
        #expect(try c.get("b") == 255)
        #expect(throws: TypeError.self) { try c.set("b", 256) }
    }

    @Test("a .int32 slot refuses an int outside the 32-bit range and keeps its value")
    func int32Range() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["n": .int32])
        let c = try C(n: .int(Int(Int32.max)))
        #expect(throws: TypeError.self) { try c.set("n", .int(Int(Int32.max) + 1)) }
        #expect(throws: TypeError.self) { try c.set("n", .int(Int(Int32.min) - 1)) }
        #expect(try c.get("n") == .int(Int(Int32.max)))
    }

    @Test("a .float slot refuses a finite double too large for a Float with CPython's OverflowError and keeps its value",
          arguments: [1e300, -1e300, 3.5e38, Double.greatestFiniteMagnitude])
    func floatOverflow(value: Double) throws {
        let C = try ObjectSpace().defineClass("C", slots: ["f": .float])
        let c = try C(f: 1.5)
        #expect(throws: OverflowError("float too large to pack with f format")) { try c.set("f", .double(value)) }
        #expect(try c.get("f") == 1.5)
    }

    @Test("constructing with a double too large for a .float slot throws OverflowError and leaves nothing allocated")
    func floatOverflowConstruct() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["name": .string, "f": .float])
        #expect(throws: OverflowError.self) { try C(name: "a name longer than seven bytes", f: 1e300) }
        #expect(space.memory.liveInstances == 0)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("a .float slot stores inf, -inf and nan, as CPython's struct.pack('f', ...) does",
          arguments: [Double.infinity, -Double.infinity])
    func floatInfinity(value: Double) throws {
        let C = try ObjectSpace().defineClass("C", slots: ["f": .float])
        let c = try C(f: .double(value))
        #expect(try c.get("f") == .double(value))
        try c.set("f", .double(.nan))
        guard case .double(let back) = try c.get("f") else { Issue.record("not a float"); return }
        #expect(back.isNaN)
    }

    @Test("a .float slot rounds to the nearest Float, as CPython's struct does: 16777217 reads back as 16777216.0")
    func floatRounding() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["f": .float])
        let c = try C(f: 16_777_217)
        #expect(try c.get("f") == .double(16_777_216))
        try c.set("f", 0.1)
        #expect(try c.get("f") == .double(Double(Float(0.1))))
        try c.set("f", .double(Double(Float.greatestFiniteMagnitude)))
        #expect(try c.get("f") == .double(Double(Float.greatestFiniteMagnitude)))
    }

    // MARK: - Strings

    @Test("strings of every length round-trip through a .string slot, inline and in a block",
          arguments: ["", "a", "click", "1234567", "12345678", "a string that is much longer than seven bytes",
                      String(repeating: "x", count: 10_000)])
    func stringLengths(text: String) throws {
        let E = try eventSlots()
        let e = try E(kind: .string(text))
        #expect(try e.get("kind") == .string(text))
    }

    /// Strings of every origin the standard library has: literals (immortal small or large),
    /// computed small strings, native heap strings, bridged-from-bytes text, substrings.
    static let stringsOfEveryOrigin: [String] = {
        let hello = "hello, world"
        return [
            "", "a", "click", "1234567", "12345678", "日本", "été", "🙂",
            String(repeating: "x", count: 7), String(repeating: "é", count: 3), String(repeating: "y", count: 40),
            "\(42)", "\(1234567)", "\(12345678)", String(hello.prefix(5)), String(hello.dropFirst(7)),
            String(Character("q")), "Click".lowercased(), "CLICK!!".lowercased(), "click me now".uppercased(),
            String(decoding: [0x61, 0x62, 0x63], as: UTF8.self), String(decoding: Array(repeating: 0x7A, count: 7), as: UTF8.self),
            String(unsafeUninitializedCapacity: 64) { buffer in
                for (i, byte) in "abcde".utf8.enumerated() { buffer[i] = byte }
                return 5
            },
            "ab" + "cdefg", "\u{0}\u{0}\u{0}", "\u{0}",
        ]
    }()

    @Test("a typed store keeps short strings inline and long ones in a block, for strings of every origin",
          arguments: stringsOfEveryOrigin)
    func inlineDecision(text: String) throws {
        let space = ObjectSpace()
        let E = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        let kind = try E.slot("kind", as: String.self)
        let e = try E.new()
        e[kind] = text
        #expect(e[kind] == text)
        #expect(e[kind].utf8.count == text.utf8.count)
        #expect(try e.get("kind") == .string(text))
        #expect(space.memory.stats.liveBlocks == (text.utf8.count <= 7 ? 0 : 1))
    }

    @Test("non-ASCII strings round-trip through a .string slot",
          arguments: ["été", "日本", "日本語", "日本語のテキスト", "🙂", "naïve café 🙂 façade", "\u{0}nul inside"])
    func nonASCII(text: String) throws {
        let E = try eventSlots()
        let e = try E(kind: .string(text))
        #expect(try e.get("kind") == .string(text))
    }

    @Test("a long string written through the typed accessor is read back intact")
    func longStringAccessor() throws {
        let E = try eventSlots()
        let kind = try E.slot("kind", as: String.self)
        let e = try E()
        e[kind] = "a long non-ASCII string: 日本語のテキスト"
        #expect(e[kind] == "a long non-ASCII string: 日本語のテキスト")
        #expect(try e.get("kind") == "a long non-ASCII string: 日本語のテキスト")
    }

    @Test("replacing a long string with a short one and back again reads the latest value")
    func replaceStrings() throws {
        let E = try eventSlots()
        let kind = try E.slot("kind", as: String.self)
        let e = try E(kind: "a first, long string value")
        e[kind] = "short"
        #expect(e[kind] == "short")
        try e.set("kind", "a second, long string value")
        #expect(e[kind] == "a second, long string value")
    }

    @Test("long strings in two instances are independent")
    func independentStrings() throws {
        let E = try eventSlots()
        let a = try E(kind: "the first instance's long string")
        let b = try E(kind: "the second instance's long string")
        try a.set("kind", "changed")
        #expect(try b.get("kind") == "the second instance's long string")
    }

    // MARK: - Unset typed slots

    @Test("reading an unset typed slot through get() throws 'EventSlots' object has no attribute 'ts'")
    func unsetTypedGet() throws {
        let E = try eventSlots()
        let e = try E(kind: "click")
        #expect(throws: AttributeError("'EventSlots' object has no attribute 'ts'")) { try e.get("ts") }
    }

    @Test("deleting a typed slot unsets it, and it can be set again")
    func deleteTyped() throws {
        let E = try eventSlots()
        let e = try E(ts: 5, kind: "a long string to be freed", value: 1.0)
        try e.delete("kind")
        try e.delete("ts")
        #expect(!e.has("kind"))
        #expect(!e.has("ts"))
        try e.set("ts", 6)
        #expect(try e.get("ts") == 6)
    }

    @Test("deleting an unset typed slot throws the bare slot name")
    func deleteUnsetTyped() throws {
        let E = try eventSlots()
        let e = try E()
        #expect(throws: AttributeError("value")) { try e.delete("value") }
    }

    @Test("reading an unset typed slot through the typed subscript traps with the AttributeError message")
    func unsetTypedSubscriptTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let E = try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
            let ts = try E.slot("ts", as: Int.self)
            let e = try E(kind: "click")
            _ = e[ts]
        }
        #expect(stderrText(result).contains("'EventSlots' object has no attribute 'ts'"))
    }

    @Test("control: the same typed subscript read of a set slot exits normally")
    func setTypedSubscriptDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            let E = try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
            let ts = try E.slot("ts", as: Int.self)
            let e = try E(ts: 1, kind: "click")
            precondition(e[ts] == 1)
        }
    }

    @Test("reading a deleted typed slot through the typed subscript traps with the AttributeError message")
    func deletedTypedSubscriptTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let E = try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
            let ts = try E.slot("ts", as: Int.self)
            let e = try E(ts: 1)
            try e.delete("ts")
            _ = e[ts]
        }
        #expect(stderrText(result).contains("'EventSlots' object has no attribute 'ts'"))
    }

    @Test("reading an unset slot past the first 16 slots through the typed subscript traps")
    func unsetHighIndexTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let names = (0..<20).map { "s\($0)" }
            let C = try space.defineClass("Wide", slots: names)
            let last = try C.slot("s19", as: Value.self)
            let c = try C()
            _ = c[last]
        }
        #expect(stderrText(result).contains("'Wide' object has no attribute 's19'"))
    }

    @Test("a typed accessor used on an instance of an unrelated class traps with CPython's descriptor message")
    func unrelatedClassTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let A = try space.defineClass("A", slots: ["n": .int])
            let B = try space.defineClass("B", slots: ["n": .int])
            let n = try A.slot("n", as: Int.self)
            let b = try B(n: 1)
            _ = b[n]
        }
        #expect(stderrText(result).contains("descriptor 'n' for 'A' objects doesn't apply to a 'B' object"))
    }

    @Test("a subclass's accessor used on a base-class instance traps with the descriptor message")
    func subclassAccessorOnBaseTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let A = try space.defineClass("A", slots: ["n": .int])
            let B = try space.defineClass("B", base: A, slots: ["m": .int])
            let n = try B.slot("n", as: Int.self)
            let a = try A(n: 1)
            _ = a[n]
        }
        #expect(stderrText(result).contains("descriptor 'n' for 'B' objects doesn't apply to a 'A' object"))
    }

    @Test("a typed write through a freed instance's handle traps")
    func staleWriteTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let A = try space.defineClass("A", slots: ["n": .int])
            let n = try A.slot("n", as: Int.self)
            let a = try A(n: 1)
            space.free(a)
            a[n] = 2
        }
        #expect(stderrText(result).contains("stale"))
    }

    // MARK: - Repr

    @Test("a typed instance prints in dataclass style with Python reprs")
    func typedDescription() throws {
        let E = try eventSlots()
        let e = try E(ts: 1, kind: "click", value: 1.5)
        #expect(e.description == "EventSlots(ts=1, kind='click', value=1.5)")
    }
}
