#if DEBUG
import Slotted
import Testing

/// Readers of a dictionary value by name, paused (a debug-build hook) where a racing writer
/// matters, while the test makes the dictionary come back to what the reader first saw with
/// another name's value in the place it read. The read must never return that value.
@Suite("A by-name read of a dict instance never returns another name's value, even when the dictionary comes back to what the reader first saw", .serialized)
struct DictReadRaceTests {
    /// Runs the writes a pause makes, recording (not throwing) what they throw: the pause
    /// runs inside the library's read.
    private static func writing(_ writes: () throws -> Void) {
        do {
            try writes()
        } catch {
            Issue.record("a write inside the paused read threw: \(error)")
        }
    }

    /// Runs `read` with `pause` called at each point of reads of `instance`'s dictionary.
    private static func paused<R>(
        _ instance: Instance, _ pause: @escaping (_DictReadPause.Point, _ fast: Bool) -> Bool, _ read: () throws -> R
    ) rethrows -> R {
        _DictReadPause.hook = pause
        _DictReadPause.target.store(UInt(bitPattern: instance._cellAddress), ordering: .releasing)
        defer { _DictReadPause.target.store(0, ordering: .releasing) }
        return try read()
    }

    @Test("values inline: the dictionary word comes back to the same word, count included, after another name took the position")
    func inlineWordComesBack() throws {
        for fastGivesUp in [false, true] {
            var wordCameBack = false
            for pad in 0..<130 {
                let space = ObjectSpace()
                let D = try space.defineClass("D")
                // Booleans and None are kept untyped: a delete of the last-added name keeps
                // the shapes, so n's position can take another name.
                let d = try D(a: true, n: true)
                var before: UInt64 = 0, stage = 0
                let got = try Self.paused(d, { point, fast in
                    if fast && fastGivesUp { return true }
                    Self.writing {
                        switch (point, stage) {
                        case (.beforeValue, 0):
                            // n's position now holds m's value, under another shape.
                            before = d._dictionaryWord
                            try d.delete("n")
                            try d.set("m", .none)
                            for _ in 0..<pad {
                                try d.delete("m")
                                try d.set("m", .none)
                            }
                            stage = 1
                        case (.beforeRecheck, 1):
                            // Back to the first shape: n stored again at its position.
                            try d.delete("m")
                            try d.set("n", false)
                            if d._dictionaryWord == before { wordCameBack = true }
                            stage = 2
                        default:
                            break
                        }
                    }
                    return false
                }) { try d.get("n") }
                #expect(stage == 2)
                #expect(got == .bool(false), "pad \(pad), fast path \(fastGivesUp ? "gave up" : "tried"): got \(got)")
                #expect(try d.get("n") == .bool(false))
            }
            // The case the read order exists for was reached: the same word, count included.
            #expect(wordCameBack)
        }
    }

    @Test("values in a block: the block's shape comes back after another name took the position")
    func blockShapeComesBack() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let d = try D()
        for i in 0..<8 { try d.set("v\(i)", .bool(i % 2 == 0)) }
        try d.set("n", true)
        #expect(try d.shapeDescription().contains("in a block of"))
        var stage = 0
        let got = try Self.paused(d, { point, _ in
            Self.writing {
                switch (point, stage) {
                case (.beforeValue, 0):
                    try d.delete("n")
                    try d.set("m", .none)
                    stage = 1
                case (.beforeRecheck, 1):
                    try d.delete("m")
                    try d.set("n", false)
                    stage = 2
                default:
                    break
                }
            }
            return false
        }) { try d.get("n") }
        #expect(stage == 2)
        #expect(try d.shapeDescription().contains("in a block of"))
        #expect(got == .bool(false), "got \(got)")
    }

    @Test("a raw number's reader paused while the name is deleted and set again reads the name's value")
    func rawValueDeletedAndSetAgain() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        let d = try D(a: 0.5, n: 1.0)
        #expect(try d.shapeDescription().contains("n at 24 (double)"))
        var stage = 0
        let got = try Self.paused(d, { point, _ in
            if point == .beforeValue, stage == 0 {
                Self.writing {
                    // A raw value's delete leaves the shapes: its place never takes another name.
                    try d.delete("n")
                    try d.set("m", -2.0)
                    try d.set("n", 3.0)
                }
                stage = 1
            }
            return false
        }) { try d.get("n") }
        #expect(stage == 1)
        #expect(d._isInDictionaryMode)
        #expect(got == .double(3.0), "got \(got)")
    }

    @Test("dictionary mode: another name takes the entry of the name the reader found, with an id of its own or with the name's id once the name was released",
          arguments: [true, false])
    func tableEntryReused(nameStaysInterned: Bool) throws {
        let space = ObjectSpace()
        let D = try space.defineClass("D")
        // The third name grows the table to 8 entries, so that adding one more after a
        // delete reuses an entry rather than growing it again.
        func table() throws -> Instance {
            let t = try D(a: 0.5, n: 1.0)
            try t._forceDictionaryMode()
            try t.set("b", .int(2))
            return t
        }
        let other: String
        if nameStaysInterned {
            // Another instance keeps n interned, so n's id stays n's. A name whose entry is
            // the one n leaves is found on scratch instances whose tables went through the
            // same steps (the entry depends on the interned id and the capacity only); they
            // stay alive (none is freed), so each candidate keeps its id.
            try D(n: 0.0)._forceDictionaryMode()
            var found: String? = nil
            for i in 0..<200 where found == nil {
                let scratch = try table()
                let e = try #require(scratch._tableEntry(of: "n"))
                try scratch.delete("n")
                try scratch.set("m\(i)", .double(-2.0))
                if scratch._tableEntry(of: "m\(i)") == e { found = "m\(i)" }
            }
            other = try #require(found)
        } else {
            // n's only use is d's entry: deleting it releases n, and a new name takes its
            // id, so its entry is the one n leaves.
            other = "fresh"
        }
        let d = try table()
        let e = try #require(d._tableEntry(of: "n"))
        var stage = 0
        let got = try Self.paused(d, { point, _ in
            if point == .beforeValue, stage == 0 {
                Self.writing {
                    try d.delete("n")
                    try d.set(other, .double(-2.0))
                }
                stage = 1
            }
            return false
        }) { try d.getIfPresent("n") }
        #expect(stage == 1)
        #expect(d._tableEntry(of: other) == e)
        #expect(got == nil, "got \(String(describing: got))")
    }
}
#endif
