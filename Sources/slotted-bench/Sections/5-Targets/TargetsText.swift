//===----------------------------------------------------------------------===//
//
// TargetsText.swift: report section 5, the targets, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func targetsSection() -> String {
        var lines = ["5. Targets (measured in this run)"]
        for target in targets {
            lines.append("  \(target.status.rawValue)  \(target.goal): \(target.measured)")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
