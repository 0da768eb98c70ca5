// Tests of fork() while other threads use an arena: the child, which has only the forking
// thread, finds every lock free, no reader section of a thread it does not have, and no
// cells cached by such a thread.
//
// Each test runs in a process of its own (an exit test) and forks from there; a child that
// hangs is killed after a few seconds (slotarena_fork_run), which counts as a failure.
import CSlotArena
import Foundation
import Synchronization
import Testing

private let liveBits: UInt64 = 1 << UInt64(SLOTARENA_CLASS_SHIFT)

/// An arena and one pool of it, handed to a helper thread or, as raw bytes, to a child.
private struct Arena: @unchecked Sendable {
    let arena: OpaquePointer
    let pool: OpaquePointer

    /// A new arena with a pool of `cellSize`-byte cells.
    init?(cellSize: Int) {
        guard let arena = slotarena_create(), let pool = slotarena_pool_for_size(arena, cellSize) else { return nil }
        (self.arena, self.pool) = (arena, pool)
    }

    /// Forks a child that runs `child` on this arena; its exit status, or 128 + a signal.
    func forkChild(timeoutMilliseconds: UInt32, _ child: @convention(c) (UnsafeMutableRawPointer?) -> Int32) -> Int32 {
        var context = self
        return slotarena_fork_run(child, &context, timeoutMilliseconds)
    }
}

private let stop = Atomic<Bool>(false)
private let helperReady = Atomic<Bool>(false)

/// Runs `prepare` on a thread of its own, which then waits until the test stops it; returns
/// once `prepare` is done.
private func holdOnHelperThread(_ prepare: @escaping @Sendable () -> Void) {
    Thread {
        prepare()
        helperReady.store(true, ordering: .releasing)
        while !stop.load(ordering: .acquiring) { usleep(1_000) }
    }.start()
    while !helperReady.load(ordering: .acquiring) { usleep(1_000) }
}

@Suite("C arena: fork")
struct ForkTests {
    @Test("children forked while another thread allocates, frees, resets and reads statistics can use the arena")
    func childrenFindLocksFree() async {
        await #expect(processExitsWith: .success) {
            guard let shared = Arena(cellSize: 32) else { exit(2) }
            Thread {
                var round = 0
                while !stop.load(ordering: .relaxed) {
                    round += 1
                    let cells = (0..<100).map { _ in slotarena_cell_alloc(shared.pool, liveBits)! }
                    let block = slotarena_block_alloc(shared.arena, 64 + round % 512, 0)
                    for c in cells { _ = slotarena_cell_free(shared.pool, c, generation(of: c)) }
                    slotarena_block_free(shared.arena, block, 64 + round % 512)
                    if round % 16 == 0 { slotarena_reset(shared.arena) }
                    if round % 8 == 0 { _ = stats(shared.arena) }
                    if round % 32 == 0, let other = slotarena_create() { slotarena_destroy(other) }
                }
            }.start()
            var failures = 0
            for _ in 0..<20 {
                usleep(2_000)
                let status = shared.forkChild(timeoutMilliseconds: 5_000) { context in
                    let shared = context!.load(as: Arena.self)
                    guard let cell = slotarena_cell_alloc(shared.pool, liveBits),
                          let block = slotarena_block_alloc(shared.arena, 100, 1) else { return 2 }
                    slotarena_block_free(shared.arena, block, 100)
                    _ = slotarena_cell_free(shared.pool, cell, generation(of: cell))
                    slotarena_reset(shared.arena)
                    // A cell the helper was allocating or freeing at the fork is lost, and counted.
                    guard stats(shared.arena).live_cells <= 1, let fresh = slotarena_create() else { return 3 }
                    slotarena_destroy(fresh)
                    return 0
                }
                if status != 0 { failures += 1 }
            }
            stop.store(true, ordering: .relaxed)
            exit(failures == 0 ? 0 : 1)
        }
    }

    @Test("in a child, reader sections that other threads had open at the fork no longer hold back freed blocks")
    func childForgetsOtherReaders() async {
        await #expect(processExitsWith: .success) {
            guard let shared = Arena(cellSize: 16) else { exit(2) }
            // The helper's section stays open until the test ends, after the fork.
            holdOnHelperThread { _ = slotarena_read_begin(shared.arena) }
            let block = slotarena_block_alloc(shared.arena, 1_000, 0)
            slotarena_block_free(shared.arena, block, 1_000)
            slotarena_reclaim(shared.arena)
            guard stats(shared.arena).deferred_blocks == 1 else { exit(3) }
            exit(shared.forkChild(timeoutMilliseconds: 10_000) { context in
                let arena = context!.load(as: Arena.self).arena
                slotarena_reclaim(arena)
                return stats(arena).deferred_blocks == 0 ? 0 : 1
            })
        }
    }

    @Test("in a child, cells that other threads had cached go back to their pool, and the counts stay exact")
    func childTakesBackOtherCaches() async {
        await #expect(processExitsWith: .success) {
            guard let shared = Arena(cellSize: 24) else { exit(2) }
            holdOnHelperThread {
                let cells = (0..<100).map { _ in slotarena_cell_alloc(shared.pool, liveBits)! }
                for c in cells { _ = slotarena_cell_free(shared.pool, c, generation(of: c)) }
            }
            guard stats(shared.arena).cached_cells > 0 else { exit(3) }
            exit(shared.forkChild(timeoutMilliseconds: 10_000) { context in
                let shared = context!.load(as: Arena.self)
                var p = slotarena_pool_stats()
                slotarena_pool_stats_read(shared.arena, 24, &p)
                let s = stats(shared.arena)
                guard s.cached_cells == 0, s.live_cells == 0, p.free_cells == p.carved_cells else { return 1 }
                // The cells are usable again.
                let again = (0..<100).map { _ in slotarena_cell_alloc(shared.pool, liveBits) }
                return again.allSatisfy { $0 != nil } && stats(shared.arena).live_cells == 100 ? 0 : 4
            })
        }
    }
}
