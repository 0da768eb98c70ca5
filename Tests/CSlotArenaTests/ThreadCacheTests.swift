// Tests of the per-thread cell caches: counters stay exact across threads, a thread that
// exits hands its cells back, and an arena destroyed under another thread's cache leaves
// that thread working.
import CSlotArena
import Foundation
import Testing

private let liveBits: UInt64 = 1 << UInt64(SLOTARENA_CLASS_SHIFT)

private func poolStats(_ arena: OpaquePointer, _ size: Int) -> slotarena_pool_stats {
    var s = slotarena_pool_stats()
    slotarena_pool_stats_read(arena, size, &s)
    return s
}

/// The 24-byte pool of `arena`: an allocator of `n` live cells and a freer of cells, both on
/// the calling thread and in order, and one batch of its thread cache (half of `bin_cells`).
private func pool24(_ arena: OpaquePointer) throws
    -> (allocate: (Int) -> [UnsafeMutableRawPointer], free: (ArraySlice<UnsafeMutableRawPointer>) -> Void, batch: Int)
{
    let pool = try #require(slotarena_pool_for_size(arena, 24))
    return ({ n in (0..<n).map { _ in slotarena_cell_alloc(pool, liveBits)! } },
            { cells in for c in cells { _ = slotarena_cell_free(pool, c, generation(of: c)) } },
            Int(poolStats(arena, 24).bin_cells) / 2)
}

/// Raw pointers handed between test threads, which synchronise through join.
private struct Shared: @unchecked Sendable {
    let arena: OpaquePointer
    let pool: OpaquePointer
}

/// Runs `body` on a new POSIX thread and waits for the thread to exit, so that its
/// thread-exit handlers have run when this returns.
private func onNewThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, context)
    precondition(created == 0, "pthread_create failed")
    pthread_join(thread, nil)
}

@Suite("C arena: thread caches", .serialized)
struct ThreadCacheTests {
    @Test("after threads allocate and free through their caches, live counts return to zero and every carved cell is free")
    func countersExactAcrossThreads() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let shared = Shared(arena: arena, pool: try #require(slotarena_pool_for_size(arena, 24)))
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var cells: [UnsafeMutableRawPointer] = []
            for round in 0..<20 {
                for _ in 0..<(500 + 37 * worker + round) {
                    guard let c = slotarena_cell_alloc(shared.pool, liveBits) else { return }
                    cells.append(c)
                }
                for c in cells { _ = slotarena_cell_free(shared.pool, c, generation(of: c)) }
                cells.removeAll(keepingCapacity: true)
            }
        }
        let s = stats(arena)
        #expect(s.live_cells == 0)
        #expect(s.cell_bytes == 0)
        let p = poolStats(arena, 24)
        #expect(p.live_cells == 0)
        #expect(p.free_cells == p.carved_cells)
        #expect(s.cached_cells <= p.free_cells)
    }

    @Test("live cells are exact while other threads still hold cached cells")
    func liveExactWithCachedCells() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let shared = Shared(arena: arena, pool: try #require(slotarena_pool_for_size(arena, 32)))
        // Each worker keeps 100 cells live and leaves some cells in its cache.
        let kept = DispatchQueue.concurrentPerformCollecting(4) { _ -> [UInt] in
            var cells: [UnsafeMutableRawPointer] = []
            for _ in 0..<150 { cells.append(slotarena_cell_alloc(shared.pool, liveBits)!) }
            for c in cells[100...] { _ = slotarena_cell_free(shared.pool, c, generation(of: c)) }
            return cells[..<100].map { UInt(bitPattern: $0) }
        }
        #expect(stats(arena).live_cells == 400)
        #expect(stats(arena).cell_bytes == 400 * 32)
        for address in kept.joined() {
            let c = UnsafeMutableRawPointer(bitPattern: address)!
            #expect(slotarena_cell_free(shared.pool, c, generation(of: c)) == Int32(SLOTARENA_OK))
        }
        #expect(stats(arena).live_cells == 0)
    }

    @Test("a thread that exits hands its cached cells back to their pool")
    func threadExitFlushes() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let shared = Shared(arena: arena, pool: try #require(slotarena_pool_for_size(arena, 40)))
        onNewThread {
            var cells: [UnsafeMutableRawPointer] = []
            for _ in 0..<1_000 { cells.append(slotarena_cell_alloc(shared.pool, liveBits)!) }
            for c in cells { _ = slotarena_cell_free(shared.pool, c, generation(of: c)) }
            precondition(stats(shared.arena).cached_cells > 0, "the thread's cache holds cells before it exits")
        }
        let s = stats(arena)
        #expect(s.cached_cells == 0)
        #expect(s.live_cells == 0)
        let p = poolStats(arena, 40)
        #expect(p.free_cells == p.carved_cells)
    }

    @Test("an arena destroyed while another thread caches its cells leaves that thread able to allocate elsewhere")
    func destroyUnderAnotherThreadsCache() throws {
        let first = try #require(slotarena_create())
        let firstShared = Shared(arena: first, pool: try #require(slotarena_pool_for_size(first, 24)))
        let (ready, proceed, done) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let second = try #require(slotarena_create())
        defer { slotarena_destroy(second) }
        // Pools of eight sizes reach every bin of a thread cache.
        let pools = try (0..<8).map { try #require(slotarena_pool_for_size(second, 16 + 8 * $0)) }
        let secondShared = pools.map { Shared(arena: second, pool: $0) }
        let worker = Thread {
            var cells: [UnsafeMutableRawPointer] = []
            for _ in 0..<100 { cells.append(slotarena_cell_alloc(firstShared.pool, liveBits)!) }
            for c in cells { _ = slotarena_cell_free(firstShared.pool, c, generation(of: c)) }
            ready.signal()
            proceed.wait()  // the first arena is destroyed meanwhile
            for shared in secondShared {
                var mine: [UnsafeMutableRawPointer] = []
                for _ in 0..<100 { mine.append(slotarena_cell_alloc(shared.pool, liveBits)!) }
                for c in mine { _ = slotarena_cell_free(shared.pool, c, generation(of: c)) }
            }
            done.signal()
        }
        worker.start()
        ready.wait()
        #expect(stats(first).cached_cells > 0)
        slotarena_destroy(first)
        proceed.signal()
        done.wait()
        let s = stats(second)
        #expect(s.live_cells == 0)
        for size in 0..<8 {
            let p = poolStats(second, 16 + 8 * size)
            #expect(p.carved_cells > 0)
            #expect(p.free_cells == p.carved_cells)
        }
    }

    @Test("a thread caches about 64 KiB of cells per pool: at most 2,048 cells of 32 bytes, 64 of 1 KiB, 4 of 16 KiB",
          arguments: [(32, 2_048), (1_024, 64), (16_384, 4)])
    func cacheIsBounded(cellSize: Int, most: Int) throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let pool = try #require(slotarena_pool_for_size(arena, cellSize))
        #expect(poolStats(arena, cellSize).bin_cells == UInt64(most))
        let cells = (0..<5_000).map { _ in slotarena_cell_alloc(pool, liveBits)! }
        #expect(stats(arena).cached_cells <= UInt64(most))
        for c in cells { _ = slotarena_cell_free(pool, c, generation(of: c)) }
        #expect(stats(arena).cached_cells <= UInt64(most))
        #expect(stats(arena).cached_cells > 0)
        #expect(stats(arena).live_cells == 0)
    }

    @Test("a thread without a cache allocates and frees through the pool under the lock, with the same results")
    func withoutCache() throws {
        guard slotarena_debug_thread_cache(0) == 1 else {
            Issue.record("the thread-cache hook is compiled into debug builds only")
            return
        }
        defer { _ = slotarena_debug_thread_cache(1) }
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let pool = try #require(slotarena_pool_for_size(arena, 24))
        let cells = (0..<1_000).map { _ in slotarena_cell_alloc(pool, liveBits)! }
        let generations = cells.map { generation(of: $0) }
        #expect(stats(arena).cached_cells == 0)
        #expect(stats(arena).live_cells == 1_000)
        #expect(Set(cells).count == 1_000)
        for c in cells { #expect(slotarena_cell_free(pool, c, generation(of: c)) == Int32(SLOTARENA_OK)) }
        #expect(slotarena_cell_free(pool, cells[0], generations[0]) == Int32(SLOTARENA_ERR_STALE))
        let again = (0..<1_000).map { _ in slotarena_cell_alloc(pool, liveBits)! }
        #expect(again == Array(cells.reversed()))
        #expect(zip(again.reversed(), generations).allSatisfy { generation(of: $0) == $1 + 1 })
        let p = poolStats(arena, 24)
        #expect(p.live_cells == 1_000)
        #expect(p.live_cells + p.free_cells + p.retired_cells == p.carved_cells)
        #expect(stats(arena).peak_bytes == 1_000 * 24)
    }

    @Test("cells freed in some order come back in exactly the reverse order, across many cache refills and flushes")
    func lifoAcrossTheCache() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let pool = try #require(slotarena_pool_for_size(arena, 32))
        let cells = (0..<5_000).map { _ in slotarena_cell_alloc(pool, liveBits)! }
        for c in cells { _ = slotarena_cell_free(pool, c, generation(of: c)) }
        let again = (0..<5_000).map { _ in slotarena_cell_alloc(pool, liveBits)! }
        #expect(again == Array(cells.reversed()))
    }

    @Test("the peak is exact for cells that come from the thread cache: the highest live total, not the current one")
    func peakFromCache() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let (allocate, free, _) = try pool24(arena)
        var cells = allocate(1_000)
        free(cells[500...])
        cells.removeLast(500)
        cells += allocate(200)
        free(cells[...])
        #expect(stats(arena).peak_bytes == 1_000 * 24)
        slotarena_peak_reset(arena)
        #expect(stats(arena).peak_bytes == 0)
        let few = allocate(7)
        free(few[...])
        #expect(stats(arena).peak_bytes == 7 * 24)
    }

    @Test("the peak stays exact for one thread across dozens of batch trades between two reads, none of which samples it")
    func peakAcrossTrades() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let (allocate, free, batch) = try pool24(arena)
        // Up to 10 batches, down to 4, up to 12 less one cell, down to none: the bin refills
        // and flushes many times, and the highest live total comes between two of them.
        var cells = allocate(10 * batch)
        free(cells[(4 * batch)...])
        cells.removeLast(6 * batch)
        cells += allocate(8 * batch - 1)
        free(cells[...])
        #expect(stats(arena).live_cells == 0)
        #expect(stats(arena).peak_bytes == UInt64((12 * batch - 1) * 24))
    }

    @Test("a bin whose dip passes the limit samples the peak at its next flush, and the peak stays exact for one thread")
    func peakSampledAtDipLimit() throws {
        // A lower limit only adds samples, which leave every thread's peak as it was: other
        // tests running meanwhile are unaffected.
        guard slotarena_debug_dip_limit(8) == 1 else { return }
        defer { _ = slotarena_debug_dip_limit(0) }
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let (allocate, free, batch) = try pool24(arena)
        // Each flush while freeing samples (the dip is past 8 by then), in the middle of the
        // climb to the highest total and of the fall from it.
        var cells = allocate(6 * batch)
        free(cells[(2 * batch)...])
        cells.removeLast(4 * batch)
        cells += allocate(7 * batch + 5)
        free(cells[(3 * batch)...])
        cells.removeLast(6 * batch + 5)
        #expect(stats(arena).live_cells == UInt64(3 * batch))
        #expect(stats(arena).peak_bytes == UInt64((9 * batch + 5) * 24))
        free(cells[...])
    }
}

/// Results written by concurrent iterations, each into its own index.
private final class Results<T>: @unchecked Sendable {
    var values: [T?]
    let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
}

extension DispatchQueue {
    /// `concurrentPerform`, collecting each iteration's result.
    fileprivate static func concurrentPerformCollecting<T: Sendable>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = Results<T>(n)
        concurrentPerform(iterations: n) { i in
            let value = body(i)
            results.lock.withLock { results.values[i] = value }
        }
        return results.values.map { $0! }
    }
}
