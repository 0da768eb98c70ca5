import Slotted
import Testing

@Suite("Introspection: slot lists, sizes, layouts and reprs")
struct IntrospectionTests {
    // MARK: - Slot lists

    @Test("ownSlots, allSlots and declaredSlots of a base and its slotted subclass")
    func slotLists() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x", "y"])
        let B = try space.defineClass("B", base: A, slots: ["z", "__dict__"])
        #expect(A.ownSlots == ["x", "y"])
        #expect(A.allSlots == ["x", "y"])
        #expect(A.declaredSlots == ["x", "y"])
        #expect(B.ownSlots == ["z"])
        #expect(B.allSlots == ["x", "y", "z"])
        #expect(B.declaredSlots == ["z", "__dict__"])
    }

    @Test("a dict subclass of a slotted base has no own slots and inherits all of the base's")
    func dictSubclassSlotLists() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x", "y"])
        let B = try space.defineClass("B", base: A)
        #expect(B.ownSlots.isEmpty)
        #expect(B.allSlots == ["x", "y"])
        #expect(B.declaredSlots == nil)
    }

    @Test("hasDict is false for a slotted class and true for a class without slots")
    func classHasDict() throws {
        let space = ObjectSpace()
        #expect(try space.defineClass("PointSlots", slots: ["x", "y"]).hasDict == false)
        #expect(try space.defineClass("PointDict").hasDict == true)
    }

    @Test("instance.hasDict agrees with the class's hasDict")
    func instanceHasDict() throws {
        let space = ObjectSpace()
        let S = try space.defineClass("PointSlots", slots: ["x", "y"])
        let D = try space.defineClass("PointDict")
        #expect(try S().hasDict == S.hasDict)
        #expect(try D().hasDict == D.hasDict)
    }

    // MARK: - Sizes

    @Test("PointSlots with two untyped slots is 40 bytes: an 8-byte header and two 16-byte values")
    func pointSlotsSize() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        #expect(P.instanceSize == 40)
    }

    @Test("instanceSize is 8 + 16 * n for n untyped slots", arguments: 1...6)
    func untypedSizes(n: Int) throws {
        let C = try ObjectSpace().defineClass("C", slots: (0..<n).map { "s\($0)" })
        #expect(C.instanceSize == 8 + 16 * n)
    }

    @Test("a slotted instance's sizeof equals its class's instanceSize, set or not")
    func sizeofSlotted() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        let empty = try P()
        let full = try P(x: 1.0, y: "a string longer than seven bytes")
        #expect(space.sizeof(empty) == P.instanceSize)
        #expect(space.sizeof(full) == P.instanceSize)
    }

    @Test("adding '__dict__' to slots adds an 8-byte dict pointer to the instance")
    func dictPointerSize() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", slots: ["x", "__dict__"])
        #expect(B.instanceSize - A.instanceSize == 8)
    }

    @Test("a dict instance's sizeof counts its dict table once it has attributes")
    func sizeofDict() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("PointDict")
        let d = try D()
        let before = space.sizeof(d)
        try d.set("x", 1.0)
        #expect(space.sizeof(d) > before)
    }

    // MARK: - Layout

    @Test("EventSlots's layout gives each slot's offset, size and type in declaration order")
    func eventLayout() throws {
        let E = try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        let layout = E.layout
        #expect(layout.map(\.name) == ["ts", "kind", "value"])
        #expect(layout.map(\.offset) == [8, 16, 24])
        #expect(layout.map(\.size) == [8, 8, 8])
        #expect(layout.map(\.type) == [.int, .string, .double])
        #expect(layout.allSatisfy { $0.declaredBy == "EventSlots" })
    }

    @Test("a subclass's layout lists the base's slots first, marked as declared by the base")
    func subclassLayout() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("PointSlots", slots: ["x", "y"])
        let B = try space.defineClass("Point3", base: A, slots: ["z"])
        #expect(B.layout.map(\.name) == ["x", "y", "z"])
        #expect(B.layout.map(\.declaredBy) == ["PointSlots", "PointSlots", "Point3"])
    }

    @Test("slots never overlap the header or each other and fit in the instance")
    func noOverlap() throws {
        let space = ObjectSpace()
        let classes = [
            try space.defineClass("C1", slots: ["a": .bool, "b": .int, "c": .bool, "d": .int32, "e": .any]),
            try space.defineClass("C2", slots: ["s": .string, "f": .float, "u": .uint8, "d": .double, "i": .instance]),
            try space.defineClass("C3", slots: ["x", "y"]),
        ]
        for C in classes {
            let ranges = C.layout.map { $0.offset..<($0.offset + $0.size) }
            for (i, r) in ranges.enumerated() {
                #expect(r.lowerBound >= 8, "\(C.name)")
                #expect(r.upperBound <= C.instanceSize, "\(C.name)")
                for other in ranges[(i + 1)...] { #expect(!r.overlaps(other), "\(C.name)") }
            }
        }
    }

    @Test("every slot's offset is aligned to its size (8 for untyped values)")
    func alignment() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["a": .bool, "b": .int32, "c": .any, "d": .float,
                                                         "e": .double, "f": .uint8])
        for s in C.layout {
            let alignment = s.type == .any ? 8 : s.size
            #expect(s.offset % alignment == 0, "\(s.name) at \(s.offset)")
        }
    }

    @Test("layoutDescription shows the total size, the header and each slot's offset, size and type")
    func layoutDescription() throws {
        let E = try ObjectSpace().defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        let text = E.layoutDescription
        print(text)
        #expect(text.hasPrefix("class EventSlots {"))
        #expect(text.contains("32 bytes"))
        #expect(text.contains("/*    0   8 */  header"))
        #expect(text.contains("/*    8   8 */  ts: int"))
        #expect(text.contains("/*   16   8 */  kind: str"))
        #expect(text.contains("/*   24   8 */  value: float"))
        #expect(text.hasSuffix("};"))
    }

    @Test("layoutDescription marks inherited slots with the class they come from")
    func layoutDescriptionInherited() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("PointSlots", slots: ["x", "y"])
        let B = try space.defineClass("Point3", base: A, slots: ["z"])
        let text = B.layoutDescription
        #expect(text.contains("x: object    (from PointSlots)"))
        #expect(!text.contains("z: object    (from"))
    }

    @Test("layoutDescription shows the dict pointer of a class with a dict")
    func layoutDescriptionDict() throws {
        let D = try ObjectSpace().defineClass("PointDict")
        #expect(D.layoutDescription.contains("__dict__"))
    }

    @Test("layoutDescription reports the trailing padding of a packed layout")
    func layoutDescriptionPadding() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["flag": .bool, "n": .int, "b": .bool])
        let text = C.layoutDescription
        #expect(text.contains("24 bytes"))
        #expect(text.contains("6 bytes: presence bits or padding"))
    }

    // MARK: - Reprs

    @Test("a slotted instance prints in dataclass style: PointSlots(x=1.0, y=2.0)")
    func pointDescription() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        let p = try P(x: 1.0, y: 2.0)
        #expect(p.description == "PointSlots(x=1.0, y=2.0)")
        #expect("\(p)" == "PointSlots(x=1.0, y=2.0)")
    }

    @Test("the repr leaves out unset slots")
    func descriptionSkipsUnset() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        #expect(try P(y: 2.0).description == "PointSlots(y=2.0)")
        #expect(try P().description == "PointSlots()")
    }

    @Test("the repr prints ints, strings, booleans and None like Python")
    func descriptionValueKinds() throws {
        let C = try ObjectSpace().defineClass("C", slots: ["a", "b", "c", "d", "e"])
        let c = try C(a: 1, b: "click", c: true, d: false, e: nil)
        #expect(c.description == "C(a=1, b='click', c=True, d=False, e=None)")
    }

    @Test("floats print like Python's repr", arguments: [
        (1.0, "1.0"), (2.0, "2.0"), (0.1, "0.1"), (1.5, "1.5"), (-0.0, "-0.0"), (123456789.0, "123456789.0"),
        (1e16, "1e+16"), (1e22, "1e+22"), (1.5e300, "1.5e+300"), (0.0001, "0.0001"), (1e-05, "1e-05"),
        (1.0 / 3.0, "0.3333333333333333"), (Double.leastNonzeroMagnitude, "5e-324"), (Double.infinity, "inf"), (-Double.infinity, "-inf"),
    ])
    func floatRepr(value: Double, python: String) {
        #expect(Value.double(value).description == python)
    }

    @Test("floats between 2**53 and 1e16 print in positional notation like Python (9500000000000000.0)")
    func floatReprBelow1e16() {
        // Python switches to exponent notation at 1e16; repr(9.5e15) == '9500000000000000.0'.
        #expect(Value.double(9.5e15).description == "9500000000000000.0")
    }

    @Test("NaN prints as nan")
    func nanRepr() {
        #expect(Value.double(.nan).description == "nan")
    }

    @Test("strings print with Python's quoting: double quotes when the text holds a single quote")
    func stringRepr() {
        #expect(Value.string("click").description == "'click'")
        #expect(Value.string("it's").description == "\"it's\"")
        #expect(Value.string("a\"b").description == "'a\"b'")
        #expect(Value.string("tab\t").description == "'tab\\t'")
    }

    @Test("a subclass instance prints the base's slots first")
    func subclassDescription() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("PointSlots", slots: ["x", "y"])
        let B = try space.defineClass("Point3", base: A, slots: ["z"])
        #expect(try B(x: 1.0, y: 2.0, z: 3.0).description == "Point3(x=1.0, y=2.0, z=3.0)")
    }

    @Test("a class prints as <class 'Name'>")
    func classDescription() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        #expect(P.description == "<class 'PointSlots'>")
    }

    @Test("a value referring to an instance prints Python's default object repr")
    func instanceValueRepr() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        let p = try P()
        let text = Value.instance(p).description
        #expect(text.hasPrefix("<PointSlots object at 0x"))
        #expect(text.hasSuffix(">"))
    }

    @Test("the space lists its classes in definition order")
    func spaceClasses() throws {
        let space = ObjectSpace()
        let A = try space.defineClass("A", slots: ["x"])
        let B = try space.defineClass("B", base: A)
        let C = try space.defineClass("C")
        #expect(space.classes == [A, B, C])
    }

    @Test("typeName gives Python's type names for values")
    func typeNames() throws {
        let P = try ObjectSpace().defineClass("PointSlots", slots: ["x", "y"])
        let p = try P()
        let values: [Value] = [.none, .int(1), .double(1), .bool(true), .string("s"), .instance(p)]
        #expect(values.map(\.typeName) == ["NoneType", "int", "float", "bool", "str", "PointSlots"])
    }
}
