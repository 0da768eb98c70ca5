import Dispatch
import Slotted
import Testing

/// `EventSlots` with typed slots in a space of its own.
private struct Events {
    let space = ObjectSpace()
    let E: SlotClass

    init() throws {
        E = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
    }
}

private func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite("Constructing from a collection or a buffer of values")
struct PositionalConstructionTests {
    @Test("positional values from an array fill the slots in declaration order")
    func arrayFillsInOrder() throws {
        let f = try Events()
        let values: [Value] = [1, "click", 1.5]
        let e = try f.E.construct(positional: values)
        #expect("\(e)" == "EventSlots(ts=1, kind='click', value=1.5)")
    }

    @Test("positional values from a buffer the caller owns fill the slots in order")
    func bufferFillsInOrder() throws {
        let f = try Events()
        let buffer = UnsafeMutableBufferPointer<Value>.allocate(capacity: 3)
        defer { buffer.deallocate() }
        _ = buffer.initialize(from: [7, "view", 2.5])
        defer { buffer.deinitialize() }
        let e = try f.E.construct(positional: UnsafeBufferPointer(buffer))
        #expect("\(e)" == "EventSlots(ts=7, kind='view', value=2.5)")
    }

    @Test("each value is stored as given: extreme numbers, and strings short and long, ASCII or not")
    func payloadsRoundTrip() throws {
        let f = try Events()
        let texts = ["", "a", "seven77", "eight888", "fifteen-chars15", "sixteen-chars-16", "héllo", "日本語のテキスト", String(repeating: "x", count: 100)]
        for (k, text) in texts.enumerated() {
            let ts = [Int.min, Int.max, -1, 0][k % 4]
            let value = [-0.0, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 1.5][k % 4]
            let e = try f.E.construct(positional: [.int(ts), .string(text), .double(value)])
            #expect(try e.get("ts") == .int(ts))
            #expect(try e.get("kind") == .string(text))
            guard case .double(let read) = try e.get("value") else { Issue.record("value is not a float"); continue }
            #expect(read.bitPattern == value.bitPattern)
        }
    }

    @Test("a slice and a collection without contiguous storage construct the same instance")
    func sliceAndLazyCollection() throws {
        let f = try Events()
        let values: [Value] = [0, 1, "click", 1.5]
        let fromSlice = try f.E.construct(positional: values[1...])
        let fromLazy = try f.E.construct(positional: (1...1).lazy.map { Value.int($0) })
        #expect("\(fromSlice)" == "EventSlots(ts=1, kind='click', value=1.5)")
        #expect(try fromLazy.get("ts") == 1)
        #expect(throws: TypeError.self) { try f.E.construct(positional: [Value.int(1), .int(2)].lazy.map { $0 }) }
    }

    @Test("fewer values than slots leave the remaining slots unset")
    func fewerValuesLeaveSlotsUnset() throws {
        let f = try Events()
        let e = try f.E.construct(positional: [Value.int(3)])
        #expect("\(e)" == "EventSlots(ts=3)")
        #expect(throws: AttributeError("'EventSlots' object has no attribute 'kind'")) { try e.get("kind") }
    }

    @Test("too many positional values throw CPython's message and leave liveInstances and allocatedBytes unchanged")
    func tooManyAllocatesNothing() throws {
        let f = try Events()
        let before = (f.space.memory.liveInstances, f.space.memory.allocatedBytes)
        #expect(throws: TypeError("EventSlots() takes at most 3 positional arguments (4 given)")) {
            try f.E.construct(positional: [1, "click", 1.5, 9] as [Value])
        }
        #expect(f.space.memory.liveInstances == before.0)
        #expect(f.space.memory.allocatedBytes == before.1)
    }

    @Test("the culprit of too many positional values is the first value without a slot")
    func tooManyCulprit() throws {
        let f = try Events()
        let error = #expect(throws: TypeError.self) { try f.E.construct(positional: [1, "click", 1.5, "extra", 9] as [Value]) }
        #expect(error?.culprit == "'extra'")
    }

    @Test("positional values to a class without slots throw 'takes no positional arguments'")
    func noSlotsNoPositional() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("EventDict")
        #expect(throws: TypeError("EventDict() takes no positional arguments")) {
            try D.construct(positional: [1] as [Value])
        }
        #expect(space.memory.liveInstances == 0)
    }

    @Test("a value of the wrong type throws the slot's message and frees the instance")
    func wrongTypeFreesInstance() throws {
        let f = try Events()
        let error = #expect(throws: TypeError("slot 'kind' of 'EventSlots' objects holds str, not 'int'")) {
            try f.E.construct(positional: [1, 2, 1.5] as [Value])
        }
        #expect(error?.culprit == "2")
        #expect(f.space.memory.liveInstances == 0)
        #expect(f.space.memory.allocatedBytes == 0)
    }

    @Test("a long string stored before a refused value is released with the instance")
    func longStringReleasedOnError() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["text": .string, "n": .int])
        let text = String(repeating: "long text ", count: 10)
        #expect(throws: TypeError.self) { try C.construct(positional: [.string(text), "not an int"] as [Value]) }
        #expect(space.memory.liveInstances == 0)
        #expect(space.memory.stats.liveBlocks == 0)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("the dynamic call without labels is positional construction")
    func dynamicCallWithoutLabels() throws {
        let f = try Events()
        let e = try f.E(1, "click", 1.5)
        #expect("\(e)" == "EventSlots(ts=1, kind='click', value=1.5)")
        #expect(throws: TypeError("EventSlots() takes at most 3 positional arguments (4 given)")) {
            try f.E(1, "click", 1.5, 2)
        }
        #expect(f.space.memory.liveInstances == 1)
    }

    @Test("an int for a float slot is converted, as setattr converts it")
    func intIntoDoubleSlot() throws {
        let f = try Events()
        let e = try f.E.construct(positional: [1, "click", 2] as [Value])
        #expect(try e.get("value") == .double(2.0))
    }

    @Test("a keyword after a positional value of the same slot replaces it and releases its block")
    func keywordReplacesPositional() throws {
        let f = try Events()
        let signature = try ConstructionSignature(f.E, keywords: ["kind", "ts"])
        let long = String(repeating: "long text ", count: 5)
        let e = try f.E.construct(signature, [1, .string(long), "view", 2] as [Value])
        #expect("\(e)" == "EventSlots(ts=2, kind='view')")
        #expect(f.space.memory.stats.liveBlocks == 0)
    }

    @Test("a dynamic call mixing positional values and keywords fills slots, then sets attributes")
    func dynamicCallMixed() throws {
        let f = try Events()
        let e = try f.E(1, value: 2.5)
        #expect("\(e)" == "EventSlots(ts=1, value=2.5)")
        #expect(throws: TypeError("EventSlots() takes at most 3 positional arguments (4 given)")) {
            try f.E(1, "a", 2.0, 3, value: 1.0)
        }
        #expect(f.space.memory.liveInstances == 1)
    }

    @Test("an instance built from values holds no writer bit: by-name writes and free work at once")
    func writerBitReleased() throws {
        let f = try Events()
        let e = try f.E.construct(positional: [1, "click", 1.5] as [Value])
        try e.set("ts", 2)
        #expect(try e.get("ts") == 2)
        f.space.free(e)
        #expect(!f.space.isAlive(e))
        #expect(f.space.memory.liveInstances == 0)
    }
}

@Suite("Constructing through a ConstructionSignature")
struct SignatureConstructionTests {
    @Test("keyword values go to the slots their names resolved to, in any order")
    func keywordsInAnyOrder() throws {
        let f = try Events()
        let signature = try ConstructionSignature(f.E, keywords: ["value", "ts"])
        let e = try f.E.construct(signature, [1.5, 7] as [Value])
        #expect("\(e)" == "EventSlots(ts=7, value=1.5)")
        #expect(signature.keywords == ["value", "ts"])
        #expect(signature.owner == f.E)
    }

    @Test("values before the keywords' values are positional, as in a vectorcall")
    func leadingValuesArePositional() throws {
        let f = try Events()
        let signature = try ConstructionSignature(f.E, keywords: ["value"])
        let e = try f.E.construct(signature, [3, "view", 0.5] as [Value])
        #expect("\(e)" == "EventSlots(ts=3, kind='view', value=0.5)")
    }

    @Test("too many positional values before the keywords throw and allocate nothing")
    func tooManyPositionalAllocatesNothing() throws {
        let f = try Events()
        let signature = try ConstructionSignature(f.E, keywords: ["value"])
        #expect(throws: TypeError("EventSlots() takes at most 3 positional arguments (4 given)")) {
            try f.E.construct(signature, [1, "a", 2.0, 3, 4.0] as [Value])
        }
        #expect(f.space.memory.liveInstances == 0)
        #expect(f.space.memory.allocatedBytes == 0)
    }

    @Test("a keyword a dict-less class has no slot for is refused when the signature is made")
    func unknownKeywordRefusedEarly() throws {
        let f = try Events()
        let error = #expect(throws: AttributeError("'EventSlots' object has no attribute 'size'")) {
            try ConstructionSignature(f.E, keywords: ["ts", "size"])
        }
        #expect(error?.culprit == "size")
    }

    @Test("a keyword given twice is refused with CPython's 'got multiple values' message")
    func duplicateKeyword() throws {
        let f = try Events()
        let error = #expect(throws: TypeError("EventSlots() got multiple values for keyword argument 'ts'")) {
            try ConstructionSignature(f.E, keywords: ["ts", "kind", "ts"])
        }
        #expect(error?.culprit == "ts")
    }

    @Test("a class attribute of a dict-less class is read-only for a signature's keyword")
    func classAttributeReadOnly() throws {
        let space = ObjectSpace()
        let C = try space.defineClass("C", slots: ["x"], attributes: ["kind": "fixed"])
        #expect(throws: AttributeError("'C' object attribute 'kind' is read-only")) {
            try ConstructionSignature(C, keywords: ["kind"])
        }
    }

    @Test("keywords that are not slots go to the __dict__ of a class that has one")
    func keywordsToDict() throws {
        let space = ObjectSpace()
        let D = try space.defineClass("EventDict")
        let signature = try ConstructionSignature(D, keywords: ["ts", "kind"])
        let e = try D.construct(signature, [1, "click"] as [Value])
        #expect(try e.vars() == ["ts": 1, "kind": "click"])
    }

    @Test("a value its slot refuses frees the instance and names the value")
    func wrongTypeFreesInstance() throws {
        let f = try Events()
        let signature = try ConstructionSignature(f.E, keywords: ["ts", "kind"])
        let error = #expect(throws: TypeError("slot 'kind' of 'EventSlots' objects holds str, not 'float'")) {
            try f.E.construct(signature, [1, 2.5] as [Value])
        }
        #expect(error?.culprit == "2.5")
        #expect(f.space.memory.liveInstances == 0)
        #expect(f.space.memory.allocatedBytes == 0)
    }

    @Test("a signature used with another class traps with both class names")
    func otherClassTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let A = try space.defineClass("A", slots: ["x"])
            let B = try space.defineClass("B", slots: ["x"])
            let signature = try ConstructionSignature(A, keywords: ["x"])
            _ = try B.construct(signature, [1] as [Value])
        }
        #expect(stderrText(result).contains("Slotted: a ConstructionSignature made for 'A' used to construct 'B'"))
    }

    @Test("fewer values than keywords trap")
    func fewerValuesTrap() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let A = try space.defineClass("A", slots: ["x", "y"])
            let signature = try ConstructionSignature(A, keywords: ["x", "y"])
            _ = try A.construct(signature, [1] as [Value])
        }
        #expect(stderrText(result).contains("Slotted: 1 values for a ConstructionSignature of 2 keywords"))
    }
}

@Suite("Constructing from values while another thread resets", .serialized)
struct ValueConstructionConcurrencyTests {
    @Test("constructions from a buffer racing with reset() leave no block or instance behind the last reset")
    func racingReset() throws {
        let space = ObjectSpace()
        let E = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        let signature = try ConstructionSignature(E, keywords: ["kind", "value"])
        let text = "a string long enough for a block of its own"
        DispatchQueue.concurrentPerform(iterations: 3) { thread in
            if thread == 0 {
                for _ in 0..<200 { space.reset() }
                return
            }
            let values = UnsafeMutableBufferPointer<Value>.allocate(capacity: 3)
            _ = values.initialize(from: [0, .string(text), 1.5])
            defer {
                values.deinitialize()
                values.deallocate()
            }
            for i in 0..<20_000 {
                values[0] = .int(i)
                let e = thread == 1
                    ? try? E.construct(positional: UnsafeBufferPointer(values))
                    : try? E.construct(signature, UnsafeBufferPointer(values))
                #expect(e != nil)
            }
        }
        space.reset()
        #expect(space.memory.liveInstances == 0)
        #expect(space.memory.stats.liveBlocks == 0)
        #expect(space.memory.allocatedBytes == 0)
    }

    @Test("run-time argument lists with too many positional values allocate nothing")
    func runTimeArgumentsTooMany() throws {
        let space = ObjectSpace()
        let P = try space.defineClass("PointSlots", slots: ["x", "y"])
        let error = #expect(throws: TypeError("PointSlots() takes at most 2 positional arguments (3 given)")) {
            try P.construct([("", 1.0), ("y", 2.0), ("", 3.0), ("", 4.0)])
        }
        #expect(error?.culprit == "4.0")
        #expect(space.memory.liveInstances == 0)
        #expect(space.memory.allocatedBytes == 0)
    }
}
