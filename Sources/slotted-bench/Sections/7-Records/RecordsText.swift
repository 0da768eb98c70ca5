//===----------------------------------------------------------------------===//
//
// RecordsText.swift: report section 7, the records workload, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func recordsSection() -> String {
        let r = records
        func ratio(_ a: Double, _ b: Double) -> String { times(b > 0 ? a / b : 0) }
        var lines = [
            "7. Records: \(r.rows.grouped) generated rows of \(r.columns) columns (ints, doubles, short strings,"
                + " two 20-character timestamp columns of \(r.distinctTimestamps.grouped) distinct values, a bool),"
                + " \(fixed(r.missingPercent, 0))% missing",
            "   loaded into a class defined from the schema (missing cells are unset slots) and into",
            "   ContiguousArray<struct of optionals>; bytes: arena + 8-byte handle per row, struct: \(r.structWeighing)",
            "                                     bytes/row   construct/row   scan/row   bytes vs struct",
        ]
        func row(_ label: String, _ bytes: Double, _ construct: Double, _ scan: Double) {
            lines.append(
                "  " + label.padding(toLength: 33, withPad: " ", startingAt: 0)
                    + fixed(bytes, 1).leftPadded(11) + nanos(construct).leftPadded(16) + nanos(scan).leftPadded(11)
                    + ratio(bytes, r.structBytesPerRow).leftPadded(18))
        }
        row("slotted class", r.bytesPerRow, r.constructNs, r.scanNs)
        row("slotted class, timestamps intern", r.internedBytesPerRow, r.internedConstructNs, r.internedScanNs)
        row("struct array with optionals", r.structBytesPerRow, r.structConstructNs, r.structScanNs)
        lines.append("  scan: sum(price) where status == \"PAID\"; a 20-byte string in a slot costs \(r.string20Bytes) B of arena")
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
