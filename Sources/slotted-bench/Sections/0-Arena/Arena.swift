//===----------------------------------------------------------------------===//
//
// Arena.swift: the C arena alone, against plain sized allocation: bytes for
// 1,000,000 cells of 24 bytes and ns per alloc/free pair, in one run.
//
//===----------------------------------------------------------------------===//

import CSlotArena

/// The arena's exact-size cells against `mallocx(24)` in a private arena.
struct ArenaFigures: Codable {
    var cellSize: Int
    var count: Int
    /// jemalloc's bytes for the arena holding `count` live cells.
    var poolBytes: Int
    /// jemalloc's bytes for an arena holding `count` live `mallocx(cellSize)`.
    var plainBytes: Int
    var poolBytesPerCell: Double
    var plainBytesPerCell: Double
    /// ns per alloc + free pair on a warm pool (its free list).
    var poolPairNs: Double
    /// ns per `mallocx` + `sdallocx` pair, `MALLOCX_TCACHE_NONE`.
    var plainPairNs: Double
}

/// Runs `slotarena_compare_with_plain` (the measurement is in C, so no Swift overhead is
/// counted on either side).
func measureArena(cellSize: Int = 24, count: Int = 1_000_000) throws -> ArenaFigures {
    var out = slotarena_plain_comparison()
    guard slotarena_compare_with_plain(cellSize, count, &out) == 0 else {
        throw BenchFailure("the allocator refused memory for the arena comparison")
    }
    return ArenaFigures(
        cellSize: cellSize, count: count,
        poolBytes: Int(out.pool_bytes), plainBytes: Int(out.plain_bytes),
        poolBytesPerCell: Double(out.pool_bytes) / Double(count),
        plainBytesPerCell: Double(out.plain_bytes) / Double(count),
        poolPairNs: out.pool_pair_ns, plainPairNs: out.plain_pair_ns)
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
