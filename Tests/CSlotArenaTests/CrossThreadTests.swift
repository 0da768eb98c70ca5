// Tests of cells that move between threads: frees on a thread other than the allocating
// one, and the two chains of a bin (loaded and spare) going back when their thread exits.
import CSlotArena
import Foundation
import Testing

private let liveBits: UInt64 = 1 << UInt64(SLOTARENA_CLASS_SHIFT)

private func poolStats(_ arena: OpaquePointer, _ size: Int) -> slotarena_pool_stats {
    var s = slotarena_pool_stats()
    slotarena_pool_stats_read(arena, size, &s)
    return s
}

/// Raw pointers handed between test threads, which synchronise through semaphores or join.
private struct Handles: @unchecked Sendable {
    let arena: OpaquePointer
    let pool: OpaquePointer
}

/// Cells handed from the producer to the consumer, one batch at a time.
private final class Mailbox: @unchecked Sendable {
    var cells: [UnsafeMutableRawPointer] = []
    let filled = DispatchSemaphore(value: 0)
    let emptied = DispatchSemaphore(value: 0)
}

/// Starts `body` on a new POSIX thread; join it with pthread_join.
private func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let created = pthread_create(&thread, nil, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, Unmanaged.passRetained(Box(body)).toOpaque())
    precondition(created == 0, "pthread_create failed")
    return thread
}

/// Runs `body` on a new POSIX thread and waits for it to exit (its thread-exit handlers
/// have run when this returns).
private func onExitingThread(_ body: @escaping @Sendable () -> Void) {
    pthread_join(startThread(body), nil)
}

@Suite("C arena: cells across threads", .serialized)
struct CrossThreadTests {
    @Test("cells one thread allocates and another frees leave exact statistics, the peak included")
    func producerConsumer() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let handles = Handles(arena: arena, pool: try #require(slotarena_pool_for_size(arena, 48)))
        let mailbox = Mailbox()
        let batch = 700, rounds = 60
        let producer = startThread {
            for round in 0..<rounds {
                mailbox.cells = (0..<(batch - round)).map { _ in slotarena_cell_alloc(handles.pool, liveBits)! }
                mailbox.filled.signal()
                mailbox.emptied.wait()
            }
        }
        let consumer = startThread {
            for _ in 0..<rounds {
                mailbox.filled.wait()
                for c in mailbox.cells {
                    precondition(slotarena_cell_free(handles.pool, c, generation(of: c)) == Int32(SLOTARENA_OK))
                }
                mailbox.cells = []
                mailbox.emptied.signal()
            }
        }
        pthread_join(producer, nil)
        pthread_join(consumer, nil)
        let s = stats(arena)
        #expect(s.live_cells == 0)
        #expect(s.cell_bytes == 0)
        #expect(s.allocated_bytes == 0)
        #expect(s.peak_bytes == UInt64(batch * 48))
        let p = poolStats(arena, 48)
        #expect(p.live_cells == 0)
        #expect(p.free_cells == p.carved_cells)
        #expect(p.retired_cells == 0)
        #expect(s.cached_cells <= p.free_cells)
    }

    @Test("the bins of a thread that exits give back every cell, of their loaded and spare chains, and those cells are allocated again")
    func exitedThreadReturnsAll() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        // 16-byte cells trade one by one with their pool; 40-byte cells in whole batches.
        let sizes = [16, 40]
        let pools = try sizes.map { try #require(slotarena_pool_for_size(arena, $0)) }
        for pool in pools {
            let handles = Handles(arena: arena, pool: pool)
            onExitingThread {
                let cells = (0..<1_000).map { _ in slotarena_cell_alloc(handles.pool, liveBits)! }
                for c in cells { _ = slotarena_cell_free(handles.pool, c, generation(of: c)) }
                // Both chains hold cells: a spare batch and a loaded one.
                precondition(stats(handles.arena).cached_cells > 32, "the bin holds more than one batch")
            }
        }
        let s = stats(arena)
        #expect(s.cached_cells == 0)
        #expect(s.live_cells == 0)
        for (size, pool) in zip(sizes, pools) {
            let p = poolStats(arena, size)
            #expect(p.free_cells == p.carved_cells)
            let again = (0..<Int(p.carved_cells)).map { _ in slotarena_cell_alloc(pool, liveBits)! }
            #expect(Set(again).count == again.count)
            #expect(poolStats(arena, size).carved_cells == p.carved_cells)
            for c in again { _ = slotarena_cell_free(pool, c, generation(of: c)) }
        }
    }
}
