import Slotted
import Testing

@Suite("Dict instances: classes without slots")
struct DictInstanceTests {
    @Test("a dict instance accepts new attributes and vars() returns them")
    func acceptsNewAttributes() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D()
        try d.set("a", 1)
        try d.set("b", "two")
        #expect(try d.vars() == ["a": 1, "b": "two"])
    }

    @Test("keyword construction of a dict class stores each keyword in the instance dict")
    func keywordsIntoDict() throws {
        let PointDict = try ObjectSpace().defineClass("PointDict")
        let p = try PointDict(x: 1.0, y: 2.0)
        #expect(try p.vars() == ["x": 1.0, "y": 2.0])
        #expect(try p.get("x") == 1.0)
    }

    @Test("vars() of a fresh dict instance is empty")
    func freshVarsEmpty() throws {
        let D = try ObjectSpace().defineClass("D")
        #expect(try D().vars().isEmpty)
    }

    @Test("a dict instance reports hasDict")
    func hasDict() throws {
        let D = try ObjectSpace().defineClass("D")
        #expect(try D().hasDict)
    }

    @Test("has(\"__dict__\") is true on a dict instance, like hasattr(p, '__dict__')")
    func hasDunderDict() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(x: 1)
        #expect(d.has("__dict__"))
    }

    @Test("reading a missing attribute of a dict instance throws 'D' object has no attribute 'z'")
    func readMissing() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(x: 1)
        #expect(throws: AttributeError("'D' object has no attribute 'z'")) { try d.get("z") }
    }

    @Test("deleting a missing attribute of a dict instance throws 'D' object has no attribute 'z'")
    func deleteMissing() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(x: 1)
        #expect(throws: AttributeError("'D' object has no attribute 'z'")) { try d.delete("z") }
    }

    @Test("deleting from a dict instance that never had any attribute throws has-no-attribute")
    func deleteFromEmpty() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D()
        #expect(throws: AttributeError("'D' object has no attribute 'z'")) { try d.delete("z") }
    }

    @Test("deleting an attribute removes it from vars() and from reads")
    func deleteRemoves() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(x: 1, y: 2)
        try d.delete("x")
        #expect(try d.vars() == ["y": 2])
        #expect(!d.has("x"))
    }

    @Test("deleting a dict attribute twice throws has-no-attribute the second time")
    func deleteTwice() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(x: 1)
        try d.delete("x")
        #expect(throws: AttributeError("'D' object has no attribute 'x'")) { try d.delete("x") }
    }

    @Test("assigning an existing dict attribute replaces its value")
    func overwrite() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(x: 1)
        try d.set("x", "a string longer than seven bytes")
        #expect(try d.vars() == ["x": "a string longer than seven bytes"])
    }

    @Test("dict attributes are not shared across instances")
    func notShared() throws {
        let D = try ObjectSpace().defineClass("D")
        let a = try D(x: 1)
        let b = try D()
        #expect(!b.has("x"))
        #expect(try a.get("x") == 1)
    }

    @Test("a dict instance can hold None as a value, distinct from a missing attribute")
    func noneValue() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(x: nil)
        #expect(d.has("x"))
        #expect(try d.get("x") == Value.none)
    }

    @Test("positional arguments to a class without slots throw a TypeError")
    func positionalRefused() throws {
        let D = try ObjectSpace().defineClass("D")
        #expect(throws: TypeError.self) { try D(1, 2) }
    }

    @Test("the dict keeps every attribute through many sets, overwrites and deletes (matches a model)")
    func churn() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D()
        var model: [String: Value] = [:]
        for round in 0..<4 {
            for i in 0..<60 {
                let name = "a\(i)"
                let value: Value = i % 2 == 0 ? .int(i * round) : .string("value number \(i) in round \(round)")
                try d.set(name, value)
                model[name] = value
            }
            for i in stride(from: round, to: 60, by: 3) {
                try d.delete("a\(i)")
                model["a\(i)"] = nil
            }
            #expect(try d.vars() == model, "after round \(round)")
        }
        for (name, value) in model { #expect(try d.get(name) == value) }
    }

    @Test("attributeNames lists the dict's keys, sorted")
    func attributeNames() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(b: 1, a: 2)
        #expect(try d.attributeNames() == ["a", "b"])
    }

    @Test("a dict instance's description lists its attribute in dataclass style")
    func description() throws {
        let D = try ObjectSpace().defineClass("D")
        let d = try D(w: 9)
        #expect(d.description == "D(w=9)")
    }
}

@Suite("Interned attribute names: released with the last dict entry that uses them")
struct InternedNameTests {
    @Test("setting and deleting 100,000 distinct names returns the interned-name count to its start")
    func setAndDeleteReleases() throws {
        let space = ObjectSpace()
        let d = try space.defineClass("D")()
        let start = space.memory.stats.internedNames
        for i in 0..<100_000 {
            try d.set("name_\(i)", .int(i))
            try d.delete("name_\(i)")
        }
        #expect(space.memory.stats.internedNames == start)
    }

    @Test("reset() releases every interned name")
    func resetReleases() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let start = space.memory.stats
        for i in 0..<1_000 { try D().set("name_\(i)", .int(i)) }
        #expect(space.memory.stats.internedNames == start.internedNames + 1_000)
        space.reset()
        #expect(space.memory.stats.internedNames == start.internedNames)
        #expect(space.memory.stats.internedNameBytes == start.internedNameBytes)
    }

    @Test("freeing a dict instance releases the names only it used")
    func freeReleases() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let start = space.memory.stats.internedNames
        let d = try D(a: 1, b: 2, c: 3)
        #expect(space.memory.stats.internedNames == start + 3)
        space.free(d)
        #expect(space.memory.stats.internedNames == start)
    }

    @Test("a name stays interned while another instance still has it")
    func sharedNameStays() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let a = try D(shared: 1)
        let b = try D(shared: 2)
        let start = space.memory.stats.internedNames
        try a.delete("shared")
        #expect(space.memory.stats.internedNames == start)
        #expect(try b.get("shared") == 2)
        try a.set("shared", 3)
        #expect(try a.get("shared") == 3)
        #expect(try b.get("shared") == 2)
    }

    @Test("ids of released names are recycled: 100,000 set-delete pairs do not grow the name table")
    func idsRecycled() throws {
        let space = ObjectSpace()
        let d = try space.defineClass("D")(kept: 0)
        // Ids belong to hash-table entries: a shaped dictionary keeps names in its shape.
        try d._forceDictionaryMode()
        try d.set("name_first", 1)
        try d.delete("name_first")
        let bytes = space.memory.stats.internedNameBytes
        for i in 0..<100_000 {
            try d.set("name_\(i)", .int(i))
            try d.delete("name_\(i)")
        }
        #expect(space.memory.stats.internedNameBytes == bytes)
        #expect(try d.get("kept") == 0)
    }

    @Test("a failed set of a new name leaves no interned name behind")
    func failedSetReleases() throws {
        let space = ObjectSpace()
        let d = try space.defineClass("D")()
        let start = space.memory.stats.internedNames
        try #require(space._failNextAllocations(1), "the fail-next hook is compiled into debug builds")
        #expect(throws: MemoryError.self) { try d.set("name", 1) }
        #expect(space.memory.stats.internedNames == start)
    }

    @Test("a copy of a dict instance holds its own use of each name")
    func copyHoldsNames() throws {
        let space = ObjectSpace()
        let start = space.memory.stats.internedNames
        let a = try space.defineClass("D")(name: 1)
        let b = try a._slottedCopy()
        space.free(a)
        #expect(try b.get("name") == 1)
        space.free(b)
        #expect(space.memory.stats.internedNames == start)
    }

    @Test("dictionary-mode reads find every name, short and long, while hundreds of names are interned and released")
    func internedNamesComeAndGo() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let (a, b) = (try D(), try D())
        try a._forceDictionaryMode()
        try b._forceDictionaryMode()
        var model: [String: Int] = [:]
        var seed: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }
        let names = (0..<300).map { $0 % 3 == 0 ? "a_rather_long_name_\($0)" : "n\($0)" }
        for step in 0..<6_000 {
            let name = names[next(names.count)]
            if next(3) == 0, model[name] != nil {
                try a.delete(name)
                model[name] = nil
            } else {
                try a.set(name, .int(step))
                model[name] = step
            }
            // b keeps a few names interned on its own, so that releases by a reuse ids.
            if step % 97 == 0 { try b.set(names[next(names.count)], .int(step)) }
            let probe = names[next(names.count)]
            #expect(try a.getIfPresent(probe) == model[probe].map { .int($0) }, "\(probe) at step \(step)")
        }
        #expect(try a.vars() == model.mapValues { .int($0) })
        space.free(a)
        space.free(b)
        #expect(space.memory.stats.internedNames == 0)
    }
}
