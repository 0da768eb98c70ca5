//===----------------------------------------------------------------------===//
//
// PerInstanceText.swift: report section 1, per instance, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func perInstanceSection(python: CPythonFigures?, pythonName: String) -> String {
        var lines = ["1. Per instance: the article's first program"]
        var table = TextTable(["", "Slotted", pythonName], alignments: [.left, .left, .left])
        let figures = perInstance
        let dictPart = figures.pointDictBytes - figures.pointDictCellBytes
        table.add([
            "getsizeof(PointDict(1.0, 2.0)) + dict",
            dictPart >= 0
                ? "\(figures.pointDictBytes) B (cell \(figures.pointDictCellBytes) + dict values inline \(dictPart))"
                : "\(figures.pointDictBytes) B",
            python.map {
                "\($0.pointDictBytes + $0.pointDictDictBytes) B (object \($0.pointDictBytes) + __dict__ \($0.pointDictDictBytes))"
            } ?? "-",
        ])
        table.add([
            "the same after del p.x; p.x = 1.0", "\(figures.pointDictTableBytes) B (dictionary mode: a hash table)", "-",
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
        lines.append("  PointDict's dictionary: \(figures.pointDictShape)")
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
}

/// `True` / `False`, as Python prints them.
private func pythonBool(_ value: Bool) -> String { value ? "True" : "False" }
