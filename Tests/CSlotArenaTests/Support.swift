// What the C arena's tests share: a cell's generation and an arena's counters.
import CSlotArena

/// The generation in a cell's header.
func generation(of cell: UnsafeMutableRawPointer) -> UInt32 {
    UInt32(truncatingIfNeeded: cell.load(as: UInt64.self) >> UInt64(SLOTARENA_GEN_SHIFT))
}

/// The arena's counters.
func stats(_ arena: OpaquePointer) -> slotarena_stats {
    var s = slotarena_stats()
    slotarena_stats_read(arena, &s)
    return s
}
