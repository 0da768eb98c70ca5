//===----------------------------------------------------------------------===//
//
// HostSiteRows.swift: section 4's rows for an embedding host's fast path:
// attribute sites (mono- and polymorphic), reads that do not throw, typed
// reads past the 16th slot, each beside a baseline measured in the same run.
//
//===----------------------------------------------------------------------===//

import Slotted

/// Folds a `Value` into bits for a checksum, without calls.
@inline(__always)
private func bits(of value: Value?) -> UInt64 {
    switch value {
    case .double(let double)?: double.bitPattern
    case .int(let int)?: UInt64(bitPattern: Int64(int))
    case .bool(let bool)?: bool ? 1 : 2
    case nil: 4
    default: 3
    }
}

/// What the host rows measured.
struct HostSiteFigures: Codable {
    /// `site.get(e)` of `value` on `EventSlots`, one class, against `e[value]`, sequential.
    var siteGet: Comparison
    /// `site.get(d)` of `value` on `EventDict` instances against `e[value]` over as many
    /// `EventSlots` (the hot set).
    var siteGetDict: Comparison
    /// The same over as many instances as ``siteGet``, sequential.
    var siteGetDictSequential: Comparison
    /// `site.get(e)` over four classes in turn, `value` at four offsets, against `e[value]`
    /// (the hot set).
    var sitePolyGet: Comparison
    /// The same over as many instances as ``siteGet``, sequential.
    var sitePolyGetSequential: Comparison
    /// `site.set(e, .double(x))` against `e[value] = x`, sequential.
    var siteSet: Comparison
    /// `e[ifSet: value]` against `e[value]`, sequential.
    var optionalRead: Comparison
    /// `e.isSet(value)` against `e[value]`, sequential.
    var isSetRead: Comparison
    /// `p.getIfPresent("x")` of an unset slot against `p.get("x")` of a set one.
    var getMissing: Comparison
    /// `w[s17]` against `w[s1]` on a class of 20 int slots, sequential.
    var slot17Read: Comparison
    /// `w[s15]` against `w[s1]`: a slot whose presence bit is in the header, its value as far
    /// from the header as slot 17's (a cache line the header's does not hold).
    var slot15Read: Comparison
    /// `w[s17]` against `w[s15]`: what the presence byte past the header adds by itself.
    var slot17VsSlot15: Comparison
    /// `site.get(p)` against `p.get("x")` on the hot `PointSlots` (what the cache saves).
    var siteGetVsByName: Comparison
    /// `site.set(p, v)` against `p.set("x", v)` on the hot `PointSlots`.
    var siteSetVsByName: Comparison

    var siteGetNs: Double
    var sitePolyGetNs: Double
    var siteSetNs: Double
    var optionalReadNs: Double
    var getMissingNs: Double
    var slot17ReadNs: Double
    var slot15ReadNs: Double

    init(siteGet: Comparison, siteGetDict: Comparison, siteGetDictSequential: Comparison,
         sitePolyGet: Comparison, sitePolyGetSequential: Comparison, siteSet: Comparison,
         optionalRead: Comparison, isSetRead: Comparison, getMissing: Comparison, slot17Read: Comparison,
         slot15Read: Comparison, slot17VsSlot15: Comparison, siteGetVsByName: Comparison, siteSetVsByName: Comparison)
    {
        self.siteGetVsByName = siteGetVsByName
        self.siteSetVsByName = siteSetVsByName
        self.siteGet = siteGet
        self.siteGetDict = siteGetDict
        self.siteGetDictSequential = siteGetDictSequential
        self.sitePolyGet = sitePolyGet
        self.sitePolyGetSequential = sitePolyGetSequential
        self.siteSet = siteSet
        self.optionalRead = optionalRead
        self.isSetRead = isSetRead
        self.getMissing = getMissing
        self.slot17Read = slot17Read
        self.slot15Read = slot15Read
        self.slot17VsSlot15 = slot17VsSlot15
        siteGetNs = siteGet.ns
        sitePolyGetNs = sitePolyGet.ns
        siteSetNs = siteSet.ns
        optionalReadNs = optionalRead.ns
        getMissingNs = getMissing.ns
        slot17ReadNs = slot17Read.ns
        slot15ReadNs = slot15Read.ns
    }
}

extension AccessBenchmark {
    /// Times the host rows. `events` are typed `EventSlots` with `value` set, in `space`.
    func measureHostSites(
        _ space: ObjectSpace, _ events: ContiguousArray<Instance>, _ valueSlot: SlotAccessor<Double>, passes: Int
    ) throws -> HostSiteFigures {
        Progress.note("access: attribute sites and optional reads, \(runs) runs")
        let site = AttributeSite("value")
        let siteGet = try interleaveThrowing(
            { try Self.siteRead(events, site, passes: passes) },
            { Self.typedRead(events, valueSlot, passes: passes) })

        // The hot set: dict instances, and four slotted classes with `value` at four offsets.
        let eventDict = try space.defineClass("EventDictHost")
        let hotEvents = ContiguousArray(events.prefix(Self.hotSet))
        var hotDicts = ContiguousArray<Instance>()
        var mixed = ContiguousArray<Instance>()
        let shapes = try (0..<4).map { k in
            try space.defineClass("Shape\(k)", typedSlots: (0..<k).map { ("pad\($0)", .int) } + [("value", .double)])
        }
        for i in 0..<Self.hotSet {
            hotDicts.append(try eventDict(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5)))
            let m = try shapes[i % 4].new()
            try m.set("value", .double(Double(i)))
            mixed.append(m)
        }
        let hotPasses = max(1, opsPerSample / Self.hotSet)
        let dictSite = AttributeSite("value")
        let siteGetDict = try interleaveThrowing(
            { try Self.siteRead(hotDicts, dictSite, passes: hotPasses) },
            { Self.typedRead(hotEvents, valueSlot, passes: hotPasses) })
        let polySite = AttributeSite("value")
        let sitePolyGet = try interleaveThrowing(
            { try Self.siteRead(mixed, polySite, passes: hotPasses) },
            { Self.typedRead(hotEvents, valueSlot, passes: hotPasses) })

        // The same two over as many instances as the slotted row, in order (what waits on
        // memory there: a shaped EventDict is 40 bytes, an EventSlots 32). Each set is made
        // in a loop of its own, as `events` was: the fourth slotted class's cells are 40
        // bytes too, and made in turn with the dicts they would sit between them.
        var allDicts = ContiguousArray<Instance>(), allMixed = ContiguousArray<Instance>()
        allDicts.reserveCapacity(events.count)
        allMixed.reserveCapacity(events.count)
        for i in 0..<events.count {
            allDicts.append(try eventDict(ts: .int(i), kind: "click", value: .double(Double(i) * 1.5)))
        }
        for i in 0..<events.count {
            let m = try shapes[i % 4].new()
            try m.set("value", .double(Double(i)))
            allMixed.append(m)
        }
        let siteGetDictSequential = try interleaveThrowing(
            { try Self.siteRead(allDicts, dictSite, passes: passes) },
            { Self.typedRead(events, valueSlot, passes: passes) })
        let sitePolyGetSequential = try interleaveThrowing(
            { try Self.siteRead(allMixed, polySite, passes: passes) },
            { Self.typedRead(events, valueSlot, passes: passes) })
        for d in allDicts { space.free(d) }
        for m in allMixed { space.free(m) }

        let siteSet = try interleaveThrowing(
            { try Self.siteWrite(events, site, passes: passes) },
            { Self.typedWrite(events, valueSlot, passes: passes) })
        let optionalRead = interleave(
            { Self.optionalRead(events, valueSlot, passes: passes) },
            { Self.typedRead(events, valueSlot, passes: passes) })
        let isSetRead = interleave(
            { Self.isSetRead(events, valueSlot, passes: passes) },
            { Self.typedRead(events, valueSlot, passes: passes) })

        let point = try space.defineClass("PointSlotsHost", slots: ["x", "y"])
        var unset = ContiguousArray<Instance>(), set = ContiguousArray<Instance>()
        for i in 0..<Self.hotSet {
            unset.append(try point(y: .double(Double(i))))
            set.append(try point(x: .double(Double(i)), y: 2.0))
        }
        let getMissing = try interleaveThrowing(
            { try Self.getIfPresent(unset, ops: opsPerSample) },
            { try Self.getByName(set, ops: opsPerSample) })

        let pointSite = AttributeSite("x")
        let siteGetVsByName = try interleaveThrowing(
            { try Self.siteRead(set, pointSite, passes: hotPasses) },
            { try Self.getByName(set, ops: hotPasses * Self.hotSet) })
        let siteSetVsByName = try interleaveThrowing(
            { try Self.siteWrite(set, pointSite, passes: hotPasses) },
            { try Self.setByName(set, ops: hotPasses * Self.hotSet) })

        let wide = try space.defineClass("Wide", typedSlots: (0..<20).map { ("s\($0)", .int) })
        let s1 = try wide.slot("s1", as: Int.self), s15 = try wide.slot("s15", as: Int.self)
        let s17 = try wide.slot("s17", as: Int.self)
        let wides = try wide.new(count: events.count) { i, w in
            w[s1] = i
            w[s15] = i
            w[s17] = i
        }
        let slot17Read = interleave(
            { Self.intRead(wides, s17, passes: passes) },
            { Self.intRead(wides, s1, passes: passes) })
        // Slot 15's value is 128 bytes in, in another cache line than the header, as slot 17's
        // is (144), but its presence bit is in the header: its row against slot 1 is the line,
        // and slot 17 against it is the presence byte.
        let slot15Read = interleave(
            { Self.intRead(wides, s15, passes: passes) },
            { Self.intRead(wides, s1, passes: passes) })
        let slot17VsSlot15 = interleave(
            { Self.intRead(wides, s17, passes: passes) },
            { Self.intRead(wides, s15, passes: passes) })
        withExtendedLifetime((hotDicts, mixed, unset, set, wides)) {}
        return HostSiteFigures(
            siteGet: siteGet, siteGetDict: siteGetDict, siteGetDictSequential: siteGetDictSequential,
            sitePolyGet: sitePolyGet, sitePolyGetSequential: sitePolyGetSequential, siteSet: siteSet,
            optionalRead: optionalRead, isSetRead: isSetRead, getMissing: getMissing, slot17Read: slot17Read,
            slot15Read: slot15Read, slot17VsSlot15: slot17VsSlot15, siteGetVsByName: siteGetVsByName, siteSetVsByName: siteSetVsByName)
    }

    @inline(never)
    private static func siteRead(_ instances: ContiguousArray<Instance>, _ site: AttributeSite, passes: Int) throws -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<instances.count {
                accumulator &+= bits(of: try site.get(instances[i]))
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * instances.count)
    }

    @inline(never)
    private static func siteWrite(_ instances: ContiguousArray<Instance>, _ site: AttributeSite, passes: Int) throws -> Double {
        let start = ContinuousClock.now
        for pass in 0..<passes {
            for i in 0..<instances.count {
                try site.set(instances[i], .double(Double(i &+ pass)))
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(bits(of: try site.get(instances[instances.count / 2])))
        return elapsed / Double(passes * instances.count)
    }

    @inline(never)
    private static func optionalRead(_ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<events.count {
                accumulator &+= (events[i][ifSet: slot] ?? 0).bitPattern
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * events.count)
    }

    @inline(never)
    private static func isSetRead(_ events: ContiguousArray<Instance>, _ slot: SlotAccessor<Double>, passes: Int) -> Double {
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<events.count where events[i].isSet(slot) {
                accumulator &+= 1
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * events.count)
    }

    @inline(never)
    private static func intRead(_ instances: [Instance], _ slot: SlotAccessor<Int>, passes: Int) -> Double {
        var accumulator = 0
        let start = ContinuousClock.now
        for _ in 0..<passes {
            for i in 0..<instances.count {
                accumulator &+= instances[i][slot]
            }
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(passes * instances.count)
    }

    @inline(never)
    private static func getIfPresent(_ instances: ContiguousArray<Instance>, ops: Int) throws -> Double {
        let mask = instances.count - 1
        var accumulator: UInt64 = 0
        let start = ContinuousClock.now
        for i in 0..<ops {
            accumulator &+= bits(of: try instances[i & mask].getIfPresent("x"))
        }
        let elapsed = nanoseconds(since: start)
        blackHole(accumulator)
        return elapsed / Double(ops)
    }
}
