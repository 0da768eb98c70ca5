//===----------------------------------------------------------------------===//
//
// SVGChart.swift: bytes per instance against N as a plain SVG line chart.
//
//===----------------------------------------------------------------------===//

import Foundation

/// A line chart of bytes per instance (linear y) against N (log x), one line
/// per kind, written as hand-made SVG text.
struct SVGChart {
    var points: [ScalingPoint]
    var title = "Bytes per instance against N"

    private let width = 760.0
    private let height = 440.0
    private let left = 70.0
    private let right = 230.0
    private let top = 46.0
    private let bottom = 60.0

    private static let colors: [ObjectKind: String] = [
        .dict: "#d62728",
        .dictTable: "#9467bd",
        .untypedSlots: "#ff7f0e",
        .typedSlots: "#2ca02c",
        .nativeClass: "#1f77b4",
        .structArray: "#7f7f7f",
    ]

    /// The chart as an SVG document.
    func render() -> String {
        let sizes = Array(Set(points.map(\.n))).sorted()
        guard let smallest = sizes.first, let largest = sizes.last else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>\n"
        }
        var logLow = log10(Double(smallest))
        var logHigh = log10(Double(largest))
        if logHigh - logLow < 1e-9 {
            logLow -= 0.5
            logHigh += 0.5
        }
        let yMax = Self.niceCeiling(points.map(\.bytesPerInstance).max() ?? 1)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func x(_ n: Int) -> Double { left + (log10(Double(n)) - logLow) / (logHigh - logLow) * plotWidth }
        func y(_ bytes: Double) -> Double { top + plotHeight - bytes / yMax * plotHeight }

        var svg: [String] = []
        svg.append(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">")
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
        svg.append(
            "<text x=\"\(f(left + plotWidth / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>")

        // Grid and y ticks.
        let yTicks = 5
        for tick in 0...yTicks {
            let value = yMax * Double(tick) / Double(yTicks)
            let ty = y(value)
            svg.append(
                "<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(ty))\" stroke=\"#e0e0e0\"/>")
            svg.append(
                "<text x=\"\(f(left - 8))\" y=\"\(f(ty + 4))\" text-anchor=\"end\">\(fixedTick(value))</text>")
        }
        // X ticks at every measured N.
        for size in sizes {
            let tx = x(size)
            svg.append(
                "<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(top + plotHeight))\" stroke=\"#e0e0e0\"/>")
            svg.append(
                "<text x=\"\(f(tx))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"middle\">\(size.grouped)</text>")
        }
        // Axes and their labels.
        svg.append(
            "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" "
                + "y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>")
        svg.append(
            "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\" stroke=\"black\"/>")
        svg.append(
            "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 16))\" text-anchor=\"middle\">"
                + "N (instances, log scale)</text>")
        svg.append(
            "<text x=\"18\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\">bytes per instance</text>")

        // The legend, in the kinds' order.
        var legendY = top + 8
        for kind in ObjectKind.allCases where points.contains(where: { $0.kind == kind }) {
            let color = Self.colors[kind] ?? "black"
            let legendX = left + plotWidth + 20
            svg.append(
                "<line x1=\"\(f(legendX))\" y1=\"\(f(legendY))\" x2=\"\(f(legendX + 24))\" y2=\"\(f(legendY))\" "
                    + "stroke=\"\(color)\" stroke-width=\"2\"/>")
            svg.append(
                "<text x=\"\(f(legendX + 30))\" y=\"\(f(legendY + 4))\">\(escape(kind.label))</text>")
            legendY += 22
        }

        // One line per kind, the Slotted ones drawn last so that they stay on top.
        for kind in [ObjectKind.structArray, .nativeClass, .dictTable, .dict, .untypedSlots, .typedSlots] {
            let series = points.filter { $0.kind == kind }.sorted { $0.n < $1.n }
            guard !series.isEmpty else { continue }
            let color = Self.colors[kind] ?? "black"
            let path = series.map { "\(f(x($0.n))),\(f(y($0.bytesPerInstance)))" }.joined(separator: " ")
            svg.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>")
            for point in series {
                svg.append(
                    "<circle cx=\"\(f(x(point.n)))\" cy=\"\(f(y(point.bytesPerInstance)))\" r=\"3\" fill=\"\(color)\">"
                        + "<title>\(escape(kind.label)), N = \(point.n.grouped): "
                        + "\(fixedTick(point.bytesPerInstance)) B</title></circle>")
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// Writes the chart to `path`.
    func write(to path: String) throws {
        try render().write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power
    /// of ten) at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        for step in [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] where step * power >= value {
            return step * power
        }
        return 10 * power
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private func fixedTick(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
