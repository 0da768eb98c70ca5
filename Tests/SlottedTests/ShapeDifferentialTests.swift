import Slotted
import Testing

/// SplitMix64: a small generator with a fixed seed, so every run draws the same sequences.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An insertion-ordered dictionary: what `vars()` of a CPython instance holds.
struct OrderedModel {
    private(set) var keys: [String] = []
    private(set) var values: [String: Value] = [:]

    mutating func set(_ name: String, _ value: Value) {
        if values[name] == nil { keys.append(name) }
        values[name] = value
    }

    mutating func delete(_ name: String) -> Bool {
        guard values.removeValue(forKey: name) != nil else { return false }
        keys.removeAll { $0 == name }
        return true
    }
}

@Suite("Dict instances with shapes: the same answers as a hash table and as a model", .serialized)
struct ShapeDifferentialTests {
    /// Names of every form: short, long (past Swift's small form), non-ASCII. (Names that
    /// differ only by Unicode form are left out: the model, a Swift dictionary, would take
    /// them for one; NameLookupTests covers them.)
    static let names = ["x", "y", "z", "ts", "kind", "value", "a_rather_long_attribute_name", "naïve",
                        "caf\u{E9}", "w", "v", "another_long_attribute_name_here"]

    static func randomValue(_ g: inout SeededGenerator) -> Value {
        switch g.next() % 6 {
        case 0: return .int(Int(truncatingIfNeeded: g.next()))
        case 1: return .double(Double(g.next() % 1000) / 8)
        case 2: return .string("s\(g.next() % 100)")
        case 3: return .string("a string long enough for a block of its own #\(g.next() % 100)")
        case 4: return .bool(g.next() % 2 == 0)
        default: return .none
        }
    }

    /// Runs one random operation on the three subjects and checks they agree afterwards.
    /// A value of the one kind `name` keeps in ``stableKinds()``: an int, a double, a short
    /// or a long string, by the name's place in ``names``.
    static func stableValue(_ g: inout SeededGenerator, _ name: String) -> Value {
        switch names.firstIndex(of: name)! % 4 {
        case 0: return .int(Int(truncatingIfNeeded: g.next()))
        case 1: return .double(Double(g.next() % 1000) / 8)
        case 2: return .string("s\(g.next() % 100)")
        default: return .string("a string long enough for a block of its own #\(g.next() % 100)")
        }
    }

    static func step(_ g: inout SeededGenerator, _ shaped: Instance, _ table: Instance, _ model: inout OrderedModel,
                     names: [String], sites: [String: AttributeSite]? = nil,
                     value: (inout SeededGenerator, String) -> Value = { g, _ in randomValue(&g) }, deletes: Bool = true) throws
    {
        let name = names[Int(g.next() % UInt64(names.count))]
        var op = g.next() % 10
        if !deletes, op == 5 || op == 6 { op = 0 }  // a set instead
        switch op {
        case 0...4:
            let v = value(&g, name)
            try shaped.set(name, v)
            try table.set(name, v)
            model.set(name, v)
        case 5, 6:
            let expected = model.delete(name)
            for subject in [shaped, table] {
                if expected {
                    try subject.delete(name)
                } else {
                    #expect(throws: AttributeError.self) { try subject.delete(name) }
                }
            }
        case 7:
            #expect(shaped.has(name) == (model.values[name] != nil))
            #expect(table.has(name) == (model.values[name] != nil))
        default:
            #expect(try shaped.get(name, default: "missing") == model.values[name] ?? "missing")
        }
        for subject in [shaped, table] {
            let vars = try subject.vars()
            #expect(vars.count == model.values.count)
            for key in model.keys { #expect(try subject.get(key) == model.values[key]) }
        }
        #expect(table._isInDictionaryMode)
        if let sites {
            // The header names the shape exactly while the values are inline, and sites that
            // cached other shapes of the class read what a by-name read does.
            #expect(shaped._headerShapeTag == (try Self.inlineShapeNumber(shaped)))
            #expect(table._headerShapeTag == 0)
            for subject in [shaped, table] {
                #expect(try sites[name]!.getIfPresent(subject) == subject.getIfPresent(name))
            }
        }
    }

    /// The number of the instance's shape when its values are inline (the description says
    /// `D shape 2: x at 16, y at 32, inline 2 of 2`), else 0.
    static func inlineShapeNumber(_ d: Instance) throws -> Int {
        let text = try d.shapeDescription()
        guard !text.contains("in a block"), let r = text.range(of: " shape ") else { return 0 }
        return Int(text[r.upperBound...].prefix { $0.isNumber })!
    }

    @Test("4,000 random sequences of set, get, delete, has and vars() agree on a shaped instance, a hash-table instance and a model, and so do attribute sites and the shape the header names")
    func differential() throws {
        var g = SeededGenerator(seed: 0x5107_7ED5)
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let base = try space.defineClass("Base", slots: ["slot"])
        let sub = try space.defineClass("Sub", bases: [base])
        let start = space.memory.allocatedBytes
        var kept: [Instance] = []
        // One site per name, shared by every sequence: each caches the shape it met first.
        let sites = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, AttributeSite($0)) })
        for sequence in 0..<4_000 {
            let cls = sequence % 3 == 2 ? sub : D
            let shaped = try cls()
            let table = try cls()
            try table._forceDictionaryMode()
            var model = OrderedModel()
            let steps = 5 + Int(g.next() % 40)
            for _ in 0..<steps { try Self.step(&g, shaped, table, &model, names: Self.names, sites: sites) }
            // A sequence that deleted only last-added names never left its shape.
            #expect(try shaped.vars() == model.values)
            if sequence % 4 == 0 { kept.append(contentsOf: [shaped, table]) } else {
                space.free(shaped)
                space.free(table)
            }
        }
        for i in kept { space.free(i) }
        #expect(space.memory.allocatedBytes == start)
        #expect(space.memory.stats.internedNames == 0)
        space._checkInvariants()
    }

    @Test("random sequences whose names each keep one kind of value (kept raw: ints, doubles, strings) agree, with deletes last")
    func stableKinds() throws {
        var g = SeededGenerator(seed: 0xD0B1_E5)
        let space = ObjectSpace()
        var D = try space.defineClass("D")
        let sites = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, AttributeSite($0)) })
        var rawSeen = 0
        for sequence in 0..<1_000 {
            // A new class every 50 sequences: random orders of 12 names would pass a class's
            // limit of 1,024 shapes, past which instances go to dictionary mode.
            if sequence % 50 == 49 { D = try space.defineClass("D\(sequence)") }
            let shaped = try D()
            let table = try D()
            try table._forceDictionaryMode()
            var model = OrderedModel()
            for _ in 0..<(5 + Int(g.next() % 30)) {
                try Self.step(&g, shaped, table, &model, names: Self.names, sites: sites, value: Self.stableValue, deletes: false)
            }
            let text = try shaped.shapeDescription()
            if text.contains("(double)") || text.contains("(int)") || text.contains("(string)") { rawSeen += 1 }
            #expect(!shaped._isInDictionaryMode, "\(text)")
            // Then deletes too: a raw value's delete leaves the shapes.
            for _ in 0..<10 { try Self.step(&g, shaped, table, &model, names: Self.names, sites: sites, value: Self.stableValue) }
            #expect(try shaped.vars() == model.values)
            space.free(shaped)
            space.free(table)
        }
        #expect(rawSeen > 900)
        #expect(space.memory.allocatedBytes == 0)
        space._checkInvariants()
    }

    @Test("random sequences over 80 names cross the 64-attribute limit and still agree")
    func manyNames() throws {
        var g = SeededGenerator(seed: 42)
        let names = (0..<80).map { "n\($0)" }
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        for _ in 0..<40 {
            let shaped = try D()
            let table = try D()
            try table._forceDictionaryMode()
            var model = OrderedModel()
            // Mostly sets, so the dictionaries grow past the limit.
            for _ in 0..<300 {
                let name = names[Int(g.next() % 80)]
                if g.next() % 8 == 0 {
                    let expected = model.delete(name)
                    if expected { try shaped.delete(name); try table.delete(name) }
                } else {
                    let v = Self.randomValue(&g)
                    try shaped.set(name, v); try table.set(name, v); model.set(name, v)
                }
            }
            #expect(try shaped.vars() == model.values)
            #expect(try table.vars() == model.values)
            space.free(shaped)
            space.free(table)
        }
        #expect(space.memory.allocatedBytes == 0)
    }
}
