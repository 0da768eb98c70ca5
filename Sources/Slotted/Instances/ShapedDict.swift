//===----------------------------------------------------------------------===//
//
// ShapedDict.swift: the `__dict__` of an instance, in one of three modes,
// told apart by the dictionary word at the class's `dictOffset`:
//
//   bits 56..63  how many times the word changed, modulo 256 (below)
//   bits 48..55  inline capacity K of the cell, in 8-byte words (fixed for
//                the cell's life)
//   bits  4..47  pointer (16-byte aligned)
//   bits  0..1   mode: 0 empty, 1 inline (pointer: the shape), 2 block
//                (pointer: a block holding the shape and the values),
//                3 dictionary mode (pointer: an InstanceDict hash table)
//
// Inline: the value at position p is at `cellSize + shape.offsets[p]`, kept
// as `shape.reps[p]` says: a double, an int or a string word as its 8 raw
// bytes, anything else as an untyped value (16 bytes: tag word and payload).
// The cell was allocated with room for K words. Block: +0 the shape (a
// pointer), +8 the block's capacity in words, +16 the values, at the same
// offsets. An instance moves inline -> block when its shape outgrows K, and
// any mode -> dictionary mode on a delete (but of the last-added attribute of
// a shape whose values are all untyped), on a value of another kind than a
// raw position keeps, past the shape limits, or on request (tests). So a raw
// value's place holds that one name's values for as long as the instance has
// shapes: a reader of a raw value needs no sequence, only the word (or the
// header's shape tag) before and after.
//
// Writers hold the instance's writer bit. A writer stores a new value before
// it publishes the shape that names it, and a new block or table before it
// retires the old one. Readers read the dictionary word, check the header
// before they follow it, read the value (its tag word, then its payload), read
// the word (and a block's shape) again, and then the value's tag word again: a
// change means read again. The last two steps are in that order because a
// dictionary can come back to the shape a reader saw: S, then its parent
// after a delete of the last-added name, then another name at the same
// position p, then S again. Coming back to S stores S's last name at p again
// before the word names S, and every store of a value adds to its tag word's
// sequence, which never goes back while the instance lives (values are zeroed
// only on the way to dictionary mode, which a dictionary never leaves, and
// when the instance is freed). So if the payload read was another name's, S's
// name was stored at p after it, and the reader sees that store's sequence in
// the last step whenever its second look at the word saw S again. A table
// entry in dictionary mode is read the same way, with its key in the word's
// place (InstanceDict.swift). Every store of the word also adds one to its
// top byte, which catches most such returns sooner.
//
// The shape tag. A class with shapes and at most six slots has header bits
// 6...15 free (slot k's presence bit is bit k): they hold the number of the
// shape whose values are inline in the cell, 0 in every other mode (empty,
// block, dictionary mode). Writers set it from the dictionary word as they
// let go of the writer bit, so that whenever that bit is clear the tag and
// the word agree. An attribute site then checks the class, the handle, the
// writer bit and the shape with one masked compare of the header and reads
// the value at the cached position: a raw number as a typed slot's (the value,
// the header again), an untyped value as an untyped slot's: the tag
// word, the payload, the header again, the tag word again. The order closes
// the gap the count in the word closes for the word's readers: for the header
// to show shape S again after another name took S's position p, a writer must
// have added S's last name again, a store at p after the reader's first look
// at the tag word and before it saw the header, so the second look sees a
// larger sequence (an untyped value's sequence only grows while the instance
// lives; the inline values are zeroed only on the way to dictionary mode, and
// a dictionary never leaves it; a raw value's bytes where an untyped value
// was put that place out of untyped use for good, since the raw value's name
// never leaves it). A typed write that sets a slot's presence bit
// rewrites the header without the writer bit; racing it with a by-name writer
// of the same instance is a data race (as for every typed access) that can
// leave a stale tag, and then a site may read another attribute's value, from
// inside the cell.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

/// The dictionary word of an instance (see the file comment).
enum DictWord {
    static let modeMask: UInt64 = 3
    static let empty: UInt64 = 0, inline: UInt64 = 1, block: UInt64 = 2, table: UInt64 = 3
    static let pointerMask: UInt64 = 0x0000_FFFF_FFFF_FFF0
    static let capacityShift: UInt64 = 48
    static let sequenceShift: UInt64 = 56

    @inline(__always)
    static func capacity(_ w: UInt64) -> Int { Int(truncatingIfNeeded: (w >> capacityShift) & 0xFF) }
    @inline(__always)
    static func pointer(_ w: UInt64) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: w & pointerMask))
    }
    @inline(__always)
    static func make(_ p: UnsafeMutableRawPointer?, _ mode: UInt64, capacity k: Int) -> UInt64 {
        let bits = p.map { UInt64(UInt(bitPattern: $0)) } ?? 0
        return bits | (p == nil ? 0 : mode) | (UInt64(k) << capacityShift)
    }
    /// Stores `word` (from ``make(_:_:capacity:)``) as the dictionary word at `p`, with a
    /// release store, its top byte one past the old word's. The caller holds the instance's
    /// writer bit.
    @inline(__always)
    static func publish(_ word: UInt64, at p: UnsafeMutableRawPointer) {
        let old = p.load(as: UInt64.self)
        let sequence = ((old >> sequenceShift) &+ 1) << sequenceShift
        slotarena_store_release64(p, word | sequence)
    }
    @inline(__always)
    static func shape(_ p: UnsafeMutableRawPointer) -> Shape {
        Unmanaged<Shape>.fromOpaque(p).takeUnretainedValue()
    }
    /// The shape at `p`, a pointer a reader peeked (from the word or a block) and validated:
    /// ``shape(_:)`` that tells ThreadSanitizer the shape was published before.
    @inline(__always)
    static func peekedShape(_ p: UnsafeMutableRawPointer) -> Unmanaged<Shape> {
        slotarena_tsan_follow(p)
        return Unmanaged<Shape>.fromOpaque(p)
    }
    /// ``peekedShape(_:)`` for the by-name fast path, which tells ThreadSanitizer only in
    /// debug builds (the ones `swift test` runs): in an optimized build the annotation's
    /// check, though never taken, costs that path about a tenth of its time.
    @inline(__always)
    static func peekedShapeFast(_ p: UnsafeMutableRawPointer) -> Unmanaged<Shape> {
        #if DEBUG
        slotarena_tsan_follow(p)
        #endif
        return Unmanaged<Shape>.fromOpaque(p)
    }
    static func shapeWord(_ s: Shape) -> UInt64 {
        UInt64(UInt(bitPattern: Unmanaged.passUnretained(s).toOpaque()))
    }
}

/// The header's shape tag (see the file comment).
enum ShapeTag {
    static let bits: UInt64 = 10
    static let shift: UInt64 = 6
    static let mask: UInt64 = ((1 << bits) - 1) << shift
    /// Classes with at most this many slots have the tag: their presence bits are 0...5.
    static let maxSlots = Int(shift)

    /// The tag for the dictionary of `cell` as its word is now: the shape's number when its
    /// values are inline, else 0. The caller holds the writer bit (or the cell is unreachable).
    @inline(__always)
    static func current(_ info: ClassInfo, _ cell: _SlotCell) -> UInt64 {
        let w = cell.load(info.dictOffset, as: UInt64.self)
        guard w & DictWord.modeMask == DictWord.inline, let s = DictWord.pointer(w) else { return 0 }
        return UInt64(Unmanaged<Shape>.fromOpaque(s)._withUnsafeGuaranteedRef { $0.number }) << shift
    }

    /// `header` with the tag of `cell`'s dictionary, for a class that has tags; `header`
    /// itself for any other class.
    @inline(__always)
    static func retag(_ header: UInt64, _ info: ClassInfo, _ cell: _SlotCell) -> UInt64 {
        guard info.shapeTags else { return header }
        return header & ~mask | current(info, cell)
    }
}

/// Shaped instance dictionaries (see the file comment); dictionary mode is ``InstanceDict``.
enum ShapedDict {
    static let blockHeader = 16

    /// Bytes of a block with room for `capacity` words of values.
    static func blockBytes(capacity: Int) -> Int { blockHeader + 8 * capacity }

    /// Where the values of a shaped dictionary start, its shape and its room for values (in
    /// words); nil in dictionary mode.
    static func layout(_ info: ClassInfo, _ cell: _SlotCell, _ w: UInt64) -> (base: UnsafeMutableRawPointer, shape: Shape, room: Int)? {
        layoutUnmanaged(info, cell, w).map { ($0.base, $0.shape.takeUnretainedValue(), $0.room) }
    }

    /// ``layout(_:_:_:)`` with the shape borrowed, not retained (the tree keeps its shapes).
    @inline(__always)
    static func layoutUnmanaged(_ info: ClassInfo, _ cell: _SlotCell, _ w: UInt64)
        -> (base: UnsafeMutableRawPointer, shape: Unmanaged<Shape>, room: Int)?
    {
        switch w & DictWord.modeMask {
        case DictWord.inline:
            return (cell.base + info.cellSize, .fromOpaque(DictWord.pointer(w)!), DictWord.capacity(w))
        case DictWord.block:
            let b = DictWord.pointer(w)!
            let s = DictWord.pointer(b.load(as: UInt64.self))!
            return (b + blockHeader, .fromOpaque(s), Int(b.load(fromByteOffset: 8, as: UInt64.self)))
        case DictWord.empty:
            return (cell.base + info.cellSize, .passUnretained(info.shapes.unsafelyUnwrapped.root), DictWord.capacity(w))
        default:
            return nil
        }
    }

    // MARK: Writers (the writer bit held, or the cell not yet reachable)

    /// Stores `value` at position `p` of `shape`, whose values start at `base`, as the
    /// position keeps it. False, with nothing stored, when a raw position does not take it.
    @inline(__always)
    private static func store(_ space: ObjectSpace, _ value: Value, _ base: UnsafeMutableRawPointer, _ shape: Shape, _ p: Int,
                              replacing: Bool) throws -> Bool
    {
        let rep = shape.reps[p], at = shape.offsets[p]
        switch rep {
        case .any:
            try space.storeAny(value, _SlotCell(base), at, replacing: replacing)
        case .string:
            // As a typed string slot: the new word, then the old block released (a reader
            // copying it holds a reader section, which keeps it).
            guard case .string(let text) = value else { return false }
            let word = try space.encodeString(text)
            let old = base.load(fromByteOffset: at, as: UInt64.self)
            base.storeBytes(of: word, toByteOffset: at, as: UInt64.self)
            if replacing { space.releaseString(old) }
        case .double, .int:
            guard let bits = rep.numberBits(value) else { return false }
            base.storeBytes(of: bits, toByteOffset: at, as: UInt64.self)
        }
        return true
    }

    /// The value at position `p` of `shape` (plain loads: the caller keeps writers out).
    @inline(__always)
    private static func load(_ space: ObjectSpace, _ base: UnsafeMutableRawPointer, _ shape: Shape, _ p: Int) throws -> Value {
        let rep = shape.reps[p], at = shape.offsets[p]
        switch rep {
        case .any: return try space.loadAny(_SlotCell(base), at)
        case .string: return .string(_decodeStringWord(base.load(fromByteOffset: at, as: UInt64.self)))
        case .double, .int: return rep.number(base.load(fromByteOffset: at, as: UInt64.self))
        }
    }

    /// Sets `name`; on failure nothing changes.
    static func set(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws {
        // The common case: an existing attribute, values inline, a value its position takes.
        let w = cell.load(info.dictOffset, as: UInt64.self)
        if w & DictWord.modeMask == DictWord.inline, let s = DictWord.pointer(w) {
            let stored = try Unmanaged<Shape>.fromOpaque(s)._withUnsafeGuaranteedRef { shape -> Bool in
                guard let p = shape.position(of: name) else { return false }
                return try info.withSpace { try store($0, value, cell.base + info.cellSize, shape, p, replacing: true) }
            }
            if stored { return }
        }
        try add(info, cell, name, value)
    }

    /// The common case of an add: when the transition exists and the new shape fits in the
    /// cell, stores the value and the dictionary word and returns the shapes the
    /// dictionary moved between, leaving their instance counts to the caller. Nil, with
    /// nothing changed, for every other case.
    @inline(__always)
    private static func addAlongTransition(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value)
        throws -> (from: Unmanaged<Shape>, to: Unmanaged<Shape>)?
    {
        let w = cell.load(info.dictOffset, as: UInt64.self)
        let mode = w & DictWord.modeMask
        guard mode == DictWord.inline || mode == DictWord.empty else { return nil }
        let shape: Unmanaged<Shape> = mode == DictWord.inline
            ? .fromOpaque(DictWord.pointer(w)!) : .passUnretained(info.shapes.unsafelyUnwrapped.root)
        guard let next = shape._withUnsafeGuaranteedRef({ s in
            s.position(of: name) == nil ? s.edge(adding: name, value) : nil
        }) else {
            return nil
        }
        let k = DictWord.capacity(w)
        guard try next._withUnsafeGuaranteedRef({ n in
            guard n.valueWords <= k else { return false }
            return try info.withSpace { try store($0, value, cell.base + info.cellSize, n, n.count - 1, replacing: false) }
        }) else { return nil }
        DictWord.publish(DictWord.make(next.toOpaque(), DictWord.inline, capacity: k), at: cell.base + info.dictOffset)
        return (shape, next)
    }

    /// `add` for an instance under construction, which no other thread can reach yet (it
    /// holds its writer bit and no handle to it has been returned): ``addAlongTransition``,
    /// leaving the shape's instance count to ``settle(_:_:)``, once per construction.
    /// False, with nothing changed, for every other case (the caller settles, then `set`s).
    @inline(__always)
    static func addUncounted(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws -> Bool {
        try addAlongTransition(info, cell, name, value) != nil
    }

    /// Counts the instance in the shape its dictionary reached through ``addUncounted``.
    static func settle(_ info: ClassInfo, _ cell: _SlotCell) {
        let w = cell.load(info.dictOffset, as: UInt64.self)
        guard w & DictWord.modeMask == DictWord.inline, let s = DictWord.pointer(w) else { return }
        Unmanaged<Shape>.fromOpaque(s)._withUnsafeGuaranteedRef { shape in
            shape.countIn()
        }
    }

    /// `set` for all but an existing inline attribute given a value its position takes.
    @inline(never)
    static func add(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws {
        // The common case: a transition that exists, to a shape that fits in the cell.
        if let (from, to) = try addAlongTransition(info, cell, name, value) {
            Shape.move(from: from, to: to)
            return
        }
        try addOther(info, cell, name, value)
    }

    /// `add` for all other cases: a new transition, a block, a value of another kind than
    /// its raw position keeps, dictionary mode.
    @inline(never)
    static func addOther(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws {
        // Dictionary mode first, before anything is retained: it is where its instances stay.
        if cell.load(info.dictOffset, as: UInt64.self) & DictWord.modeMask == DictWord.table {
            return try Instance.setInTable(info, cell, name, value)
        }
        let o = info.dictOffset, space = info.space, tree = info.shapes!
        let w = cell.load(o, as: UInt64.self)
        guard let (base, shape, room) = layout(info, cell, w) else {
            return try Instance.setInTable(info, cell, name, value)
        }
        if let p = shape.position(of: name) {
            if try store(space, value, base, shape, p, replacing: true) { return }
            // A raw position given a value of another kind: later instances keep this name
            // untyped, and this one leaves its shapes (its position's name must not change).
            shape.introducing(p).generalized.store(true, ordering: .relaxed)
            try toTable(info, cell)
            return try Instance.setInTable(info, cell, name, value)
        }
        guard let next = tree.next(shape, name, shape.rep(adding: name, value)) else {
            try toTable(info, cell)
            return try Instance.setInTable(info, cell, name, value)
        }
        tree.noteCount(next.valueWords)
        let k = DictWord.capacity(w)
        let p = next.count - 1
        if next.valueWords <= room {
            _ = try store(space, value, base, next, p, replacing: false)
            Shape.move(from: shape, to: next)
            if w & DictWord.modeMask == DictWord.block {
                slotarena_store_release64(DictWord.pointer(w)!, DictWord.shapeWord(next))
            } else {
                DictWord.publish(DictWord.make(Unmanaged.passUnretained(next).toOpaque(), DictWord.inline, capacity: k), at: cell.base + o)
            }
            return
        }
        // Outgrown: the values move to a new, larger block.
        let capacity = max(next.valueWords, min(room * 2, 2 * ShapeTree.maxAttributes), 8)
        guard let fresh = slotarena_block_alloc(space.arena, blockBytes(capacity: capacity), 1) else {
            throw MemoryError("out of memory: the arena refused \(blockBytes(capacity: capacity)) bytes for an instance dict")
        }
        let values = fresh + blockHeader
        values.copyMemory(from: base, byteCount: shape.bytes)
        do {
            _ = try store(space, value, values, next, p, replacing: false)
        } catch {
            slotarena_block_free(space.arena, fresh, blockBytes(capacity: capacity))
            throw error
        }
        fresh.storeBytes(of: DictWord.shapeWord(next), as: UInt64.self)
        fresh.storeBytes(of: UInt64(capacity), toByteOffset: 8, as: UInt64.self)
        Shape.move(from: shape, to: next)
        DictWord.publish(DictWord.make(fresh, DictWord.block, capacity: k), at: cell.base + o)
        if w & DictWord.modeMask == DictWord.block {
            slotarena_block_free(space.arena, DictWord.pointer(w)!, blockBytes(capacity: room))
        }
    }

    /// Deletes `name`; false when the dictionary does not have it.
    static func delete(_ info: ClassInfo, _ cell: _SlotCell, _ name: String) throws -> Bool {
        let o = info.dictOffset, space = info.space
        let w = cell.load(o, as: UInt64.self)
        guard let (base, shape, _) = layout(info, cell, w) else {
            guard let id = space.nameID(name) else { return false }
            return InstanceDict.delete(cell, o, id, space: space)
        }
        guard let p = shape.position(of: name) else { return false }
        // Only the last-added attribute of a shape without raw values goes back to the
        // parent shape: a raw value's place must never hold another name's (the file comment).
        guard p == shape.count - 1, !shape.hasRaw, let parent = shape.parent else {
            try toTable(info, cell)
            guard let id = space.nameID(name) else { return false }
            return InstanceDict.delete(cell, o, id, space: space)
        }
        // The last-added attribute: back to the parent shape, which no longer names it.
        if w & DictWord.modeMask == DictWord.block {
            slotarena_store_release64(DictWord.pointer(w)!, DictWord.shapeWord(parent))
        } else {
            let k = DictWord.capacity(w)
            let next = parent.count == 0 ? nil : Unmanaged.passUnretained(parent).toOpaque()
            DictWord.publish(DictWord.make(next, DictWord.inline, capacity: k), at: cell.base + o)
        }
        let owned = space.clearAny(_SlotCell(base), shape.offsets[p])
        space.releaseAnyWords(owned.0, owned.1)
        Shape.move(from: shape, to: parent)
        return true
    }

    /// Moves a shaped dictionary into a hash table (dictionary mode). The values move as
    /// they are, with what they own (a raw value becomes an untyped one); each entry keeps
    /// its use of its name.
    static func toTable(_ info: ClassInfo, _ cell: _SlotCell) throws {
        let o = info.dictOffset, space = info.space
        let w = cell.load(o, as: UInt64.self)
        guard let (base, shape, room) = layout(info, cell, w) else { return }
        let n = shape.count
        // Room for the entries there are: a delete (the usual cause) leaves one fewer, and a
        // set that follows grows the table as any set does. An empty dictionary gets the
        // table a first set would create.
        var capacity = n == 0 ? InstanceDict.firstCapacity : InstanceDict.minCapacity
        while n * 3 > capacity * 2 { capacity *= 2 }
        guard let fresh = slotarena_block_alloc(space.arena, InstanceDict.blockBytes(capacity: capacity), 1) else {
            throw MemoryError("out of memory: the arena refused \(InstanceDict.blockBytes(capacity: capacity)) bytes for an instance dict")
        }
        // Table entries count their uses of names in the space's name table.
        let ids = space.state.withLock { s in shape.names.map { s.names.retain($0) { _ in false }.id } }
        for (p, id) in ids.enumerated() {
            var i = InstanceDict.home(id, capacity)
            while fresh.load(fromByteOffset: InstanceDict.headerBytes + i * InstanceDict.entryBytes, as: UInt32.self) != 0 {
                i = (i + 1) & (capacity - 1)
            }
            let e = InstanceDict.headerBytes + i * InstanceDict.entryBytes
            fresh.storeBytes(of: id, toByteOffset: e, as: UInt32.self)
            switch shape.reps[p] {
            case .any:
                (fresh + e + 8).copyMemory(from: base + shape.offsets[p], byteCount: 16)
            case .double, .int, .string:
                // A raw value becomes an untyped one (a string word keeps its block).
                let tag: AnyTag = switch shape.reps[p] {
                case .double: .double
                case .int: .int
                default: .string
                }
                fresh.storeBytes(of: UInt64(tag.rawValue), toByteOffset: e + 8, as: UInt64.self)
                fresh.storeBytes(of: base.load(fromByteOffset: shape.offsets[p], as: UInt64.self), toByteOffset: e + 16, as: UInt64.self)
            }
        }
        fresh.storeBytes(of: UInt32(n), as: UInt32.self)
        fresh.storeBytes(of: UInt32(capacity), toByteOffset: 4, as: UInt32.self)
        fresh.storeBytes(of: UInt32(n), toByteOffset: 8, as: UInt32.self)
        DictWord.publish(DictWord.make(fresh, DictWord.table, capacity: DictWord.capacity(w)), at: cell.base + o)
        Shape.move(from: shape, to: nil)
        if w & DictWord.modeMask == DictWord.block {
            slotarena_block_free(space.arena, DictWord.pointer(w)!, blockBytes(capacity: room))
        } else {
            // The inline values moved: what they own belongs to the table now.
            (base).initializeMemory(as: UInt8.self, repeating: 0, count: shape.bytes)
        }
    }

    /// Frees what the dictionary holds (values, block or table, uses of names). The cell is
    /// claimed or unreachable; its inline capacity stays in the word.
    static func release(_ info: ClassInfo, _ cell: _SlotCell) {
        // Neither the space nor the shape is retained: a free is on every host's hot path.
        info.withSpace { space in
            let o = info.dictOffset
            let w = cell.load(o, as: UInt64.self)
            guard let (base, shape, room) = layoutUnmanaged(info, cell, w) else {
                return InstanceDict.release(cell, o, space: space)
            }
            shape._withUnsafeGuaranteedRef { s in
                for p in 0..<s.reps.count {
                    switch s.reps[p] {
                    case .any: space.releaseAny(_SlotCell(base), s.offsets[p])
                    case .string: space.releaseString(base.load(fromByteOffset: s.offsets[p], as: UInt64.self))
                    case .double, .int: break
                    }
                }
                s.countOut()
                if w & DictWord.modeMask == DictWord.block {
                    slotarena_block_free(space.arena, DictWord.pointer(w)!, blockBytes(capacity: room))
                } else {
                    base.initializeMemory(as: UInt8.self, repeating: 0, count: s.bytes)
                }
            }
            DictWord.publish(DictWord.make(nil, DictWord.empty, capacity: DictWord.capacity(w)), at: cell.base + o)
        }
    }

    /// The entries by name, in insertion order for a shaped dictionary (plain loads: the
    /// caller keeps writers out).
    static func entries(_ info: ClassInfo, _ cell: _SlotCell) throws -> [(String, Value)] {
        guard info.shapes != nil else {
            return try InstanceDict.entries(cell, info.dictOffset, space: info.space).map { (info.space.name(ofID: $0.0), $0.1) }
        }
        let w = cell.load(info.dictOffset, as: UInt64.self)
        guard let (base, shape, _) = layout(info, cell, w) else {
            return try InstanceDict.entries(cell, info.dictOffset, space: info.space).map { (info.space.name(ofID: $0.0), $0.1) }
        }
        return try shape.names.indices.map { (shape.names[$0], try load(info.space, base, shape, $0)) }
    }

    /// Bytes of the cell and of any block or table, for `sizeof`.
    static func size(_ info: ClassInfo, _ read: inout ValidatedRead) throws -> Int {
        try read.protectBlocks()
        let w = read.cell.peek64(info.dictOffset)
        try read.protectBlocks()
        let cellBytes = info.cellSize + 8 * DictWord.capacity(w)
        switch w & DictWord.modeMask {
        case DictWord.block:
            let room = Int(slotarena_peek64(DictWord.pointer(w)! + 8))
            return cellBytes + blockBytes(capacity: room) + 16
        case DictWord.table:
            let capacity = Int(slotarena_peek32(DictWord.pointer(w)! + 4))
            return cellBytes + InstanceDict.blockBytes(capacity: capacity) + 16
        default:
            return cellBytes
        }
    }
}

// MARK: Validated reads (see ConcurrentAccess.swift)

extension ShapedDict {
    /// Where a reader finds the values and the shape: the word is read, the header checked
    /// before the pointer is followed (a block only inside the reader section). Returns the
    /// word too, for the check after the values are read; nil in dictionary mode.
    @inline(__always)
    static func peekLayout(_ read: inout ValidatedRead, _ info: ClassInfo) throws
        -> (word: UInt64, base: UnsafeMutableRawPointer, shape: Shape, shapeAt: UnsafeMutableRawPointer?)?
    {
        let tree = info.shapes!
        var w = read.cell.peek64(info.dictOffset)
        switch w & DictWord.modeMask {
        case DictWord.empty:
            return (w, read.cell.base + tree.baseCellSize, tree.root, nil)
        case DictWord.inline:
            guard read.stillValid else { throw RetryRead() }
            return (w, read.cell.base + tree.baseCellSize, DictWord.peekedShape(DictWord.pointer(w)!).takeUnretainedValue(), nil)
        case DictWord.block:
            try read.protectBlocks()
            w = read.cell.peek64(info.dictOffset)
            try read.protectBlocks()
            guard w & DictWord.modeMask == DictWord.block, let b = DictWord.pointer(w) else { throw RetryRead() }
            guard let s = DictWord.pointer(slotarena_peek64_acquire(b)) else { throw RetryRead() }
            return (w, b + blockHeader, DictWord.peekedShape(s).takeUnretainedValue(), b)
        default:
            return nil
        }
    }

    /// Whether the dictionary still has the shape it was read with.
    @inline(__always)
    static func unchanged(_ read: ValidatedRead, _ info: ClassInfo, _ word: UInt64, _ shape: Shape, _ shapeAt: UnsafeMutableRawPointer?) -> Bool {
        guard slotarena_peek64_sc(read.cell.base + info.dictOffset) == word else { return false }
        guard let shapeAt else { return true }
        return slotarena_peek64_sc(shapeAt) == DictWord.shapeWord(shape)
    }

    /// The value at position `p` of `shape`, whose values start at `base`, within a
    /// validated read, and the tag word an untyped value was read with (0 for a raw one).
    @inline(__always)
    static func peekValue(_ base: UnsafeMutableRawPointer, _ shape: Shape, _ p: Int, _ read: inout ValidatedRead) throws -> (Value, UInt64) {
        let rep = shape.reps[p], at = base + shape.offsets[p]
        switch rep {
        case .any: return try ObjectSpace.peekAnyTagged(at, &read)
        case .string: return (.string(try ObjectSpace.peekString(at: at, &read)), 0)
        case .double, .int: return (rep.number(slotarena_peek64(at)), 0)
        }
    }

    /// The last check of a read of position `p`, after the word's: an untyped value's tag
    /// word is still `t` (a raw value's place never changes names: the file comment).
    @inline(__always)
    static func samePlace(_ base: UnsafeMutableRawPointer, _ shape: Shape, _ p: Int, _ t: UInt64) -> Bool {
        shape.reps[p] != .any || ObjectSpace.samePlace(base + shape.offsets[p], t)
    }

    /// `get` within a validated read. The common case, values inline, takes no reference
    /// to the shape (it lives as long as the space) and no reader section.
    @inline(__always)
    static func peekGet(_ read: inout ValidatedRead, _ info: ClassInfo, _ name: String) throws -> Value? {
        let o = info.dictOffset
        let w = read.cell.peek64(o)
        if w & DictWord.modeMask == DictWord.inline, let s = DictWord.pointer(w) {
            guard read.stillValid else { throw RetryRead() }
            let shape = DictWord.peekedShape(s)
            guard let p = shape._withUnsafeGuaranteedRef({ $0.position(of: name) }) else {
                guard slotarena_peek64_sc(read.cell.base + o) == w else { throw RetryRead() }
                return nil
            }
            // The value, the word again, the value's tag word again (the file comment).
            let base = read.cell.base + info.cellSize
            #if DEBUG
            _ = _DictReadPause.at(read.cell.base, .beforeValue)
            #endif
            let (value, t) = try shape._withUnsafeGuaranteedRef { try peekValue(base, $0, p, &read) }
            #if DEBUG
            _ = _DictReadPause.at(read.cell.base, .beforeRecheck)
            #endif
            guard slotarena_peek64_sc(read.cell.base + o) == w,
                  shape._withUnsafeGuaranteedRef({ samePlace(base, $0, p, t) })
            else { throw RetryRead() }
            return value
        }
        return try peekGetOther(&read, info, name)
    }

    @inline(never)
    static func peekGetOther(_ read: inout ValidatedRead, _ info: ClassInfo, _ name: String) throws -> Value? {
        if read.cell.peek64(info.dictOffset) & DictWord.modeMask == DictWord.table {
            // Dictionary mode. The space outlives its classes: no reference is taken.
            guard let (id, check) = Unmanaged.passUnretained(info.space)._withUnsafeGuaranteedRef({ $0.nameIDForRead(name) }) else {
                return nil
            }
            return try InstanceDict.peekGet(&read, info.dictOffset, id, names: check)
        }
        guard let (w, base, shape, shapeAt) = try peekLayout(&read, info) else {
            guard let (id, check) = info.space.nameIDForRead(name) else { return nil }
            return try InstanceDict.peekGet(&read, info.dictOffset, id, names: check)
        }
        guard let p = shape.position(of: name) else {
            guard unchanged(read, info, w, shape, shapeAt) else { throw RetryRead() }
            return nil
        }
        #if DEBUG
        _ = _DictReadPause.at(read.cell.base, .beforeValue)
        #endif
        let (value, t) = try peekValue(base, shape, p, &read)
        #if DEBUG
        _ = _DictReadPause.at(read.cell.base, .beforeRecheck)
        #endif
        guard unchanged(read, info, w, shape, shapeAt), samePlace(base, shape, p, t) else { throw RetryRead() }
        return value
    }

    /// The entries by name within a validated read, in insertion order when shaped.
    static func peekEntries(_ read: inout ValidatedRead, _ info: ClassInfo) throws -> [(String, Value)] {
        guard let (w, base, shape, shapeAt) = try peekLayout(&read, info) else {
            return try InstanceDict.peekEntries(&read, info.dictOffset, space: info.space)
        }
        var out: [(String, Value)] = [], tagWords: [UInt64] = []
        out.reserveCapacity(shape.count)
        tagWords.reserveCapacity(shape.count)
        for p in 0..<shape.count {
            let (value, t) = try peekValue(base, shape, p, &read)
            out.append((shape.names[p], value))
            tagWords.append(t)
        }
        guard unchanged(read, info, w, shape, shapeAt) else { throw RetryRead() }
        for p in 0..<shape.count where !samePlace(base, shape, p, tagWords[p]) { throw RetryRead() }
        return out
    }

    /// `PointDict shape 2: x at 16 (double), y at 24 (double), inline 16 of 16 bytes`, or
    /// the block or the dictionary mode the instance is in.
    static func describe(_ read: inout ValidatedRead, _ info: ClassInfo) throws -> String {
        guard let (w, _, shape, shapeAt) = try peekLayout(&read, info) else {
            return "\(info.name) dictionary mode"
        }
        let k = 8 * DictWord.capacity(w)
        let start = shapeAt == nil ? info.cellSize : blockHeader
        let at = shape.names.indices.map { "\(shape.names[$0]) at \(start + shape.offsets[$0]) (\(shape.reps[$0]))" }
        if let shapeAt {
            let room = 8 * Int(slotarena_peek64(shapeAt + 8))
            return "\(info.name) shape \(shape.number): \((at + ["in a block of \(room) bytes, inline 0 of \(k) bytes"]).joined(separator: ", "))"
        }
        return "\(info.name) shape \(shape.number): \((at + ["inline \(shape.bytes) of \(k) bytes"]).joined(separator: ", "))"
    }
}
