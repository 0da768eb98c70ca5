// Tests of the C arena API (CSlotArena), called directly.
import CSlotArena
import Testing

/// A class id for test cells: any non-zero value marks a cell live.
private let testClassBits: UInt64 = 1 << UInt64(SLOTARENA_CLASS_SHIFT)

private func withArena<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
    let arena = try #require(slotarena_create())
    defer { slotarena_destroy(arena) }
    return try body(arena)
}

private let jemallocBackend = String(cString: slotarena_backend()) == "jemalloc"

@Suite("C arena", .serialized)
struct ArenaTests {
    @Test("the backend in use is named, and the test output says which")
    func backendIsNamed() {
        let name = String(cString: slotarena_backend())
        print("CSlotArena backend: \(name)")
        #expect(name == "jemalloc" || name == "system")
    }

    @Test("the fused peeks compute what a peek and the operation compute")
    func fusedPeeks() {
        let words: [UInt64] = [0, 1, 0x8000_0000_0000_0001, 0xFFFF_FFFF_FFFF_FFFF, 0x0123_4567_89AB_CDEF]
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        defer { p.deallocate() }
        for w in words {
            p.pointee = w
            for v in words {
                #expect(slotarena_peek64_or_acquire(p, v) == w | v)
                #expect(slotarena_peek64_and(p, v) == w & v)
                #expect(slotarena_peek64_sc_equals(p, v) == (w == v))
            }
        }
    }

    @Test("a pool rounds its cell size up to 8 bytes and at least 16")
    func cellSizeRounding() throws {
        try withArena { arena in
            #expect(slotarena_pool_cell_size(slotarena_pool_for_size(arena, 20)) == 24)
            #expect(slotarena_pool_cell_size(slotarena_pool_for_size(arena, 24)) == 24)
            #expect(slotarena_pool_cell_size(slotarena_pool_for_size(arena, 3)) == 16)
            #expect(slotarena_pool_cell_size(slotarena_pool_for_size(arena, 33)) == 40)
            #expect(slotarena_pool_for_size(arena, 20) == slotarena_pool_for_size(arena, 24))
        }
    }

    @Test("a size above the largest cell gets no pool")
    func oversizedCellRejected() throws {
        try withArena { arena in
            #expect(slotarena_pool_for_size(arena, Int(SLOTARENA_MAX_CELL) + 1) == nil)
            #expect(slotarena_pool_for_size(arena, Int(SLOTARENA_MAX_CELL)) != nil)
        }
    }

    @Test("a new cell is zeroed past its header, which holds a live generation and the given bits")
    func newCellIsZeroed() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 48))
            let cell = try #require(slotarena_cell_alloc(pool, testClassBits | 0b101))
            // 1 in a fresh slab; above every earlier one in a slab a destroyed arena left.
            #expect(generation(of: cell) >= 1 && generation(of: cell) < UInt32(SLOTARENA_GEN_RETIRED))
            #expect(cell.load(as: UInt64.self) & ((1 << 45) - 1) == testClassBits | 0b101)
            for offset in stride(from: 8, to: 48, by: 8) {
                #expect(cell.load(fromByteOffset: offset, as: UInt64.self) == 0)
            }
        }
    }

    @Test("cells of one size sit back to back in their slab")
    func cellsAreContiguous() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 24))
            var previous = try #require(slotarena_cell_alloc(pool, testClassBits))
            for _ in 0..<1000 {
                let next = try #require(slotarena_cell_alloc(pool, testClassBits))
                #expect(next - previous == 24)
                previous = next
            }
        }
    }

    @Test("a freed cell is reused before new memory, with its generation advanced and its bytes zeroed")
    func freedCellIsReused() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 32))
            let a = try #require(slotarena_cell_alloc(pool, testClassBits))
            a.storeBytes(of: 0xDEAD_BEEF, toByteOffset: 16, as: UInt64.self)
            var before = slotarena_pool_stats()
            slotarena_pool_stats_read(arena, 32, &before)
            let first = generation(of: a)
            #expect(slotarena_cell_free(pool, a, first) == Int32(SLOTARENA_OK))
            #expect(generation(of: a) == first + 1)
            let b = try #require(slotarena_cell_alloc(pool, testClassBits))
            #expect(a == b)
            #expect(generation(of: b) == first + 1)
            #expect(b.load(fromByteOffset: 16, as: UInt64.self) == 0)
            var ps = slotarena_pool_stats()
            slotarena_pool_stats_read(arena, 32, &ps)
            #expect(ps.carved_cells == before.carved_cells)
            #expect(ps.slab_count == 1)
        }
    }

    @Test("freeing with a stale generation is refused and changes nothing")
    func staleFreeRefused() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 16))
            let a = try #require(slotarena_cell_alloc(pool, testClassBits))
            let first = generation(of: a)
            #expect(slotarena_cell_free(pool, a, first) == Int32(SLOTARENA_OK))
            let before = stats(arena)
            var poolBefore = slotarena_pool_stats()
            slotarena_pool_stats_read(arena, 16, &poolBefore)
            #expect(slotarena_cell_free(pool, a, first) == Int32(SLOTARENA_ERR_STALE))
            // The free cell now has the next generation but no class: still refused.
            #expect(slotarena_cell_free(pool, a, first + 1) == Int32(SLOTARENA_ERR_STALE))
            let after = stats(arena)
            #expect(after.live_cells == 0)
            #expect(after.live_cells == before.live_cells)
            #expect(after.cell_bytes == before.cell_bytes)
            var ps = slotarena_pool_stats()
            slotarena_pool_stats_read(arena, 16, &ps)
            #expect(ps.free_cells == poolBefore.free_cells)
            #expect(ps.free_cells == ps.carved_cells)
        }
    }

    @Test("one million 24-byte cells cost at most 24.5 MB of arena memory, and all of it is live bytes until freed")
    func millionCellsFitBudget() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 24))
            let n = 1_000_000
            var cells = [UnsafeMutableRawPointer]()
            cells.reserveCapacity(n)
            for _ in 0..<n { cells.append(try #require(slotarena_cell_alloc(pool, testClassBits))) }
            let full = stats(arena)
            #expect(full.live_cells == UInt64(n))
            #expect(full.cell_bytes == UInt64(24 * n))
            #expect(full.slab_bytes <= 24_500_000)
            if jemallocBackend {
                // jemalloc's own count for this arena (pools and the arena struct), plus the slabs.
                #expect(full.backend_allocated <= 24_500_000)
                #expect(full.backend_allocated >= full.slab_bytes)
                print("1,000,000 cells of 24 bytes: \(full.backend_allocated) bytes in the arena (jemalloc), \(Double(full.backend_allocated) / Double(n)) per cell")
            }
            for cell in cells { #expect(slotarena_cell_free(pool, cell, generation(of: cell)) == 0) }
            let empty = stats(arena)
            #expect(empty.live_cells == 0)
            #expect(empty.allocated_bytes == 0)
            #expect(empty.peak_bytes == UInt64(24 * n))
        }
    }

    @Test("blocks are counted with their prefix while live and not after free")
    func blocksAreCounted() throws {
        try withArena { arena in
            let block = try #require(slotarena_block_alloc(arena, 100, 1))
            let bytes = UnsafeRawBufferPointer(start: block, count: 100)
            #expect(bytes.allSatisfy { $0 == 0 })
            #expect(stats(arena).live_blocks == 1)
            #expect(stats(arena).block_bytes == 116)
            slotarena_block_free(arena, block, 100)
            #expect(stats(arena).live_blocks == 0)
            #expect(stats(arena).allocated_bytes == 0)
        }
    }

    @Test("the peak is a high-water mark that reset moves to the current bytes")
    func peakTracksHighWater() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 64))
            var cells = [UnsafeMutableRawPointer]()
            for _ in 0..<10 { cells.append(try #require(slotarena_cell_alloc(pool, testClassBits))) }
            for cell in cells.suffix(5) { _ = slotarena_cell_free(pool, cell, generation(of: cell)) }
            #expect(stats(arena).peak_bytes == 640)
            #expect(stats(arena).allocated_bytes == 320)
            slotarena_peak_reset(arena)
            #expect(stats(arena).peak_bytes == 320)
            _ = slotarena_cell_alloc(pool, testClassBits)
            #expect(stats(arena).peak_bytes == 384)
        }
    }

    @Test("reset frees every cell and block, keeps the slabs and advances every generation")
    func resetFreesEverything() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 24))
            var cells = [UnsafeMutableRawPointer]()
            for _ in 0..<10_000 { cells.append(try #require(slotarena_cell_alloc(pool, testClassBits))) }
            let generations = Dictionary(uniqueKeysWithValues: cells.map { ($0, generation(of: $0)) })
            _ = try #require(slotarena_block_alloc(arena, 1000, 0))
            let slabs = stats(arena).slab_bytes
            slotarena_reset(arena)
            let after = stats(arena)
            #expect(after.live_cells == 0)
            #expect(after.live_blocks == 0)
            #expect(after.allocated_bytes == 0)
            #expect(after.slab_bytes == slabs)
            #expect(slotarena_cell_free(pool, cells[0], generations[cells[0]]!) == Int32(SLOTARENA_ERR_STALE))
            // As many cells again fit in the same slabs; a cell handed out before the reset
            // comes back with its generation advanced.
            var reused = 0
            for _ in 0..<10_000 {
                let again = try #require(slotarena_cell_alloc(pool, testClassBits))
                if let old = generations[again] {
                    reused += 1
                    if generation(of: again) != old + 1 { Issue.record("reused cell at generation \(generation(of: again))") }
                }
            }
            #expect(reused > 9_900)
            #expect(stats(arena).slab_bytes == slabs)
        }
    }

    @Test("after destroy the arena's statistics read zero and no old handle matches a header")
    func destroyReturnsEverything() throws {
        let arena = try #require(slotarena_create())
        let pool = try #require(slotarena_pool_for_size(arena, 24))
        var cells = [UnsafeMutableRawPointer]()
        for _ in 0..<100_000 { cells.append(try #require(slotarena_cell_alloc(pool, testClassBits))) }
        let old = [cells[0], cells[99_999]].map { ($0, generation(of: $0)) }
        let live = stats(arena)
        let index = live.arena_index
        // jemalloc counts the pools and the arena struct; the slabs are not its.
        if jemallocBackend { #expect(slotarena_backend_bytes_of_index(index) > 0) }
        slotarena_destroy(arena)
        #expect(slotarena_backend_bytes_of_index(index) == 0)
        // The addresses stay mapped: read-only zeros (generation 0), or, once another
        // arena's pool of 24-byte cells took the slab over, a newer generation.
        for (cell, generation) in old {
            let header = cell.load(as: UInt64.self)
            #expect(header == 0 || UInt32(truncatingIfNeeded: header >> UInt64(SLOTARENA_GEN_SHIFT)) > generation)
        }
    }

    @Test("the fail-next hook refuses exactly the next allocations and leaves the counters right")
    func failNextHook() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 24))
            _ = try #require(slotarena_cell_alloc(pool, testClassBits))
            guard slotarena_debug_fail_next(arena, 0, 2) == 1 else {
                // Release builds compile the hook out; the tests run in debug.
                Issue.record("fail-next hook not compiled into this build")
                return
            }
            let before = stats(arena)
            #expect(slotarena_cell_alloc(pool, testClassBits) == nil)
            #expect(slotarena_block_alloc(arena, 64, 0) == nil)
            let after = stats(arena)
            #expect(after.live_cells == before.live_cells)
            #expect(after.live_blocks == before.live_blocks)
            #expect(slotarena_cell_alloc(pool, testClassBits) != nil)
        }
    }

    @Test("a cell that used up its generations is retired, never handed out again")
    func exhaustedCellRetires() throws {
        try withArena { arena in
            let pool = try #require(slotarena_pool_for_size(arena, 16))
            let cell = try #require(slotarena_cell_alloc(pool, testClassBits))
            // Walk the cell to its last live generation the honest way: free and reuse.
            var gen = generation(of: cell)
            let last = UInt32(SLOTARENA_GEN_RETIRED) - 1
            while gen < last {
                if slotarena_cell_free(pool, cell, gen) != 0 { Issue.record("free refused at generation \(gen)"); return }
                let again = slotarena_cell_alloc(pool, testClassBits)
                if again != cell { Issue.record("cell not reused at generation \(gen)"); return }
                gen += 1
            }
            #expect(slotarena_cell_free(pool, cell, last) == 0)
            var ps = slotarena_pool_stats()
            slotarena_pool_stats_read(arena, 16, &ps)
            #expect(ps.retired_cells == 1)
            #expect(ps.live_cells == 0)
            #expect(ps.free_cells == ps.carved_cells - 1)  // every cell but the retired one
            let fresh = try #require(slotarena_cell_alloc(pool, testClassBits))
            #expect(fresh != cell)
        }
    }
}
