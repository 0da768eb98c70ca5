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

/// Cell addresses a test thread records, read once that thread is joined.
private final class Addresses: @unchecked Sendable {
    var values: [UInt] = []
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
    @Test("cells one thread allocates and another frees leave exact counts, and a peak no lower than the true one and above it by at most what the two threads' caches hold")
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
        let p = poolStats(arena, 48)
        #expect(s.peak_bytes >= UInt64(batch * 48))
        #expect(s.peak_bytes <= UInt64(batch * 48) + 2 * p.bin_cells * 48)
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

    @Test("a thread refills from the batches it gave back itself, not from the newer ones of a thread on another stack")
    func homeStacks() throws {
        guard slotarena_debug_home_stack(0) == 1 else {
            Issue.record("the home-stack hook is compiled into debug builds only")
            return
        }
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let pool = try #require(slotarena_pool_for_size(arena, 32))
        let handles = Handles(arena: arena, pool: pool)
        let cellsOf = [Addresses(), Addresses()]  // each read only after its thread is joined
        let built = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        let free = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        // Two threads, on stacks 0 and 1, each build 2,000 cells while the other's are
        // live (so every cell is freshly carved), then free them and exit, the thread on
        // stack 1 last: its batches are the newest.
        let threads = (0..<2).map { k in
            startThread {
                _ = slotarena_debug_home_stack(UInt32(k))
                if k == 1 { built[0].wait() }
                let cells = (0..<2_000).map { _ in slotarena_cell_alloc(handles.pool, liveBits)! }
                cellsOf[k].values = cells.map { UInt(bitPattern: $0) }
                built[k].signal()
                free[k].wait()
                for c in cells { _ = slotarena_cell_free(handles.pool, c, generation(of: c)) }
            }
        }
        built[1].wait()
        free[0].signal()
        pthread_join(threads[0], nil)
        free[1].signal()
        pthread_join(threads[1], nil)
        let a = Set(cellsOf[0].values), b = Set(cellsOf[1].values)
        #expect(a.count == 2_000 && b.count == 2_000 && a.isDisjoint(with: b))
        // A third thread on stack 0 refills with the first thread's cells.
        let again = Addresses()
        onExitingThread {
            _ = slotarena_debug_home_stack(0)
            let cells = (0..<600).map { _ in slotarena_cell_alloc(handles.pool, liveBits)! }
            again.values = cells.map { UInt(bitPattern: $0) }
            for c in cells { _ = slotarena_cell_free(handles.pool, c, generation(of: c)) }
        }
        #expect(again.values.count == 600 && again.values.allSatisfy { a.contains($0) })
    }
}
