//===----------------------------------------------------------------------===//
//
// ConcurrentAccess.swift: by-name access that may race with `free` and
// `reset` of the same instance.
//
// Readers are seqlock readers whose sequence is the header word: they read
// the header, read what they need with relaxed loads that may race with a
// free (`peek`), and keep the result only if the header is unchanged
// afterwards. A changed generation means the instance is gone
// (`ReferenceError`); any other change (a writer came and went) means read
// again. A reader follows a pointer into a block (a long string, a
// dictionary table) only inside a reader section of the arena and after
// checking the header once more, so the block cannot be released under it.
//
// Writers (by-name `set` and `delete`, construction from values) hold the
// header's writer bit while they change the instance; `free` and `reset` wait
// for it, so no store lands in a freed cell. Presence bits of the first 16
// slots live in the header: a writer collects them in its copy of the header
// and publishes it when it lets go.
//
// Typed access (accessors, the typed initializer, `@SlotClass` fields, and an
// attribute site's write of a number into a set typed slot, SiteFastPath.swift)
// takes none of this: racing it with `free` or `reset` of the same instance is
// a data race, as for a Swift class's stored property.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thrown inside a validated read when what it read cannot be the state of a live instance
/// (it was read while the instance changed); the read starts again.
struct RetryRead: Error {}

extension _SlotCell {
    /// The header as a reader sees it before validating.
    @inline(__always)
    var peekHeader: UInt64 { slotarena_peek64(base) }

    @inline(__always)
    func peek64(_ offset: Int) -> UInt64 { slotarena_peek64(base + offset) }
    @inline(__always)
    func peek32(_ offset: Int) -> UInt32 { slotarena_peek32(base + offset) }
    @inline(__always)
    func peek8(_ offset: Int) -> UInt8 { slotarena_peek8(base + offset) }

    /// The value of a typed slot holding a number or a boolean (`.int`, `.double`, `.bool`,
    /// `.int32`, `.float`, `.uint8`), as a reader peeks it; nil for the other types. The
    /// caller validates the header after.
    @inline(__always)
    func peekNumber(_ slot: SlotHot) -> Value? {
        let o = slot.offset
        switch slot.type {
        case .int: return .int(Int(Int64(bitPattern: peek64(o))))
        case .double: return .double(Double(bitPattern: peek64(o)))
        case .bool: return .bool(peek8(o) != 0)
        case .int32: return .int(Int(Int32(bitPattern: peek32(o))))
        case .float: return .double(Double(Float(bitPattern: peek32(o))))
        case .uint8: return .int(Int(peek8(o)))
        case .string, .instance, .any: return nil
        }
    }

    /// Whether a slot is set, for a reader holding header `h` (presence of the first 16 slots
    /// lives in the header, later ones in a byte of the payload).
    @inline(__always)
    func peekPresent(_ byteOffset: Int, _ mask: UInt8, header h: UInt64) -> Bool {
        if byteOffset < 8 { return (h >> UInt64(truncatingIfNeeded: byteOffset &* 8)) & UInt64(mask) != 0 }
        return peek8(byteOffset) & mask != 0
    }

    /// `isPresent` for a writer that holds the writer bit and keeps the header in `h`.
    @inline(__always)
    func isPresent(_ byteOffset: Int, _ mask: UInt8, header h: UInt64) -> Bool {
        if byteOffset < 8 { return (h >> UInt64(truncatingIfNeeded: byteOffset &* 8)) & UInt64(mask) != 0 }
        return isPresent(byteOffset, mask)
    }

    /// `markPresent` for a writer: header bits go into `h`, published on unlock.
    @inline(__always)
    func markPresent(_ byteOffset: Int, _ mask: UInt8, header h: inout UInt64) {
        if byteOffset < 8 {
            h |= UInt64(mask) &<< UInt64(truncatingIfNeeded: byteOffset &* 8)
        } else {
            markPresent(byteOffset, mask)
        }
    }

    /// `clearPresent` for a writer.
    @inline(__always)
    func clearPresent(_ byteOffset: Int, _ mask: UInt8, header h: inout UInt64) {
        if byteOffset < 8 {
            h &= ~(UInt64(mask) &<< UInt64(truncatingIfNeeded: byteOffset &* 8))
        } else {
            clearPresent(byteOffset, mask)
        }
    }
}

/// The state of one validated read: the header it started from and, once the read follows a
/// block pointer, the reader section that keeps blocks from being released.
struct ValidatedRead {
    let cell: _SlotCell
    let header: UInt64
    let arena: OpaquePointer
    private var ticket: UInt32 = .max

    init(cell: _SlotCell, header: UInt64, arena: OpaquePointer) {
        self.cell = cell
        self.header = header
        self.arena = arena
    }

    /// Whether the instance is still live and unchanged since the read began.
    @inline(__always)
    var stillValid: Bool { slotarena_peek64_sc(cell.base) == header }

    /// Opens the reader section (once) and checks the header again: afterwards, a block
    /// pointer read from the instance stays readable until the read ends. Throws
    /// ``RetryRead`` when the instance changed.
    mutating func protectBlocks() throws {
        if ticket == .max { ticket = slotarena_read_begin(arena) }
        guard stillValid else { throw RetryRead() }
    }

    @inline(__always)
    func isPresent(_ slot: SlotHot) -> Bool {
        cell.peekPresent(slot.presenceOffset, slot.presenceMask, header: header)
    }

    mutating func end() {
        if ticket != .max {
            slotarena_read_end(arena, ticket)
            ticket = .max
        }
    }
}

extension Instance {
    /// Runs `read` on the live instance and returns its result (or throws its error) only if
    /// the instance stayed live and no writer changed it meanwhile; otherwise reads again.
    /// Throws ``ReferenceError`` once the handle is stale.
    @inline(__always)
    func withValidatedRead<R>(_ read: (ClassInfo, inout ValidatedRead) throws -> R) throws -> R {
        let cell = _cell
        var attempt = 0
        var inconsistent = 0
        while true {
            let h = cell.peekHeader
            if _slowPath(h & Self._genMask != _generationBits || h & Self._classMask == 0) {
                if h == 0 { Self.spaceDestroyed() }
                throw ReferenceError.freed
            }
            if _slowPath(h & HeaderBits.busy != 0) {
                // A writer holds the instance: wait for it, as for a lock.
                Self.backoff(&attempt)
                continue
            }
            guard let entry = ClassTable.lookupUnmanaged(HeaderBits.classID(h)) else { Self.spaceDestroyed() }
            let outcome: Result<R, any Error> = entry._withUnsafeGuaranteedRef { info in
                var state = ValidatedRead(cell: cell, header: h, arena: info.withSpace { $0.arena })
                defer { state.end() }
                return Result { try read(info, &state) }
            }
            if _fastPath(slotarena_peek64_sc(cell.base) == h) {
                switch outcome {
                case .success(let value): return value
                case .failure(let error) where !(error is RetryRead): throw error
                case .failure:
                    // The header did not change, yet what was read was not a whole value: a
                    // writer came and went in between, which cannot go on for ever.
                    inconsistent += 1
                    if inconsistent > 1_000_000 {
                        _slottedTrap("a by-name read found an inconsistent instance 1,000,000 times in a row")
                    }
                }
            }
            Self.backoff(&attempt)
        }
    }

    /// Runs `write` on the live instance while holding its writer bit; `header` is the
    /// header to publish when it returns or throws (presence bits included).
    func withWriteLock<R>(_ write: (ClassInfo, _SlotCell, inout UInt64) throws -> R) throws -> R {
        let cell = _cell
        let h = slotarena_cell_lock(cell.base, _generationBits)
        if h == 0 {
            if cell.peekHeader == 0 { Self.spaceDestroyed() }
            throw ReferenceError.freed
        }
        guard let entry = ClassTable.lookupUnmanaged(HeaderBits.classID(h)) else {
            slotarena_cell_unlock(cell.base, h)
            Self.spaceDestroyed()
        }
        var header = h
        // The header published says which shape the dictionary has now.
        defer { slotarena_cell_unlock(cell.base, entry._withUnsafeGuaranteedRef { ShapeTag.retag(header, $0, cell) }) }
        return try entry._withUnsafeGuaranteedRef { try write($0, cell, &header) }
    }

    /// Waits a little before a read is tried again: spins first, then yields the processor,
    /// then sleeps 50 microseconds at a time (a writer holding the bit may have been
    /// descheduled, or be waiting for the arena's lock).
    static func backoff(_ attempt: inout Int) {
        attempt += 1
        if attempt > 4096 {
            usleep(50)
        } else if attempt > 64 {
            sched_yield()
        }
    }
}

extension ObjectSpace {
    /// Reads a set slot as a ``Value`` within a validated read.
    @inline(__always)
    static func peekSlot(_ slot: SlotHot, _ read: inout ValidatedRead) throws -> Value {
        let cell = read.cell
        let o = slot.offset
        switch slot.type {
        case .string: return .string(try peekString(at: cell.base + o, &read))
        case .instance: return try peekReference(cell.peek64(o))
        case .any: return try peekAny(cell.base + o, &read)
        default: return cell.peekNumber(slot)!
        }
    }

    /// Decodes the string word at `p` within a validated read. Inline text is in the word
    /// itself. For block text the word is read again inside the reader section, after the
    /// header is checked: a writer stores a new word before it retires the old block, and a
    /// free advances the generation before it retires anything, so the block the second read
    /// names cannot be released before the section ends.
    static func peekString(at p: UnsafeMutableRawPointer, _ read: inout ValidatedRead) throws -> String {
        var word = slotarena_peek64(p)
        if word & 1 == 1 { return _decodeStringWord(word) }
        try read.protectBlocks()
        word = slotarena_peek64(p)
        return try peekStringWord(word)
    }

    /// The text of a string word whose block is protected by the caller's reader section.
    static func peekStringWord(_ word: UInt64) throws -> String {
        if word & 1 == 1 { return _decodeStringWord(word) }
        // Bit 1 marks an interned block; the other low bits of a block word are clear.
        guard word & 5 == 0, let block = UnsafeRawPointer(bitPattern: UInt(word & ~7)) else { throw RetryRead() }
        let count = Int(truncatingIfNeeded: slotarena_peek64(block))
        guard count > 7, count < 1 << 40 else { throw RetryRead() }
        return String(unsafeUninitializedCapacity: count) { buffer in
            slotarena_peek_copy(buffer.baseAddress!, block + 8, count)
            return count
        }
    }

    /// A reference read within a validated read: a freed referent throws.
    static func peekReference(_ raw: UInt64) throws -> Value {
        let target = Instance(raw: raw)
        guard target.isAlive else { throw ReferenceError.freed }
        return .instance(target)
    }

    /// The tag and payload of an untyped value, consistent with each other: the tag word
    /// carries a sequence that a store makes odd while it writes (see `storeAny`).
    static func peekTagged(_ p: UnsafeMutableRawPointer) throws -> (AnyTag, UInt64) {
        let (tag, payload, _) = try peekTaggedWord(p)
        return (tag, payload)
    }

    /// ``peekTagged(_:)`` with the tag word.
    @inline(__always)
    static func peekTaggedWord(_ p: UnsafeMutableRawPointer) throws -> (AnyTag, UInt64, UInt64) {
        let t1 = slotarena_peek64_acquire(p)
        guard t1 & AnyWord.writing == 0 else { throw RetryRead() }
        let payload = slotarena_peek64(p + 8)
        let t2 = slotarena_peek64_sc(p)
        guard t1 == t2, let tag = AnyTag(rawValue: UInt8(truncatingIfNeeded: t1)) else { throw RetryRead() }
        return (tag, payload, t1)
    }

    /// An untyped value (tag word, then payload at +8) read within a validated read. A
    /// string block is followed only inside the reader section, after a second read.
    static func peekAny(_ p: UnsafeMutableRawPointer, _ read: inout ValidatedRead) throws -> Value {
        try peekAnyTagged(p, &read).value
    }

    /// ``peekAny(_:_:)`` and the tag word it read the value with, for a place that can hold
    /// another name's value later (a shaped dictionary's position, a table's entry). Its
    /// caller checks what named the place (the dictionary word, a block's shape, the
    /// entry's key), then that the tag word is still `tagWord` (``samePlace(_:_:)``), in
    /// that order: see ShapedDict.swift's file comment.
    @inline(__always)
    static func peekAnyTagged(_ p: UnsafeMutableRawPointer, _ read: inout ValidatedRead) throws -> (value: Value, tagWord: UInt64) {
        var (tag, payload, t) = try peekTaggedWord(p)
        if tag == .string, payload & 1 == 0 {
            try read.protectBlocks()
            (tag, payload, t) = try peekTaggedWord(p)
        }
        return (try decode(tag, payload), t)
    }

    /// Whether the untyped value at `p` still has the tag word `t` (a sequentially
    /// consistent load: after the caller's checks of what named the place).
    @inline(__always)
    static func samePlace(_ p: UnsafeMutableRawPointer, _ t: UInt64) -> Bool {
        slotarena_peek64_sc(p) == t
    }

    /// The value an untyped value's tag and payload make, within a validated read (a string
    /// block is protected by the caller's reader section).
    @inline(__always)
    private static func decode(_ tag: AnyTag, _ payload: UInt64) throws -> Value {
        switch tag {
        case .none: return .none
        case .int: return .int(Int(Int64(bitPattern: payload)))
        case .double: return .double(Double(bitPattern: payload))
        case .bool: return .bool(payload != 0)
        case .string: return .string(try peekStringWord(payload))
        case .instance: return try peekReference(payload)
        }
    }
}
