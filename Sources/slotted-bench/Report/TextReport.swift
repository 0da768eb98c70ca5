//===----------------------------------------------------------------------===//
//
// TextReport.swift: the report as the readable table printed on stdout.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    /// The report as text, section by section.
    func text() -> String {
        var out: [String] = []
        let python = cpython.figures
        let pythonName = python.map { "CPython \($0.version)" } ?? "CPython"

        out.append("Slotted benchmark: Python's __slots__ object model in Swift, over a private arena")
        out.append(
            "  build \(environment.build), allocator \(environment.allocatorBackend), "
                + "N = \(n.grouped), sweep up to \(environment.maxN.grouped), "
                + "\(environment.runs) runs per timing (median), \(environment.processors) cores")
        if let python {
            // The command as given, not the interpreter's absolute path (which is in the JSON).
            let command = environment.pythonCommand ?? python.executable
            out.append("  \(pythonName): \(command)\(command.contains("/") ? "" : ", found on the PATH")")
        } else {
            out.append("  CPython: skipped (\(cpythonSkipped ?? "not run"))")
        }
        out.append("")

        out.append(arenaSection())
        out.append(perInstanceSection(python: python, pythonName: pythonName))
        out.append(memorySection(python: python, pythonName: pythonName))
        out.append(scalingSection())
        out.append(accessSection(python: python, pythonName: pythonName))
        out.append(targetsSection())
        out.append("Total time: \(fixed(environment.totalSeconds, 1)) s")
        return out.joined(separator: "\n")
    }

    private func arenaSection() -> String {
        let a = arena
        var table = TextTable(["", "bytes in the arena", "per cell", "ns per alloc/free pair"])
        table.add(["exact-size cells (pool)", a.poolBytes.grouped, fixed(a.poolBytesPerCell, 2) + " B", nanos(a.poolPairNs)])
        table.add(["mallocx + sdallocx, no tcache", a.plainBytes.grouped, fixed(a.plainBytesPerCell, 2) + " B", nanos(a.plainPairNs)])
        return [
            "0. The arena: \(a.count.grouped) live cells of \(a.cellSize) bytes (bytes as jemalloc counts them for each arena)",
            table.render(),
            "",
        ].joined(separator: "\n")
    }

    private func perInstanceSection(python: CPythonFigures?, pythonName: String) -> String {
        var lines = ["1. Per instance: the article's first program"]
        var table = TextTable(["", "Slotted", pythonName], alignments: [.left, .left, .left])
        let figures = perInstance
        let dictPart = figures.pointDictBytes - figures.pointDictCellBytes
        table.add([
            "getsizeof(PointDict(1.0, 2.0)) + dict",
            dictPart >= 0
                ? "\(figures.pointDictBytes) B (cell \(figures.pointDictCellBytes) + dict \(dictPart))"
                : "\(figures.pointDictBytes) B",
            python.map {
                "\($0.pointDictBytes + $0.pointDictDictBytes) B (object \($0.pointDictBytes) + __dict__ \($0.pointDictDictBytes))"
            } ?? "-",
        ])
        table.add([
            "getsizeof(PointSlots(1.0, 2.0))", "\(figures.pointSlotsBytes) B",
            python.map { "\($0.pointSlotsBytes) B" } ?? "-",
        ])
        table.add([
            "hasattr(p_dict, '__dict__')", pythonBool(figures.pointDictHasDict),
            python.map { pythonBool($0.pointDictHasDict) } ?? "-",
        ])
        table.add([
            "hasattr(p_slots, '__dict__')", pythonBool(figures.pointSlotsHasDict),
            python.map { pythonBool($0.pointSlotsHasDict) } ?? "-",
        ])
        table.add(["p_slots.z = 3.0", figures.attributeError, python?.attributeError ?? "-"])
        lines.append(table.render())
        lines.append("")
        lines.append(
            "  EventSlots layout (typed slots; instanceSize \(figures.eventSlotsInstanceSize) B, "
                + "untyped \(figures.untypedEventSlotsInstanceSize) B):")
        for line in figures.eventSlotsLayout.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append("    " + line)
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func memorySection(python: CPythonFigures?, pythonName: String) -> String {
        let memory = memoryAtScale
        var lines = [
            "2. Memory at scale: the article's second program, N = \(n.grouped)",
            "   (peak bytes while building all N, as tracemalloc measures; Slotted counts its arena,",
            "   the array of handles lives outside it; tracemalloc also counts CPython's list)",
        ]
        var table = TextTable(
            ["Slotted, typed slots", "Slotted, untyped slots", python != nil ? "\(pythonName), tracemalloc" : pythonName],
            alignments: [.left, .left, .left])
        table.add([
            "Dict: \(megabytes(memory.dict.bytes))", "Dict: \(megabytes(memory.dict.bytes))",
            python.map { "Dict: \(megabytes($0.dictPeakBytes))" } ?? "(skipped)",
        ])
        table.add([
            "Slots: \(megabytes(memory.typedSlots.bytes))", "Slots: \(megabytes(memory.untypedSlots.bytes))",
            python.map { "Slots: \(megabytes($0.slotsPeakBytes))" } ?? "",
        ])
        table.add([
            "Saving: \(fixed(memory.typedSavingPercent, 0))%", "Saving: \(fixed(memory.untypedSavingPercent, 0))%",
            python.map { "Saving: \(fixed($0.savingPercent, 0))%" } ?? "",
        ])
        lines.append(table.render())
        lines.append("")

        var perInstance = TextTable([
            "kind", "bytes", "per instance", "reserved/instance", "ns/construction", "weighed by",
        ])
        perInstance.alignments[5] = .left
        for result in [memory.dict, memory.untypedSlots, memory.typedSlots, memory.nativeClass, memory.structArray] {
            perInstance.add([
                result.kind.label, result.bytes.grouped, fixed(result.bytesPerInstance, 1) + " B",
                result.reservedBytes.map { fixed(Double($0) / Double(result.n), 1) + " B" } ?? "",
                nanos(result.nanosecondsPerInstance), result.kind.weighing,
            ])
        }
        if let python {
            perInstance.add([
                "CPython EventDict", python.dictPeakBytes.grouped,
                fixed(Double(python.dictPeakBytes) / Double(python.n), 1) + " B", "", "", "tracemalloc peak",
            ])
            perInstance.add([
                "CPython EventSlots", python.slotsPeakBytes.grouped,
                fixed(Double(python.slotsPeakBytes) / Double(python.n), 1) + " B", "", "", "tracemalloc peak",
            ])
        }
        lines.append(perInstance.render())
        lines.append(
            "  (reserved: how much the pages the arena holds from the system grew, slab headers and"
                + " guard pages included)")
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func scalingSection() -> String {
        let sizes = Array(Set(scaling.map(\.n))).sorted()
        var lines = ["3. Scaling: bytes per instance and ns per construction against N (fresh space each, cold memory)"]
        let kinds = ObjectKind.allCases
        var bytes = TextTable(["bytes/instance"] + kinds.map(\.shortLabel))
        var speed = TextTable(["ns/construction"] + kinds.map(\.shortLabel))
        for size in sizes {
            let row = kinds.map { kind in scaling.first { $0.kind == kind && $0.n == size } }
            bytes.add(["N = \(size.grouped)"] + row.map { $0.map { fixed($0.bytesPerInstance, 1) } ?? "-" })
            speed.add(["N = \(size.grouped)"] + row.map { $0.map { fixed($0.nsPerConstruction, 1) } ?? "-" })
        }
        lines.append(bytes.render())
        lines.append("")
        lines.append(speed.render())
        for kind in [ObjectKind.typedSlots, .untypedSlots, .dict] {
            let values = scaling.filter { $0.kind == kind }.map(\.bytesPerInstance)
            guard let low = values.min(), let high = values.max() else { continue }
            lines.append(
                "  \(kind.label): \(fixed(low, 1))...\(fixed(high, 1)) B per instance over the sweep"
                    + " (spread \(fixed(high - low, 1)) B)")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func accessSection(python: CPythonFigures?, pythonName: String) -> String {
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
        row("read e[value], random", a.typedReadRandom, "native let read", "")
        row("read e[value], sequential", a.checkCostSequential, "same load, no check \u{2020}", "")
        row("read e[value], random", a.checkCostRandom, "same load, no check \u{2020}", "")
        row("write e[value] = x, sequential", a.typedWriteSequential, "native var write *", py("p.x = 3.0", \.slotsAttrWriteNs))
        row("write e[value] = x, random", a.typedWriteRandom, "native var write *", "")
        row("get(\"x\") by name, PointSlots", a.byNameGet, "[String: Double] get", py("getattr(p, 'x')", \.slotsGetattrNs))
        row("set(\"x\", v) by name, PointSlots", a.byNameSet, "[String: Double] set", py("setattr(p, 'x', v)", \.slotsSetattrNs))
        row("get(\"x\") by name, PointDict", a.dictGet, "[String: Double] get", py("getattr(p, 'x')", \.dictGetattrNs))
        row("set(\"x\", v) by name, PointDict", a.dictSet, "[String: Double] set", py("setattr(p, 'x', v)", \.dictSetattrNs))
        row("construct EventSlots (typed, positional)", a.constructTyped, "NativeEvent(...)", py("EventSlots(...)", \.constructSlotsNs))
        row("construct EventSlots (typed, keyword)", a.constructTypedKeyword, "NativeEvent(...)", "")
        row("construct EventSlots (new() + typed stores)", a.constructTypedStores, "NativeEvent(...)", "")
        row("construct EventSlots (typed initializer)", a.constructTypedInitializer, "NativeEvent(...)", "")
        row("construct EventSlots (new(count:), bulk) \u{2021}", a.constructBulk, "NativeEvent(...)", "")
        row("construct EventSlots (untyped)", a.constructUntyped, "NativeEvent(...)", "")
        row("construct EventDict (keyword)", a.constructDict, "NativeEvent(...)", py("EventDict(...)", \.constructDictNs))
        row("space.free(e)", a.free, "last release of object", "")
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
        lines.append("  \u{2021} one call builds all \(a.workingSet.grouped) instances (one arena lock for every cell); per instance, beside one-at-a-time native construction.")
        lines.append("  Every construction is timed into preallocated storage, each kind right after an untimed pass that builds and frees as many.")
        if let python {
            lines.append(
                "  \(pythonName) figures are timeit medians per statement, its loop overhead"
                    + " (\(nanos(python.loopOverheadNs)) for `pass`) included.")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private func targetsSection() -> String {
        var lines = ["5. Targets (measured in this run)"]
        for target in targets {
            lines.append("  \(target.status.rawValue)  \(target.goal): \(target.measured)")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

/// `True` / `False`, as Python prints them.
private func pythonBool(_ value: Bool) -> String { value ? "True" : "False" }
