//===----------------------------------------------------------------------===//
//
// Format.swift: number formatting and plain-text tables.
//
//===----------------------------------------------------------------------===//

import Foundation

extension Int {
    /// The number with thousands separators: `1,000,000`.
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (offset, digit) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return self < 0 ? "-" + out : out
    }
}

/// `value` with a fixed number of decimals.
func fixed(_ value: Double, _ decimals: Int = 1) -> String {
    String(format: "%.\(decimals)f", value)
}

/// Bytes as the article prints them: bytes / 1024 / 1024 with one decimal.
func megabytes(_ bytes: Int) -> String {
    fixed(Double(bytes) / 1024 / 1024, 1) + " MB"
}

/// A nanosecond figure with as many decimals as are meaningful.
func nanos(_ value: Double) -> String {
    switch value {
    case ..<10: fixed(value, 2) + " ns"
    case ..<100: fixed(value, 1) + " ns"
    case ..<10_000: fixed(value, 0) + " ns"
    case ..<1_000_000: fixed(value / 1e3, 1) + " us"
    case ..<10_000_000: fixed(value / 1e6, 2) + " ms"
    default: fixed(value / 1e6, 1) + " ms"
    }
}

/// A ratio as `1.23x`.
func times(_ ratio: Double) -> String {
    ratio.isFinite ? fixed(ratio, 2) + "x" : "n/a"
}

/// A plain-text table with a header row, padded columns and an indent.
struct TextTable {
    /// How a column's cells line up.
    enum Alignment { case left, right }

    var header: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []
    var indent = "  "

    init(_ header: [String], alignments: [Alignment]? = nil) {
        self.header = header
        self.alignments =
            alignments ?? [.left] + Array(repeating: .right, count: max(0, header.count - 1))
    }

    mutating func add(_ cells: [String]) {
        rows.append(cells)
    }

    /// The table as lines of text, the header underlined.
    func render() -> String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        func line(_ row: [String]) -> String {
            var parts: [String] = []
            for (column, width) in widths.enumerated() {
                let cell = column < row.count ? row[column] : ""
                let pad = String(repeating: " ", count: width - cell.count)
                parts.append(alignments[column] == .left ? cell + pad : pad + cell)
            }
            var text = indent + parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        var lines = [line(header)]
        lines.append(indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }
}

/// Progress lines for long steps, on standard error so stdout stays the report.
enum Progress {
    nonisolated(unsafe) static var enabled = true

    static func note(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("slotted-bench: " + message + "\n").utf8))
    }
}
