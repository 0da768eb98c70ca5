//===----------------------------------------------------------------------===//
//
// ScalingText.swift: report section 3, scaling, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func scalingSection() -> String {
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
        for kind in [ObjectKind.typedSlots, .untypedSlots, .dict, .dictTable] {
            let values = scaling.filter { $0.kind == kind }.map(\.bytesPerInstance)
            guard let low = values.min(), let high = values.max() else { continue }
            lines.append(
                "  \(kind.label): \(fixed(low, 1))...\(fixed(high, 1)) B per instance over the sweep"
                    + " (spread \(fixed(high - low, 1)) B)")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
