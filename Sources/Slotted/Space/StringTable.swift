internal import CSlotArena

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The interned strings of a space: one text block per distinct value, shared by every slot
// that interns it, with a count of its users.
//
// Model. An interned string is stored as any long string is, a text block
// `[count: Int][UTF-8 bytes]`, and named by a string word with bit 1 set (bit 0 clear: a
// block; bit 1: interned), so a release knows to come here. The table is an open-addressing
// hash table with linear probing in one arena block: 16 bytes an entry, the block word
// (clean of flags), the users (32 bits) and the hash (32 bits). It is allocated with the
// first entry and freed with the last, so `allocatedBytes` counts it and returns to where it
// was once every user is gone. Removal shifts the entries after it back (no tombstones).
//
// Invariants. Under the table's lock (rank `.stringTable`, after the space's state): every
// entry has at least one user and a distinct text (unless the count of users of one reached
// 2^32 - 1, which starts a second entry); the table is at most 3/4 full; a block
// is freed (slotarena_text_free, released once no reader can reach it) only when its last
// user releases it. The arena's destroy frees the table and every entry with it.

/// The interning table of one space, guarded by ``ObjectSpace/strings``.
struct StringTable {
    /// The entries (an arena block of `capacity * 16` bytes), or nil when empty.
    private var entries: UnsafeMutableRawPointer?
    private var capacity = 0
    /// Distinct interned strings.
    private(set) var count = 0

    private static let entryBytes = 16
    /// The flag of an interned block in a string word.
    static let internedBit: UInt64 = 2

    /// A multiply-xorshift hash over the bytes, 8 at a time, folded to 32 bits.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h = UInt64(bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < bytes.count {
            var tail: UInt64 = 0
            for k in i..<bytes.count { tail = tail << 8 | UInt64(bytes[k]) }
            h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }

    private func word(at i: Int) -> UInt64 { entries!.load(fromByteOffset: i * 16, as: UInt64.self) }
    private func users(at i: Int) -> UInt32 { entries!.load(fromByteOffset: i * 16 + 8, as: UInt32.self) }
    private func hash(at i: Int) -> UInt32 { entries!.load(fromByteOffset: i * 16 + 12, as: UInt32.self) }
    private func setEntry(_ i: Int, word: UInt64, users: UInt32, hash: UInt32) {
        entries!.storeBytes(of: word, toByteOffset: i * 16, as: UInt64.self)
        entries!.storeBytes(of: users, toByteOffset: i * 16 + 8, as: UInt32.self)
        entries!.storeBytes(of: hash, toByteOffset: i * 16 + 12, as: UInt32.self)
    }

    /// Whether the text block `word` holds exactly `bytes`.
    private static func matches(_ word: UInt64, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let block = UnsafeRawPointer(bitPattern: UInt(word))!
        guard block.load(as: Int.self) == bytes.count else { return false }
        return memcmp(block + 8, bytes.baseAddress!, bytes.count) == 0
    }

    /// The interned word of `bytes` (more than 7 of them), with one more user: the existing
    /// block, or a new one. Throws ``MemoryError`` when the arena refuses memory.
    mutating func intern(_ bytes: UnsafeRawBufferPointer, arena: OpaquePointer) throws -> UInt64 {
        let h = Self.hash(bytes)
        if capacity > 0 {
            var i = Int(h) & (capacity - 1)
            while word(at: i) != 0 {
                if hash(at: i) == h, Self.matches(word(at: i), bytes) {
                    let n = users(at: i)
                    guard n < UInt32.max else { break }  // count full: a second entry for the text
                    setEntry(i, word: word(at: i), users: n + 1, hash: h)
                    return word(at: i) | Self.internedBit
                }
                i = (i + 1) & (capacity - 1)
            }
        }
        if (count + 1) * 4 > capacity * 3 { try grow(arena: arena) }
        guard let block = slotarena_text_alloc(arena, 8 + bytes.count) else {
            throw MemoryError("out of memory: the arena refused \(8 + bytes.count) bytes for a string")
        }
        block.storeBytes(of: bytes.count, as: Int.self)
        (block + 8).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        let w = UInt64(UInt(bitPattern: block))
        var i = Int(h) & (capacity - 1)
        while word(at: i) != 0 { i = (i + 1) & (capacity - 1) }
        setEntry(i, word: w, users: 1, hash: h)
        count += 1
        return w | Self.internedBit
    }

    /// Doubles the table (or makes its first one).
    private mutating func grow(arena: OpaquePointer) throws {
        let newCapacity = max(capacity * 2, 16)
        guard let fresh = slotarena_block_alloc(arena, newCapacity * Self.entryBytes, 1) else {
            throw MemoryError("out of memory: the arena refused \(newCapacity * Self.entryBytes) bytes for the string table")
        }
        let old = entries
        let oldCapacity = capacity
        entries = fresh
        capacity = newCapacity
        if let old {
            for j in 0..<oldCapacity {
                let w = old.load(fromByteOffset: j * 16, as: UInt64.self)
                guard w != 0 else { continue }
                let h = old.load(fromByteOffset: j * 16 + 12, as: UInt32.self)
                var i = Int(h) & (capacity - 1)
                while word(at: i) != 0 { i = (i + 1) & (capacity - 1) }
                setEntry(i, word: w, users: old.load(fromByteOffset: j * 16 + 8, as: UInt32.self), hash: h)
            }
            slotarena_block_free(arena, old, oldCapacity * Self.entryBytes)
        }
    }

    /// Drops one user of the interned word `word`; the last one frees its block, and the
    /// last entry the table.
    mutating func release(_ word: UInt64, arena: OpaquePointer) {
        let w = word & ~7
        let block = UnsafeRawPointer(bitPattern: UInt(w))!
        let length = block.load(as: Int.self)
        let h = Self.hash(UnsafeRawBufferPointer(start: block + 8, count: length))
        _slottedCheck(capacity > 0, "release of an interned string the table does not hold")
        var i = Int(h) & (capacity - 1)
        while self.word(at: i) != w {
            _slottedCheck(self.word(at: i) != 0, "release of an interned string the table does not hold")
            i = (i + 1) & (capacity - 1)
        }
        let n = users(at: i)
        if n > 1 {
            setEntry(i, word: w, users: n - 1, hash: h)
            return
        }
        remove(at: i)
        slotarena_text_free(arena, UnsafeMutableRawPointer(mutating: block), 8 + length)
        if count == 0 {
            slotarena_block_free(arena, entries, capacity * Self.entryBytes)
            entries = nil
            capacity = 0
        }
    }

    /// Empties slot `i`, moving back the entries of its run that probed past it.
    private mutating func remove(at index: Int) {
        var hole = index
        var j = (index + 1) & (capacity - 1)
        while word(at: j) != 0 {
            let home = Int(hash(at: j)) & (capacity - 1)
            // Entry j may fill the hole when its home is not in (hole, j], cyclically.
            let movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)
            if movable {
                setEntry(hole, word: word(at: j), users: users(at: j), hash: hash(at: j))
                hole = j
            }
            j = (j + 1) & (capacity - 1)
        }
        setEntry(hole, word: 0, users: 0, hash: 0)
        count -= 1
    }
}
