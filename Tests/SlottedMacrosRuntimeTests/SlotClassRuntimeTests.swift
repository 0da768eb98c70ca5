import Foundation
import SlottedMacros
import Testing

/// The dynamic twin of a macro class: the same slots through `defineClass`.
private func dynamicEvent(_ space: ObjectSpace) throws -> SlotClass {
    try space.defineClass("Event", slots: ["ts": .int, "kind": .string, "value": .double, "source": .int])
}

/// What an exit test's child process wrote to stderr.
private func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

private func sameLayout(_ a: SlotClass, _ b: SlotClass) -> Bool {
    a.layout == b.layout && a.instanceSize == b.instanceSize
}

@Suite("@SlotClass: layout, registration and the dynamic API")
struct SlotClassLayoutTests {
    @Test("a macro class and a dynamically defined class with the same slots have the same layout")
    func eventLayout() throws {
        let space = ObjectSpace()
        let macro = try Event.slotClass(in: space)
        let dynamic = try dynamicEvent(space)
        #expect(sameLayout(macro, dynamic))
        #expect(macro.instanceSize == 40)
        #expect(macro.layout.map(\.offset) == [8, 16, 24, 32])
    }

    @Test("every supported field type lays out as the dynamic API lays out its slot type")
    func allTypesLayout() throws {
        let space = ObjectSpace()
        let dynamic = try space.defineClass("AllTypes", slots: [
            "flag": .bool, "byte": .uint8, "small": .int32, "ratio": .float, "count": .int,
            "mean": .double, "name": .string, "any": .any, "handle": .instance, "event": .instance,
            "maybeInt": .int, "maybeName": .string, "maybeEvent": .instance, "maybeAny": .any,
        ])
        let macro = try AllTypes.slotClass(in: space)
        #expect(sameLayout(macro, dynamic))
        #expect(macro.layout.map(\.type) == dynamic.layout.map(\.type))
    }

    @Test("a derived macro class lays out its base's slots, then its own, as defineClass(base:) does")
    func derivedLayout() throws {
        let space = ObjectSpace()
        let base = try dynamicEvent(space)
        let dynamic = try space.defineClass("Click", base: base, slots: [
            "x": .int32, "y": .int32, "button": .uint8, "label": .string,
        ])
        let macro = try Click.slotClass(in: space)
        #expect(sameLayout(macro, dynamic))
        #expect(macro.bases == [try Event.slotClass(in: space)])
        #expect(macro.isSubclass(of: try Event.slotClass(in: space)))
    }

    @Test("past 16 fields, presence bits move out of the header exactly as in the dynamic layout")
    func wideLayout() throws {
        let space = ObjectSpace()
        let types: KeyValuePairs<String, SlotType> = [
            "f0": .int, "f1": .bool, "f2": .int, "f3": .int32, "f4": .int, "f5": .double, "f6": .int,
            "f7": .uint8, "f8": .int, "f9": .int, "f10": .string, "f11": .int, "f12": .int, "f13": .int,
            "f14": .float, "f15": .int, "f16": .int, "f17": .bool, "f18": .string, "f19": .int32,
        ]
        let dynamic = try space.defineClass("Wide", slots: types)
        let dynamicChild = try space.defineClass("WideChild", base: dynamic, slots: ["extra": .int, "tag": .bool])
        #expect(sameLayout(try Wide.slotClass(in: space), dynamic))
        #expect(sameLayout(try WideChild.slotClass(in: space), dynamicChild))

        let w = try Wide(in: space)
        #expect(w.f16 == nil && w.f18 == nil && w.f19 == 19 && w.f17)
        w.f16 = 16
        w.f18 = "eighteen"
        #expect(w.f16 == 16 && w.f18 == "eighteen")
        #expect(try w.instance.get("f16") == 16)
        w.f16 = nil
        #expect(w.f16 == nil && !w.instance.has("f16"))

        let c = try WideChild(in: space, base: Wide.Fields(f2: -2), extra: 99)
        #expect(c.extra == 99 && c.tag == nil && c.base.f2 == -2 && c.base.f10 == "ten")
        c.tag = true
        #expect(c.tag == true && c.instance.has("tag"))
    }

    @Test("the class is registered once per space, on first use, and each space gets its own")
    func registrationPerSpace() throws {
        let a = ObjectSpace(), b = ObjectSpace()
        #expect(a.classes.isEmpty)
        let e1 = try Event(in: a, ts: 1, kind: "k", source: 0)
        let e2 = try Event(in: a, ts: 2, kind: "k", source: 0)
        #expect(a.classes.map(\.name) == ["Event"])
        let e3 = try Event(in: b, ts: 3, kind: "k", source: 0)
        #expect(e1.instance.type == e2.instance.type)
        #expect(e1.instance.type != e3.instance.type)
        #expect(try Event.slotClass(in: a) == e1.instance.type)
        #expect(b.classes.map(\.name) == ["Event"])
        // Alternating spaces keeps finding the right class.
        for i in 0..<10 {
            let s = i.isMultiple(of: 2) ? a : b
            let e = try Event(in: s, ts: i, kind: "k", source: 0)
            #expect(e.instance.type == (try Event.slotClass(in: s)))
        }
    }

    @Test("a derived class registers its base in the same space first")
    func derivedRegistersBase() throws {
        let space = ObjectSpace()
        _ = try Click(in: space, base: Event.Fields(ts: 1, kind: "k", source: 2), x: 1, y: 2)
        #expect(space.classes.map(\.name) == ["Event", "Click"])
    }

    @Test("a space destroyed and a new one made (maybe at the same address) registers the class again")
    func spaceReuse() throws {
        for i in 0..<20 {
            let space = ObjectSpace()
            let e = try Event(in: space, ts: i, kind: "k", source: 0)
            #expect(e.ts == i)
            #expect(space.classes.count == 1)
        }
    }

    @Test("instances are ordinary slotted instances: by-name access, sizeof, memory stats, free, weak refs")
    func dynamicAPI() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        e.value += 1.5
        #expect(try e.instance.get("ts") == 1)
        #expect(try e.instance.get("kind") == "click")
        #expect(try e.instance.get("value") == 1.5)
        #expect(try e.instance.get("source") == 7)
        try e.instance.set("ts", 5)
        #expect(e.ts == 5)
        #expect(throws: AttributeError("'Event' object has no attribute 'z'")) { try e.instance.set("z", 1) }
        #expect(space.sizeof(e.instance) == 40)
        #expect(space.memory.liveInstances == 1)
        #expect(space.memory.stats.instanceBytes == 40)
        let weak = space.weakRef(e.instance)
        #expect(weak.instance == e.instance)
        space.free(e.instance)
        #expect(weak.instance == nil)
        #expect(space.memory.liveInstances == 0)
        #expect(e.instance.isInstance(of: try Event.slotClass(in: space)) == false)
    }

    @Test("init(_:) views an instance the dynamic API made, and refuses one of another class")
    func viewOfDynamicInstance() throws {
        let space = ObjectSpace()
        let cls = try Event.slotClass(in: space)
        let made = try cls(ts: 4, kind: "dyn", value: 0.5, source: 9)
        let e = try Event(made)
        #expect(e.ts == 4 && e.kind == "dyn" && e.value == 0.5 && e.source == 9)
        let other = try dynamicEvent(space)
        #expect(throws: TypeError("'Event' object is not an instance of @SlotClass 'Event'")) {
            try Event(other(ts: 1, kind: "x", value: 0.0, source: 1))
        }
        let partial = try cls(ts: 1, kind: "x")
        #expect(throws: AttributeError("'Event' object has no attribute 'source'")) { try Event(partial) }
        // A subclass instance is an Event too.
        let click = try Click(in: space, base: .init(ts: 8, kind: "c", source: 1), x: 3, y: 4)
        #expect(try Event(click.instance).ts == 8)
        #expect(throws: TypeError.self) { try Click(made) }
    }

    @Test("optional fields cost no slot of their own: nil is an unset slot")
    func optionalIsUnset() throws {
        let space = ObjectSpace()
        let n = try Node(in: space, value: 1)
        #expect(n.next == nil && !n.instance.has("next"))
        let m = try Node(in: space, value: 2, next: n)
        #expect(m.next?.value == 1 && m.instance.has("next"))
        #expect(try m.instance.get("next") == .instance(n.instance))
        m.next = nil
        #expect(m.next == nil && !m.instance.has("next"))
        #expect(try Node.slotClass(in: space).instanceSize == 24)
    }

    @Test("every field type reads back what was stored, through the view and by name")
    func allTypesRoundTrip() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "k", source: 1)
        let other = try Event(in: space, ts: 2, kind: "a much longer kind of event", source: 2)
        let t = try AllTypes(in: space, flag: true, byte: 255, small: -7, ratio: 0.5, count: 1 << 40,
                             mean: 2.25, name: "a string longer than seven bytes", any: "untyped",
                             handle: other.instance, event: e)
        #expect(t.flag && t.byte == 255 && t.small == -7 && t.ratio == 0.5 && t.count == 1 << 40)
        #expect(t.mean == 2.25 && t.name == "a string longer than seven bytes" && t.any == "untyped")
        #expect(t.handle == other.instance && t.event == e && t.event.instance == e.instance)
        #expect(t.maybeInt == nil && t.maybeName == nil && t.maybeEvent == nil && t.maybeAny == nil)
        t.maybeInt = 3
        t.maybeName = "x"
        t.maybeEvent = other
        t.maybeAny = Value.none
        #expect(t.maybeInt == 3 && t.maybeName == "x" && t.maybeEvent?.ts == 2 && t.maybeAny == Value.none)
        #expect(try t.instance.get("maybeAny") == Value.none)
        t.name = "short"
        t.any = 42
        t.flag = false
        t.event = other
        #expect(t.name == "short" && t.any == 42 && !t.flag && t.event.ts == 2)
        #expect(try t.instance.get("ratio") == 0.5)
        #expect(try t.instance.get("small") == -7)
        t.maybeName = nil
        #expect(!t.instance.has("maybeName"))
        // Strings released on the way: only `other.kind` still needs a block.
        #expect(space.memory.stats.liveBlocks == 1)
    }

    @Test("a reference to an instance of another space is refused and nothing stays allocated")
    func foreignReference() throws {
        let a = ObjectSpace(), b = ObjectSpace()
        let foreign = try Event(in: b, ts: 1, kind: "k", source: 1)
        let before = a.memory.liveInstances
        #expect(throws: ValueError.self) { try Node(in: a, value: 1, next: Node(in: b, value: 0)) }
        #expect(throws: ValueError.self) {
            try AllTypes(in: a, flag: true, byte: 1, small: 1, ratio: 1, count: 1, mean: 1, name: "n",
                         any: .none, handle: foreign.instance, event: foreign)
        }
        #expect(a.memory.liveInstances == before)
    }

    @Test("a stale view traps on use, as a stale handle does")
    func staleViewTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let e = try Event(in: space, ts: 1, kind: "k", source: 1)
            space.free(e.instance)
            _ = e.ts
        }
        #expect(stderrText(result).contains("field 'ts' used through a stale handle"))
    }

    @Test("control: the same read of a live view exits normally")
    func liveViewDoesNotTrap() async {
        await #expect(processExitsWith: .success) {
            let space = ObjectSpace()
            let e = try Event(in: space, ts: 1, kind: "k", source: 1)
            precondition(e.ts == 1)
            withExtendedLifetime(space) {}
        }
    }

    @Test("a field deleted through the dynamic API traps on a view read with AttributeError's message")
    func deletedFieldTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let e = try Event(in: space, ts: 1, kind: "k", source: 1)
            try e.instance.delete("ts")
            _ = e.ts
        }
        #expect(stderrText(result).contains("AttributeError: 'Event' object has no attribute 'ts'"))
    }

    @Test("statics, computed properties and methods stay ordinary members")
    func nonSlotMembers() throws {
        let space = ObjectSpace()
        let s = try Settings(in: space)
        #expect(try Settings.slotClass(in: space).allSlots == ["width", "height", "title"])
        #expect(Settings.version == 3)
        #expect(s.area == 80 * 24 && s.scaled(2) == 2 * 80 * 24)
        s.width = 100
        #expect(s.area == 2400)
        #expect(s.title == "untitled")
    }

    @Test("a public @SlotClass type works the same (its accessors are inlinable)")
    func publicType() throws {
        let space = ObjectSpace()
        let p = try PublicPoint(in: space, x: 1, y: 2)
        p.x += p.y
        #expect(p.x == 3 && p.description == "PublicPoint(x=3.0, y=2.0)")
    }
}

@Suite("@SlotClass: let fields are read-only")
struct SlotClassReadOnlyTests {
    @Test("a let field cannot be set by name: AttributeError naming it")
    func setThrows() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        #expect(throws: AttributeError("'Event' object attribute 'source' is read-only")) {
            try e.instance.set("source", 1)
        }
        #expect(try e.source == 7 && e.instance.get("source") == 7)
    }

    @Test("a let field cannot be deleted by name either")
    func deleteThrows() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        #expect(throws: AttributeError("'Event' object attribute 'source' is read-only")) {
            try e.instance.delete("source")
        }
        #expect(try e.instance.get("source") == 7)
    }

    @Test("an attribute site refuses to set a let field, on its first use and once cached")
    func siteSetThrows() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        let source = AttributeSite("source"), ts = AttributeSite("ts")
        for round in 0..<3 {
            #expect(throws: AttributeError("'Event' object attribute 'source' is read-only")) {
                try source.set(e.instance, .int(round))
            }
            try ts.set(e.instance, .int(round))
        }
        #expect(try e.source == 7 && source.get(e.instance) == 7)
        #expect(try e.ts == 2 && ts.get(e.instance) == 2)
    }

    @Test("a subclass inherits the read-only slot")
    func inherited() throws {
        let space = ObjectSpace()
        let c = try Click(in: space, base: .init(ts: 1, kind: "k", source: 3), x: 1, y: 1)
        #expect(throws: AttributeError("'Click' object attribute 'source' is read-only")) {
            try c.instance.set("source", 4)
        }
        try c.instance.set("ts", 4)
        #expect(c.base.ts == 4)
    }

    @Test("construction through the dynamic class may still fill the read-only slot")
    func dynamicConstruction() throws {
        let space = ObjectSpace()
        let cls = try Event.slotClass(in: space)
        let i = try cls(ts: 1, kind: "k", value: 0.0, source: 5)
        #expect(try i.get("source") == 5)
        #expect(throws: AttributeError.self) { try i.set("source", 6) }
    }

    @Test("a typed accessor of a read-only slot reads, and traps on a write")
    func accessorWriteTraps() async throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        let source = try Event.slotClass(in: space).slot("source", as: Int.self)
        #expect(e.instance[source] == 7)
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let e = try Event(in: space, ts: 1, kind: "click", source: 7)
            let source = try Event.slotClass(in: space).slot("source", as: Int.self)
            e.instance[source] = 8
        }
        #expect(stderrText(result).contains("AttributeError: 'Event' object attribute 'source' is read-only"))
    }

    @Test("the view keeps the let field; replacing(...) is how a frozen field changes")
    func replacingLet() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        let f = try e.replacing(source: 8)
        #expect(f.source == 8 && e.source == 7 && f.instance != e.instance)
    }
}

@Suite("@SlotClass: generated conformances round-trip")
struct SlotClassConformanceTests {
    @Test("description is the dataclass repr")
    func description() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        e.value += 1.5
        #expect(e.description == "Event(ts=1, kind='click', value=1.5, source=7)")
        #expect("\(e)" == "Event(ts=1, kind='click', value=1.5, source=7)")
        let c = try Click(in: space, base: .init(ts: 2, kind: "c", source: 1), x: 3, y: -4)
        #expect(c.description == "Click(ts=2, kind='c', value=0.0, source=1, x=3, y=-4, button=1, label=None)")
        let n = try Node(in: space, value: 1, next: Node(in: space, value: 2))
        #expect(n.description == "Node(value=1, next=Node(value=2, next=None))")
        let t = try AllTypes(in: space, flag: true, byte: 2, small: 3, ratio: 0.25, count: 4, mean: 5,
                             name: "it's", any: .bool(false), handle: e.instance, event: e)
        #expect(t.description.hasPrefix("AllTypes(flag=True, byte=2, small=3, ratio=0.25, count=4, mean=5.0, name=\"it's\", any=False, handle=<Event object at 0x"))
        #expect(t.description.hasSuffix(", event=Event(ts=1, kind='click', value=1.5, source=7), maybeInt=None, maybeName=None, maybeEvent=None, maybeAny=None)"))
    }

    @Test("Equatable and Hashable compare field values, not identity")
    func equatableHashable() throws {
        let space = ObjectSpace()
        let a = try Event(in: space, ts: 1, kind: "click", source: 7)
        let b = try Event(in: space, ts: 1, kind: "click", source: 7)
        let c = try Event(in: space, ts: 2, kind: "click", source: 7)
        #expect(a == b && a.instance != b.instance)
        #expect(a != c)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b, c]).count == 2)
        b.value = 0.5
        #expect(a != b)
        // The same Swift type registered in two spaces compares by value too.
        let other = ObjectSpace()
        #expect(try Event(in: other, ts: 1, kind: "click", source: 7) == a)
        // Identity first, as Python's tuple comparison: a NaN field still equals itself.
        let nan = try Event(in: space, ts: 1, kind: "k", value: .nan, source: 1)
        #expect(nan == nan)
        // Derived classes compare their base fields as well.
        let c1 = try Click(in: space, base: .init(ts: 1, kind: "k", source: 1), x: 1, y: 2)
        let c2 = try Click(in: space, base: .init(ts: 1, kind: "k", source: 1), x: 1, y: 2)
        let c3 = try Click(in: space, base: .init(ts: 9, kind: "k", source: 1), x: 1, y: 2)
        #expect(c1 == c2 && c1 != c3 && c1.hashValue == c2.hashValue)
        // An Event view of a Click is not equal to a plain Event with the same values.
        let plain = try Event(in: space, ts: 1, kind: "k", source: 1)
        #expect(try Event(c1.instance) != plain)
    }

    @Test("copy() makes a new instance with the same values, independent of the original")
    func copy() throws {
        let space = ObjectSpace()
        let n = try Node(in: space, value: 1)
        let e = try Event(in: space, ts: 1, kind: "a kind longer than seven", source: 7)
        let t = try AllTypes(in: space, flag: true, byte: 1, small: 2, ratio: 3, count: 4, mean: 5,
                             name: "long enough to need a block", any: "another long untyped string",
                             handle: n.instance, event: e, maybeName: "x")
        let blocks = space.memory.stats.liveBlocks
        let u = try t.copy()
        #expect(u == t && u.instance != t.instance)
        #expect(u.event.instance == e.instance)  // shallow: references are shared
        #expect(space.memory.stats.liveBlocks == blocks + 2)  // strings are not
        u.name = "changed"
        #expect(t.name == "long enough to need a block")
        let c = try Click(in: space, base: .init(ts: 1, kind: "k", source: 1), x: 1, y: 2, label: "l")
        let d = try c.copy()
        #expect(d == c && d.instance.type == c.instance.type && d.label == "l" && d.base.source == 1)
        space.free(u.instance)
        #expect(space.memory.stats.liveBlocks == blocks)
    }

    @Test("replacing(...) and replacing(_:) build a new instance with some fields changed")
    func replacing() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", source: 7)
        let f = try e.replacing(kind: "key", value: 2)
        #expect(f.ts == 1 && f.kind == "key" && f.value == 2 && f.source == 7)
        #expect(e.kind == "click" && e.value == 0)
        let g = try e.replacing { $0.ts += 10; $0.source = 0 }
        #expect(g.ts == 11 && g.source == 0)
        let c = try Click(in: space, base: .init(ts: 1, kind: "k", source: 1), x: 1, y: 2, label: "l")
        let d = try c.replacing(x: 5)
        #expect(d.x == 5 && d.y == 2 && d.base.ts == 1 && d.label == "l")
        let noLabel = try c.replacing(label: .some(nil))
        #expect(noLabel.label == nil)
        let moved = try c.replacing { $0.base.ts = 42; $0.label = nil }
        #expect(moved.base.ts == 42 && moved.label == nil)
    }

    @Test("Codable encodes one keyed container and decodes into the space in userInfo")
    func codable() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "click", value: 1.5, source: 7)
        let data = try JSONEncoder().encode(e)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?.keys.sorted() == ["kind", "source", "ts", "value"])
        let decoder = JSONDecoder()
        decoder.userInfo[.slottedSpace] = space
        let back = try decoder.decode(Event.self, from: data)
        #expect(back == e && back.instance != e.instance)

        // Derived: base fields in the same container.
        let c = try Click(in: space, base: .init(ts: 2, kind: "c", source: 3), x: 4, y: 5, label: "l")
        let cData = try JSONEncoder().encode(c)
        let cObject = try JSONSerialization.jsonObject(with: cData) as? [String: Any]
        #expect(cObject?.keys.sorted() == ["button", "kind", "label", "source", "ts", "value", "x", "y"])
        #expect(try decoder.decode(Click.self, from: cData) == c)

        // Every field type, references and untyped values included.
        let n = try Node(in: space, value: 1, next: Node(in: space, value: 2))
        #expect(try decoder.decode(Node.self, from: JSONEncoder().encode(n)) == n)
        let w = try Wide(in: space)
        w.f16 = 16
        #expect(try decoder.decode(Wide.self, from: JSONEncoder().encode(w)) == w)

        // Missing keys take the defaults; missing optionals are nil.
        let sparse = try decoder.decode(Event.self, from: Data(#"{"ts": 3, "kind": "k", "source": 1}"#.utf8))
        #expect(sparse.value == 0 && sparse.ts == 3)
        let settings = try decoder.decode(Settings.self, from: Data(#"{"title": "t"}"#.utf8))
        #expect(settings.width == 80 && settings.title == "t")
    }

    @Test("untyped Value fields encode as JSON scalars; an instance reference cannot be encoded")
    func codableValues() throws {
        let space = ObjectSpace()
        let e = try Event(in: space, ts: 1, kind: "k", source: 1)
        let decoder = JSONDecoder()
        decoder.userInfo[.slottedSpace] = space
        for v: Value in [.int(3), .double(2.5), .bool(true), .string("a longer string value")] {
            let u = try Untyped(in: space, v: v, w: v)
            let back = try decoder.decode(Untyped.self, from: JSONEncoder().encode(u))
            #expect(back == u && back.v == v && back.w == v)
        }
        let none = try Untyped(in: space, v: .none)
        let sorted = JSONEncoder()
        sorted.outputFormatting = .sortedKeys
        let json = try sorted.encode(none)
        #expect(String(decoding: json, as: UTF8.self) == #"{"label":"u","v":null}"#)
        #expect(try decoder.decode(Untyped.self, from: json) == none)
        let ref = try Untyped(in: space, v: .instance(e.instance))
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(ref) }
        // A type with a raw Instance field is not Codable at all.
        #expect(!((AllTypes.self as Any.Type) is any Encodable.Type))
    }

    @Test("decoding without a space in userInfo throws a DecodingError that says what is missing")
    func decodingNeedsSpace() throws {
        let space = ObjectSpace()
        let data = try JSONEncoder().encode(try Event(in: space, ts: 1, kind: "k", source: 1))
        #expect {
            try JSONDecoder().decode(Event.self, from: data)
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.contains("userInfo[.slottedSpace]")
        }
    }

    @Test("each conformance can be opted out of")
    func optOut() throws {
        let space = ObjectSpace()
        let b = try Bare(in: space, n: 1)
        #expect(!((b as Any) is any CustomStringConvertible))
        #expect(!((b as Any) is any Equatable))
        #expect(!((b as Any) is any Hashable))
        #expect(!((b as Any) is any Encodable))
        #expect(!((b as Any) is any Decodable))
        #expect((b as Any) is any SlotClassView)
        let e = try Event(in: space, ts: 1, kind: "k", source: 1)
        #expect((e as Any) is any CustomStringConvertible)
        #expect((e as Any) is any Hashable)
        #expect((e as Any) is any Codable)
    }

    @Test("fields and init(in:fields:) round-trip")
    func fieldsRoundTrip() throws {
        let space = ObjectSpace()
        let c = try Click(in: space, base: .init(ts: 1, kind: "k", value: 2, source: 3), x: 4, y: 5)
        let f = c.fields
        #expect(f == Click.Fields(base: .init(ts: 1, kind: "k", value: 2, source: 3), x: 4, y: 5))
        #expect(try Click(in: space, fields: f) == c)
    }
}

@Suite("@SlotClass: threads")
struct SlotClassThreadTests {
    @Test("first use from several threads at once registers the class once per space")
    func concurrentFirstUse() async throws {
        for _ in 0..<5 {
            let space = ObjectSpace()
            let classes = try await withThrowingTaskGroup(of: SlotClass.self) { group in
                for t in 0..<4 {
                    group.addTask {
                        let c = try Click(in: space, base: .init(ts: t, kind: "k", source: t), x: 1, y: 2)
                        return c.instance.type
                    }
                }
                var out: [SlotClass] = []
                for try await c in group { out.append(c) }
                return out
            }
            #expect(Set(classes).count == 1)
            #expect(space.classes.map(\.name) == ["Event", "Click"])
        }
    }
}
