//===----------------------------------------------------------------------===//
//
// MemoryAtScaleText.swift: report section 2, memory at scale, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func memorySection(python: CPythonFigures?, pythonName: String) -> String {
        let memory = memoryAtScale
        var lines = [
            "2. Memory at scale: the article's second program, N = \(n.grouped)",
            "   (peak bytes while building all N, as tracemalloc measures; Slotted counts its arena,",
            "   the array of handles lives outside it; tracemalloc also counts CPython's list;",
            "   Slotted's Dict is the shaped EventDict; the last two rows compare against EventDict in",
            "   dictionary mode, a hash table per instance, the only form of a dict before shapes)",
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
        table.add(["Dict, hash tables: \(megabytes(memory.dictTable.bytes))", "Dict, hash tables: \(megabytes(memory.dictTable.bytes))", ""])
        table.add([
            "Saving against it: \(fixed(memory.typedTableSavingPercent, 0))%",
            "Saving against it: \(fixed(memory.untypedTableSavingPercent, 0))%", "",
        ])
        lines.append(table.render())
        lines.append("")

        var perInstance = TextTable([
            "kind", "bytes", "per instance", "reserved/instance", "ns/construction", "weighed by",
        ])
        perInstance.alignments[5] = .left
        for result in [memory.dictTable, memory.dict, memory.untypedSlots, memory.typedSlots, memory.nativeClass, memory.structArray] {
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
}
