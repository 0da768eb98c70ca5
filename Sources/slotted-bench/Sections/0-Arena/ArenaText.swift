//===----------------------------------------------------------------------===//
//
// ArenaText.swift: report section 0, the arena, as text.
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    func arenaSection() -> String {
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
}
