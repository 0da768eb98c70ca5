//===----------------------------------------------------------------------===//
//
// ThreadsText.swift: report section 6, threads, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func threadsSection() -> String {
        let n = threadFigures.threads
        var lines = [
            "6. Threads: construct+free per second, each thread building then freeing its own working set"
                + " (one space; native: final class on jemalloc's per-thread caches); each figure the best of"
                + " \(threadFigures.runs) timings spread over the section, the least disturbed by other load"
        ]
        var table = TextTable([
            "working set/thread", "slotted 1 thread", "slotted \(n) threads", "scaling",
            "native 1 thread", "native \(n) threads", "native scaling",
        ])
        func rate(_ perSecond: Double) -> String { "\(fixed(perSecond / 1e6, 1)) M/s" }
        for row in threadFigures.rows {
            table.add([
                row.workingSet.grouped, rate(row.slottedOne), rate(row.slottedMany), times(row.slottedScaling),
                rate(row.nativeOne), rate(row.nativeMany), times(row.nativeScaling),
            ])
        }
        lines.append(table.render())
        let ratio = threadFigures.sameThreadFreeNs > 0 ? threadFigures.crossThreadFreeNs / threadFigures.sameThreadFreeNs : 0
        lines.append(
            "  free on a consumer thread while a producer builds: \(nanos(threadFigures.crossThreadFreeNs))"
                + " per free; on the building thread: \(nanos(threadFigures.sameThreadFreeNs)) (\(times(ratio)))")
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
