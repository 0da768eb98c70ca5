internal import CSlotArena

/// A snapshot of an object space's memory, read from the arena's own counters and from
/// jemalloc's per-arena statistics.
public struct MemoryStats: Hashable, Sendable, Codable {
    /// Bytes handed out now: instance cells plus blocks (dictionaries with their 16-byte
    /// prefix; long strings, their UTF-8 bytes and an 8-byte count rounded up to 8; the
    /// table of interned strings). `tracemalloc.get_traced_memory()[0]`.
    public let allocatedBytes: Int
    /// High-water mark of `allocatedBytes` since the last ``SpaceMemory/resetPeak()``.
    /// `tracemalloc.get_traced_memory()[1]`. Exact while one thread allocates and frees;
    /// while several do, it may read above the true high-water mark (never below it), by at
    /// most the cells their per-thread caches held.
    public let peakBytes: Int
    /// Bytes the arena holds from the system for this space: jemalloc's active pages of the
    /// arena (`stats.arenas.<i>.pactive`), which covers slabs, blocks and bookkeeping; in
    /// the system-allocator build, slab and block bytes.
    public let reservedBytes: Int
    /// jemalloc's `small.allocated + large.allocated` for the arena (the system build: the
    /// same as `reservedBytes`).
    public let backendAllocatedBytes: Int
    /// Live instances.
    public let liveInstances: Int
    /// Bytes in live instance cells.
    public let instanceBytes: Int
    /// Live blocks and their bytes.
    public let liveBlocks: Int
    public let blockBytes: Int
    /// Bytes reserved in slabs for cells.
    public let slabBytes: Int
    /// Cells that used up their generations and are never reused.
    public let retiredCells: Int
    /// Attribute names of instance dictionaries the space keeps interned: each is kept while
    /// some dictionary entry uses it, and released with the last one (a delete, the free of
    /// the instance, ``ObjectSpace/reset()``). Names of shaped dictionaries count while some
    /// instance has a shape that holds them; hash-table entries intern theirs in a name
    /// table, which ``internedNameBytes`` weighs.
    public let internedNames: Int
    /// An estimate of the bytes the interned names take on the Swift heap, outside the arena:
    /// the name table's hash table and arrays at their capacities, and the text of names too
    /// long for Swift's inline form (more than 15 UTF-8 bytes). 0 when no name is interned.
    public let internedNameBytes: Int
    /// Shapes of instance dictionaries, kept until the space is destroyed: each class with a
    /// `__dict__` has its empty root, and one more for each transition.
    public let shapeCount: Int
    /// Transitions between shapes (an attribute added to a shape).
    public let shapeTransitions: Int
    /// Distinct long strings interned by string slots that intern (``StringInterning``):
    /// each is one text block, shared by its users and freed with the last. Their blocks and
    /// the table (16 bytes an entry, at most 3/4 full) are in ``blockBytes``.
    public let internedStrings: Int
}

/// The memory meter of a space (`space.memory`), the `tracemalloc` analog.
public struct SpaceMemory: Sendable {
    let space: ObjectSpace

    /// All counters at once.
    public var stats: MemoryStats {
        var s = slotarena_stats()
        slotarena_stats_read(space.arena, &s)
        let names = space.state.withLock { s in
            // Names of shaped dictionaries count once, unless a hash table also uses them.
            var shaped = Set<AttributeName>()
            for info in s.classes { info.shapes?.collectLiveNames(into: &shaped) }
            let extra = shaped.filter { s.names.id(of: $0.text) == nil }.count
            return (count: s.names.count + extra, bytes: s.names.bytes)
        }
        let shapes = space.shapeCounts
        return MemoryStats(
            allocatedBytes: Int(s.allocated_bytes), peakBytes: Int(s.peak_bytes),
            reservedBytes: Int(s.backend_active), backendAllocatedBytes: Int(s.backend_allocated),
            liveInstances: Int(s.live_cells), instanceBytes: Int(s.cell_bytes),
            liveBlocks: Int(s.live_blocks), blockBytes: Int(s.block_bytes), slabBytes: Int(s.slab_bytes),
            retiredCells: Int(s.retired_cells),
            internedNames: names.count, internedNameBytes: names.bytes,
            shapeCount: shapes.shapes, shapeTransitions: shapes.transitions,
            internedStrings: space.strings.withLock { $0.count })
    }

    /// Bytes live in the arena now (tracemalloc's current).
    public var allocatedBytes: Int { stats.allocatedBytes }
    /// High-water mark since the last ``resetPeak()``.
    public var peakBytes: Int { stats.peakBytes }
    /// Bytes the arena holds from the system for this space.
    public var reservedBytes: Int { stats.reservedBytes }
    /// Live instances.
    public var liveInstances: Int { stats.liveInstances }

    /// Sets the peak to the current bytes (`tracemalloc.reset_peak()`).
    public func resetPeak() { slotarena_peak_reset(space.arena) }
}

extension ObjectSpace {
    /// The space's memory meter: ``SpaceMemory/allocatedBytes``, ``SpaceMemory/peakBytes``,
    /// ``SpaceMemory/reservedBytes``, ``SpaceMemory/resetPeak()``.
    public var memory: SpaceMemory { SpaceMemory(space: self) }
}
