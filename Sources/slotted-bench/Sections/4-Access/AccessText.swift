//===----------------------------------------------------------------------===//
//
// AccessText.swift: report section 4, access speed, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func accessSection(python: CPythonFigures?, pythonName: String) -> String {
        let a = access
        var lines = [
            "4. Access speed: ns per operation, median of \(a.runs) runs, each beside its baseline in the same run",
            "   (typed loops over \(a.workingSet.grouped) instances, by-name loops over \(a.hotSet.grouped) hot ones;"
                + " \(a.opsPerSample.grouped) ops per sample)",
        ]
        var table = TextTable(["operation", "Slotted", "Swift baseline", "baseline", "ratio", pythonName])
        table.alignments[2] = .left
        table.alignments[5] = .left
        func row(_ name: String, _ comparison: Comparison, _ baseline: String, _ py: String) {
            table.add([name, nanos(comparison.ns), baseline, nanos(comparison.baselineNs), times(comparison.ratio), py])
        }
        func py(_ text: String, _ value: KeyPath<CPythonFigures, Double>) -> String {
            python.map { "\(text) \(nanos($0[keyPath: value]))" } ?? ""
        }
        row("read e[value], sequential", a.typedReadSequential, "native let read", py("p.x", \.slotsAttrReadNs))
        row("read e[value], random \u{2016}", a.typedReadRandom, "native let read", "")
        row("read e[value], sequential", a.checkCostSequential, "same load, no check \u{2020}", "")
        row("read e[value], random", a.checkCostRandom, "same load, no check \u{2020}", "")
        row("write e[value] = x, sequential", a.typedWriteSequential, "native var write *", py("p.x = 3.0", \.slotsAttrWriteNs))
        row("write e[value] = x, random", a.typedWriteRandom, "native var write *", "")
        row("get(\"x\") by name, PointSlots", a.byNameGet, "[String: Double] get", py("getattr(p, 'x')", \.slotsGetattrNs))
        row("set(\"x\", v) by name, PointSlots", a.byNameSet, "[String: Double] set", py("setattr(p, 'x', v)", \.slotsSetattrNs))
        row("get(\"x\") by name, PointDict", a.dictGet, "[String: Double] get", py("getattr(p, 'x')", \.dictGetattrNs))
        row("set(\"x\", v) by name, PointDict", a.dictSet, "[String: Double] set", py("setattr(p, 'x', v)", \.dictSetattrNs))
        row("get(\"x\") by name, PointDict, hash table \u{00B6}", a.tableGet, "[String: Double] get", "")
        row("set(\"x\", v) by name, PointDict, hash table \u{00B6}", a.tableSet, "[String: Double] set", "")
        row("construct EventSlots (typed, positional)", a.constructTyped, "NativeEvent(...)", py("EventSlots(...)", \.constructSlotsNs))
        row("construct EventSlots (typed, keyword)", a.constructTypedKeyword, "NativeEvent(...)", "")
        row("construct EventSlots (construct(positional:) from values)", a.constructPositional, "NativeEvent(...)", "")
        row("construct EventSlots (ConstructionSignature, keywords)", a.constructSignature, "NativeEvent(...)", "")
        row("construct EventSlots (new() + typed stores)", a.constructTypedStores, "NativeEvent(...)", "")
        row("construct EventSlots (typed initializer)", a.constructTypedInitializer, "NativeEvent(...)", "")
        row("construct EventSlots (new(count:), bulk) \u{2021}", a.constructBulk, "NativeEvent(...)", "")
        row("construct EventSlots (new(count:), bulk) \u{2021}", a.constructBulkVsFill, "ContiguousArray<EventRecord> fill", "")
        row("construct EventSlots (untyped)", a.constructUntyped, "NativeEvent(...)", "")
        row("construct EventSlots (untyped, keyword)", a.constructUntypedKeyword, "NativeEvent(...)", "")
        row("construct EventDict (keyword)", a.constructDict, "NativeEvent(...)", py("EventDict(...)", \.constructDictNs))
        row("space.free(e)", a.free, "last release of object", "")
        let host = a.hostSites
        row("site.get(e), EventSlots (one class)", host.siteGet, "read e[value]", "")
        row("site.get(d), EventDict (one class), sequential", host.siteGetDictSequential, "read e[value]", "")
        row("site.get(d), EventDict (one class) \u{00A7}", host.siteGetDict, "read e[value]", "")
        row("site.get(e), 4 classes in turn, sequential", host.sitePolyGetSequential, "read e[value]", "")
        row("site.get(e), 4 classes in turn \u{00A7}", host.sitePolyGet, "read e[value]", "")
        row("site.set(e, x), EventSlots", host.siteSet, "write e[value] = x", "")
        row("site.get(p), PointSlots \u{00A7}", host.siteGetVsByName, "get(\"x\") by name", "")
        row("site.set(p, v), PointSlots \u{00A7}", host.siteSetVsByName, "set(\"x\", v) by name", "")
        row("read e[ifSet: value], sequential", host.optionalRead, "read e[value]", "")
        row("e.isSet(value), sequential", host.isSetRead, "read e[value]", "")
        row("getIfPresent(\"x\"), unset slot \u{00A7}", host.getMissing, "get(\"x\"), set slot", "")
        row("read w[s17] (20 int slots)", host.slot17Read, "read w[s1]", "")
        row("read w[s15] (20 int slots)", host.slot15Read, "read w[s1]", "")
        row("read w[s17] (20 int slots)", host.slot17VsSlot15, "read w[s15]", "")
        row("construct @SlotClass MacroEvent(in:...)", macro.constructVsTyped, "typed initializer", "")
        row("construct @SlotClass MacroEvent(in:...)", macro.constructVsNative, "NativeEvent(...)", "")
        row("read @SlotClass e.value, sequential", macro.readVsTyped, "read e[value]", "")
        row("read @SlotClass e.value, sequential", macro.readVsNative, "native let read", "")
        row("write @SlotClass e.value = x", macro.writeVsTyped, "write e[value] = x", "")
        lines.append(table.render())
        let release = a.spaceRelease
        lines.append(
            "  drop a space of \(release.instances.grouped) instances: \(nanos(release.spaceNs))"
                + " (\(fixed(release.spaceNs / Double(max(release.instances, 1)), 2)) ns each)"
                + "; drop an array of as many native objects: \(nanos(release.nativeArrayNs))"
                + " (\(times(release.spaceNs / release.nativeArrayNs)))"
                + (release.spaceWasUniquelyReferenced ? "" : "  [space was still referenced: deinit not timed]"))
        lines.append("  * a native var write includes Swift's dynamic exclusivity check; a let cannot be written.")
        lines.append("  \u{2020} the ratio is the cost of the header check that detects stale handles, foreign classes and unset slots.")
        lines.append("  \u{2016} measured three times, at the start, middle and end of this section; the row shown is the one with the median ratio (other load on a shared machine slows a random-order loop most, and each side by its own factor).")
        lines.append("  \u{2021} one call builds all \(a.workingSet.grouped) instances (one arena lock for every cell); per instance, beside one-at-a-time native construction, and beside filling a ContiguousArray of the same fields as structs (reserved, then appended).")
        lines.append("  site.set of a number into a set typed slot is a typed write (racing it with a free is the caller's race); into an untyped slot (PointSlots) it takes the writer bit, as set by name does.")
        lines.append("  \u{00A7} over \(a.hotSet.grouped) hot instances, beside the baseline over as many.")
        lines.append("  \u{00B6} PointDict instances in dictionary mode (a hash table each) after `del p.x; p.x = v`; the others are shaped (\(a.shapeCount) shapes in the space).")
        lines.append("  Every construction is timed into preallocated storage, each kind right after an untimed pass that builds and frees as many.")
        if let python {
            lines.append(
                "  \(pythonName) figures are timeit medians per statement, its loop overhead"
                    + " (\(nanos(python.loopOverheadNs)) for `pass`) included.")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
