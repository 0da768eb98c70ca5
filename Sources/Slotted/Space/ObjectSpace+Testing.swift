internal import CSlotArena
import Synchronization

// White-box hooks for the package's own tests (`package` access: not part of the API).

extension ObjectSpace {
    /// Makes the arena refuse `count` allocations (cells, blocks or pools) after letting
    /// `skip` more succeed, so tests can drive the out-of-memory paths. Returns false in
    /// builds without the hook (release).
    package func _failNextAllocations(_ count: Int, after skip: Int = 0) -> Bool {
        slotarena_debug_fail_next(arena, UInt32(skip), UInt32(count)) != 0
    }

    /// Live, free, carved and retired cells of the pool for `cellSize`.
    package func _poolCounts(cellSize: Int) -> (live: Int, free: Int, carved: Int, retired: Int) {
        var s = slotarena_pool_stats()
        slotarena_pool_stats_read(arena, cellSize, &s)
        return (Int(s.live_cells), Int(s.free_cells), Int(s.carved_cells), Int(s.retired_cells))
    }

    /// Checks the space's invariants and traps on the first one broken: every class layout
    /// keeps its slots inside the cell, apart from each other and from the header, with
    /// distinct presence bits, extending its base's layout unchanged; every pool accounts
    /// for each carved cell as live, free or retired.
    package func _checkInvariants() {
        for info in state.withLock({ $0.classes }) {
            var used = [Bool](repeating: false, count: info.cellSize)
            for i in 0..<8 { used[i] = true }
            var presence = Set<Int>()
            for (k, slot) in info.slots.enumerated() {
                _slottedCheck(slot.index == k, "slot index out of order in \(info.name)")
                _slottedCheck(slot.offset % slot.type.alignment == 0, "misaligned slot \(slot.name)")
                for b in slot.offset..<(slot.offset + slot.type.size) {
                    _slottedCheck(b < info.cellSize && !used[b], "slot \(slot.name) of \(info.name) overlaps")
                    used[b] = true
                }
                let bit = slot.presenceOffset * 8 + slot.presenceMask.trailingZeroBitCount
                _slottedCheck(slot.presenceMask.nonzeroBitCount == 1 && presence.insert(bit).inserted,
                              "presence bit of \(slot.name) is not its own")
                _slottedCheck(k >= HeaderBits.presenceBits || slot.presenceOffset < 2,
                              "slot \(slot.name) should have a header presence bit")
            }
            if let base = info.layoutBase {
                for (a, b) in zip(base.slots, info.slots) {
                    _slottedCheck(a.offset == b.offset && a.name.hasSameCodePoints(as: b.name), "\(info.name) moved a base slot")
                }
            }
            let counts = _poolCounts(cellSize: info.cellSize)
            _slottedCheck(counts.live + counts.free + counts.retired == counts.carved,
                          "pool of \(info.cellSize)-byte cells lost track of a cell")
        }
    }
}

extension ObjectSpace {
    /// Lets class definitions in the whole process use only the first `classes` indices of
    /// the class table, so tests reach its reuse and exhaustion after a few definitions.
    /// Process-wide: only for exit tests, which run in a process of their own.
    package static func _limitClassTable(to classes: Int) { ClassTable.limit(to: classes) }
}

extension SlotClass {
    /// The class's index in the class table (the low bits of its id).
    package var _classIndex: Int { ClassTable.index(of: info.id) }
    /// The generation of that index the class took (the high bits of its id).
    package var _classGeneration: Int { ClassTable.generation(of: info.id) }
}

extension ObjectSpace {
    /// Forks; the child runs `body` and exits with what it returns (without running the
    /// parent's exit handlers); a child not done within `timeout` seconds is killed. Returns
    /// the child's exit status, 128 + the signal that ended it, or -1 when fork fails. For
    /// the fork tests and the stress run (`slotarena_fork_run`).
    package static func _forkAndWait(timeout: Double, _ body: () -> Int32) -> Int32 {
        withoutActuallyEscaping(body) { body in
            var child = body
            return withUnsafeMutablePointer(to: &child) { child in
                slotarena_fork_run({ context in
                    context!.assumingMemoryBound(to: (() -> Int32).self).pointee()
                }, child, UInt32(timeout * 1000))
            }
        }
    }
}

extension Instance {
    /// The cell's address, for tests that probe the arena directly and for the benchmark's
    /// unchecked baseline (inlinable, so that baseline is one load like the typed read).
    @inlinable
    package var _cellAddress: UnsafeMutableRawPointer { _cell.base }
}

#if DEBUG
/// A pause a test puts inside the reads of a dictionary's value by name, in debug builds
/// only, so that it can change the dictionary at the two points where a racing writer
/// matters: after the reader found the name's place (a shaped dictionary's position, a
/// table's entry) and before it reads the value there, and after the value, just before
/// the reader looks again at what named the place (the dictionary word, a block's shape,
/// an entry's key).
package enum _DictReadPause {
    package enum Point: Sendable { case beforeValue, beforeRecheck }

    /// The cell (its address) whose reads pause; 0 for none. Stored after ``hook``
    /// (release), loaded before it (acquire).
    package static let target = Atomic<UInt>(0)
    /// Called at each point of a read of the target's dictionary, with whether the read is
    /// the lock-free fast path of `get` (which gives up, as on any doubt, when it returns
    /// true; other readers ignore the result).
    nonisolated(unsafe) package static var hook: (Point, _ fast: Bool) -> Bool = { _, _ in false }

    @inline(__always)
    static func at(_ base: UnsafeMutableRawPointer, _ point: Point, fast: Bool = false) -> Bool {
        guard target.load(ordering: .acquiring) == UInt(bitPattern: base) else { return false }
        return hook(point, fast)
    }
}
#endif
