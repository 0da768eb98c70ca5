#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Slotted
import Testing

/// `EventSlots` with typed slots, its space and its three accessors.
private struct Events {
    let space = ObjectSpace()
    let E: SlotClass
    let ts: SlotAccessor<Int>
    let kind: SlotAccessor<String>
    let value: SlotAccessor<Double>

    init() throws {
        E = try space.defineClass("EventSlots", slots: ["ts": .int, "kind": .string, "value": .double])
        ts = try E.slot("ts", as: Int.self)
        kind = try E.slot("kind", as: String.self)
        value = try E.slot("value", as: Double.self)
    }
}

private func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite("Constructing with an initializer: SlotClass.new { }")
struct InitializerTests {
    @Test("the slots the closure sets are set, the others unset, exactly as after new() and typed stores")
    func setsWhatItStores() throws {
        let f = try Events()
        let (ts, kind) = (f.ts, f.kind)
        let e = try f.E.new { e in
            e[ts] = 7
            e[kind] = "click"
        }
        #expect(e[f.ts] == 7)
        #expect(e[f.kind] == "click")
        #expect(!e.isSet(f.value))
        #expect(throws: AttributeError.self) { try e.get("value") }
        #expect("\(e)" == "EventSlots(ts=7, kind='click')")

        let same = try f.E.new()
        same[f.ts] = 7
        same[f.kind] = "click"
        #expect(e.description == same.description)
        #expect(try e.get("ts") == same.get("ts"))
        #expect(try e.get("kind") == same.get("kind"))
    }

    @Test("long strings stored by the initializer live in a block that free releases")
    func longStringBlock() throws {
        let f = try Events()
        let kind = f.kind
        let text = String(repeating: "long text ", count: 20)
        let e = try f.E.new { $0[kind] = text }
        #expect(e[f.kind] == text)
        #expect(f.space.memory.stats.liveBlocks == 1)
        f.space.free(e)
        #expect(f.space.memory.stats.liveBlocks == 0)
        #expect(f.space.memory.liveInstances == 0)
    }

    @Test("storing a slot twice keeps the last value and leaves no block behind")
    func secondStoreWins() throws {
        let f = try Events()
        let kind = f.kind
        let e = try f.E.new { e in
            e[kind] = String(repeating: "first ", count: 10)
            e[kind] = String(repeating: "second ", count: 10)
            e[kind] = "third"
        }
        #expect(e[f.kind] == "third")
        #expect(f.space.memory.stats.liveBlocks == 0)
    }

    @Test("a slot read inside the initializer gives what was stored")
    func readInside() throws {
        let f = try Events()
        let (ts, value) = (f.ts, f.value)
        let e = try f.E.new { e in
            e[ts] = 20
            e[value] = Double(e[ts]) / 8
        }
        #expect(e[f.value] == 2.5)
    }

    @Test("when the closure throws, the instance and its blocks are freed and the error comes through")
    func throwingClosureFreesEverything() throws {
        struct Refused: Error {}
        let f = try Events()
        let kind = f.kind
        #expect(throws: Refused.self) {
            _ = try f.E.new { e in
                e[kind] = String(repeating: "x", count: 100)
                throw Refused()
            }
        }
        #expect(f.space.memory.liveInstances == 0)
        #expect(f.space.memory.stats.liveBlocks == 0)
    }

    @Test("when the arena refuses the cell, MemoryError is thrown and the closure never runs")
    func memoryErrorBeforeClosure() throws {
        let f = try Events()
        try #require(f.space._failNextAllocations(1), "the fail-next hook is compiled into debug builds")
        var ran = false
        #expect(throws: MemoryError.self) { _ = try f.E.new { _ in ran = true } }
        #expect(!ran)
        #expect(f.space.memory.liveInstances == 0)
    }

    @Test("an accessor of a base class initializes the base's slot of a subclass instance")
    func baseAccessor() throws {
        let space = ObjectSpace()
        let Base = try space.defineClass("Base", slots: ["x": .int])
        let Sub = try space.defineClass("Sub", base: Base, slots: ["y": .double])
        let (x, y) = (try Base.slot("x", as: Int.self), try Sub.slot("y", as: Double.self))
        let s = try Sub.new { s in
            s[x] = 1
            s[y] = 2.5
        }
        #expect(s[x] == 1)
        #expect(s[y] == 2.5)
        #expect("\(s)" == "Sub(x=1, y=2.5)")
    }

    @Test("slots past the sixteenth, whose presence lives after the header, are set too")
    func manySlots() throws {
        let space = ObjectSpace()
        let names = (0..<20).map { "s\($0)" }
        let C = try space.defineClass("Wide", typedSlots: names.map { ($0, SlotType.int) })
        let accessors = try names.map { try C.slot($0, as: Int.self) }
        let w = try C.new { w in
            for (i, a) in accessors.enumerated() where i % 3 != 1 { w[a] = i * 10 }
            w[accessors[17]] = 170  // twice, past the header
        }
        for (i, a) in accessors.enumerated() {
            #expect(w.isSet(a) == (i % 3 != 1))
            if i % 3 != 1 { #expect(w[a] == i * 10) }
        }
    }

    @Test("an accessor of an unrelated class traps with CPython's descriptor TypeError")
    func unrelatedAccessorTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let space = ObjectSpace()
            let A = try space.defineClass("A", slots: ["x": .int])
            let B = try space.defineClass("B", slots: ["x": .int])
            let ax = try A.slot("x", as: Int.self)
            _ = try B.new { $0[ax] = 1 }
        }
        #expect(stderrText(result).contains("descriptor 'x' for 'A' objects doesn't apply to a 'B' object"))
    }

    @Test("a store after the closure freed its instance traps, even once a new instance has taken the cell")
    func storeAfterFreeAndReuseTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let f = try Events()
            let (space, E, ts, value) = (f.space, f.E, f.ts, f.value)
            var other: Instance? = nil
            _ = try E.new { e in
                e[ts] = 1
                space.free(e.handle)
                other = try E.new()  // the same cell, a new generation
                e[value] = 2.5
            }
            print(other.map { $0.isSet(value) } ?? false)
        }
        #expect(stderrText(result).contains("Slotted: typed initializer store after its instance was freed"))
    }

    @Test("a store after the closure freed its instance traps while the cell is free, before it can reach the free list")
    func storeIntoFreeCellTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let f = try Events()
            let ts = f.ts
            _ = try f.E.new { e in
                f.space.free(e.handle)
                e[ts] = 0x7FFF_0000_0000  // would overwrite the free cell's link
            }
            _ = try f.E.new(count: 100) { _, _ in }
        }
        #expect(stderrText(result).contains("Slotted: typed initializer store after its instance was freed"))
    }

    @Test("a read after the closure reset the space traps with the initializer's message")
    func readAfterResetTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let f = try Events()
            _ = try f.E.new { e in
                e[f.ts] = 1
                f.space.reset()  // frees every instance, this one too
                print(e[f.ts])
            }
        }
        #expect(stderrText(result).contains("Slotted: typed initializer read after its instance was freed"))
    }

    @Test("a closure that frees its instance and returns traps instead of handing back a stale handle")
    func freedThenReturnedTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let f = try Events()
            let e = try f.E.new { e in f.space.free(e.handle) }
            print(f.space.isAlive(e))
        }
        #expect(stderrText(result).contains("Slotted: the instance under construction was freed inside its initializer"))
    }

    @Test("a closure that frees its instance and then throws passes its error on and frees nothing twice")
    func freedThenThrownRethrows() throws {
        struct Refused: Error {}
        let f = try Events()
        let (ts, kind) = (f.ts, f.kind)
        let space = f.space
        let kept = try f.E.new()
        #expect(throws: Refused.self) {
            _ = try f.E.new { e in
                e[ts] = 1
                e[kind] = String(repeating: "x", count: 40)
                space.free(e.handle)
                throw Refused()
            }
        }
        #expect(space.memory.liveInstances == 1)
        #expect(space.memory.stats.liveBlocks == 0)
        #expect(space.isAlive(kept))
    }
}

@Suite("Constructing many at once: SlotClass.new(count:) { }")
struct BulkInitializerTests {
    @Test("every instance gets its own values, in index order, and counts as live")
    func buildsAll() throws {
        let f = try Events()
        let (ts, kind, value) = (f.ts, f.kind, f.value)
        let events = try f.E.new(count: 10_000) { i, e in
            e[ts] = i
            e[kind] = i % 2 == 0 ? "click" : "a long kind name of \(i)"
            if i % 3 == 0 { e[value] = Double(i) * 1.5 }
        }
        #expect(events.count == 10_000)
        #expect(Set(events.map(\.description)).count == 10_000)
        for (i, e) in events.enumerated() {
            #expect(e[f.ts] == i)
            #expect(e[f.kind] == (i % 2 == 0 ? "click" : "a long kind name of \(i)"))
            #expect(e.isSet(f.value) == (i % 3 == 0))
        }
        #expect(f.space.memory.liveInstances == 10_000)
        #expect(f.space.memory.stats.liveBlocks == 5_000)
        for e in events { f.space.free(e) }
        #expect(f.space.memory.liveInstances == 0)
        #expect(f.space.memory.stats.liveBlocks == 0)
    }

    @Test("a count of zero builds nothing and never calls the closure")
    func zeroCount() throws {
        let f = try Events()
        var calls = 0
        #expect(try f.E.new(count: 0) { _, _ in calls += 1 }.isEmpty)
        #expect(calls == 0)
    }

    @Test("when the closure throws part-way, every instance of the call is freed with its blocks")
    func throwingFreesAll() throws {
        struct Stop: Error {}
        let f = try Events()
        let kind = f.kind
        let kept = try f.E.new()
        #expect(throws: Stop.self) {
            _ = try f.E.new(count: 100) { i, e in
                e[kind] = String(repeating: "x", count: 20 + i)
                if i == 60 { throw Stop() }
            }
        }
        #expect(f.space.memory.liveInstances == 1)
        #expect(f.space.memory.stats.liveBlocks == 0)
        #expect(f.space.isAlive(kept))
    }

    @Test("when the arena refuses the batch, MemoryError is thrown and nothing is allocated")
    func refusedBatch() throws {
        let f = try Events()
        try #require(f.space._failNextAllocations(1), "the fail-next hook is compiled into debug builds")
        var calls = 0
        #expect(throws: MemoryError.self) { _ = try f.E.new(count: 50) { _, _ in calls += 1 } }
        #expect(calls == 0)
        #expect(f.space.memory.liveInstances == 0)
        #expect(try f.E.new(count: 50) { _, _ in calls += 1 }.count == 50)
    }

    @Test("a batch larger than a slab spans several slabs and the peak counts all of it")
    func largeBatch() throws {
        let f = try Events()
        f.space.memory.resetPeak()
        let events = try f.E.new(count: 200_000) { _, _ in }
        #expect(f.space.memory.stats.peakBytes == 200_000 * f.E.instanceSize)
        for e in events { f.space.free(e) }
        #expect(f.space.memory.allocatedBytes == 0)
    }

    // The sanitizer runs (system backend) replace malloc with allocators that abort on a
    // refusal instead of returning NULL, so this test needs the jemalloc build.
    @Test("a batch whose handle array the system refuses throws MemoryError and leaves the statistics exact",
          .enabled(if: ObjectSpace.backend == "jemalloc"))
    func refusedHandleArray() async {
        await #expect(processExitsWith: .success) {
            let f = try Events()
            let (space, E) = (f.space, f.E)
            let kept = try E.new(count: 10) { _, _ in }
            let before = space.memory.stats
            // Room for what the process maps now plus 1 GiB: 2^30 handles take 8 GiB.
            var saved = rlimit()
            getrlimit(RLIMIT_AS_RESOURCE, &saved)
            var limited = saved
            limited.rlim_cur = rlim_t(mappedBytes() + (1 << 30))
            guard setrlimit(RLIMIT_AS_RESOURCE, &limited) == 0 else { exit(2) }
            do {
                _ = try E.new(count: 1 << 30) { _, _ in }
                exit(3)
            } catch is MemoryError {}
            setrlimit(RLIMIT_AS_RESOURCE, &saved)
            let after = space.memory.stats
            guard after.liveInstances == before.liveInstances, after.allocatedBytes == before.allocatedBytes,
                  after.peakBytes == before.peakBytes
            else { exit(4) }
            guard try E.new(count: 10, { _, _ in }).count == 10, kept.allSatisfy(space.isAlive) else { exit(5) }
        }
    }

    @Test("a closure that frees its instance traps when it returns, before the next instance is built")
    func bulkFreedThenReturnedTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let f = try Events()
            let (space, ts) = (f.space, f.ts)
            let events = try f.E.new(count: 10) { i, e in
                e[ts] = i
                if i == 3 { space.free(e.handle) }
            }
            print(events.count)
        }
        #expect(stderrText(result).contains("Slotted: the instance under construction was freed inside its initializer"))
    }

    @Test("a store after the closure freed its instance traps in the bulk form too")
    func bulkStoreAfterFreeTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let f = try Events()
            let (space, E, ts) = (f.space, f.E, f.ts)
            _ = try E.new(count: 10) { i, e in
                if i == 3 {
                    space.free(e.handle)
                    _ = try E.new()
                }
                e[ts] = i
            }
        }
        #expect(stderrText(result).contains("Slotted: typed initializer store after its instance was freed"))
    }

    @Test("when a closure frees instances of its own call and then throws, the rest are freed once and the error comes through")
    func bulkFreedThenThrownRethrows() throws {
        struct Stop: Error {}
        let f = try Events()
        let kind = f.kind
        let space = f.space
        var first: Instance? = nil
        #expect(throws: Stop.self) {
            _ = try f.E.new(count: 20) { i, e in
                e[kind] = String(repeating: "x", count: 20 + i)
                if i == 0 { first = e.handle }
                if i == 5 {
                    space.free(first!)
                    _ = try f.E.new()  // takes the freed cell: a live instance the call must not free
                    space.free(e.handle)
                    throw Stop()
                }
            }
        }
        #expect(space.memory.liveInstances == 1)
        #expect(space.memory.stats.liveBlocks == 0)
    }
}

#if canImport(Glibc)
private let RLIMIT_AS_RESOURCE = __rlimit_resource_t(RLIMIT_AS.rawValue)
#else
private let RLIMIT_AS_RESOURCE = RLIMIT_AS
#endif

/// Bytes of address space the process maps now (the first field of /proc/self/statm, in pages).
private func mappedBytes() -> Int {
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 128)
    let n = read(fd, &bytes, bytes.count)
    let pages = String(decoding: bytes.prefix(max(n, 0)), as: UTF8.self).split(separator: " ").first.flatMap { Int($0) } ?? 0
    return pages * sysconf(Int32(_SC_PAGESIZE))
}
