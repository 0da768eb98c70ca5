import Synchronization

/// The attribute names of one space's instance dictionaries, interned: a dictionary entry
/// stores a 32-bit id instead of its name, so keys compare as integers.
///
/// Each name counts the dictionary entries that use it. When the last one goes (a delete, the
/// free of its instance), the name is released and its id goes on a free list that the next
/// new name takes before the table grows; once no name is left, the table lets go of all its
/// storage. ``ObjectSpace/reset()`` frees every dictionary as a free does, releasing names
/// the same way.
/// Names are keyed by code point (``AttributeName``), as CPython's dict keys are. Id 0 is
/// never a name: it marks an empty dictionary entry.
///
/// The table lives in the space's state, under its lock: by-name reads of a dictionary look
/// an id up there. A writer racing such a read can delete the name's last entry, and another
/// name can then take its id; so each release of a name also counts one in ``releases``,
/// which readers load without the lock (``NameCheck``).
struct NameTable {
    /// Counts the names released so far, shared with the space.
    let releases: NameReleases
    /// The id of each interned name.
    private var ids: [AttributeName: UInt32] = [:]
    /// The name with id `i` at `i - 1`; "" for a released id.
    private var names: [String] = []
    /// The number of dictionary entries that use the name with id `i`, at `i - 1`.
    private var uses: [UInt32] = []
    /// Released ids, taken before the table grows.
    private var freeIDs: [UInt32] = []
    /// Bytes of names whose text Swift keeps on the heap (longer than its inline form).
    private var textBytes = 0
    /// The ids of every name of at most 15 UTF-8 bytes, by the two words of its small form:
    /// a lookup of a small string hashes two integers instead of the text.
    private var small = SmallNameIndex()

    init(releases: NameReleases) { self.releases = releases }

    /// Interned names.
    var count: Int { ids.count }

    /// An estimate of the bytes the table holds on the Swift heap: its hash table and arrays
    /// at their capacities, and the text of names longer than Swift stores inline (15 UTF-8
    /// bytes), with a string header each; the allocator's own rounding is not counted. 0 when
    /// no name is interned.
    var bytes: Int {
        ids.capacity * (MemoryLayout<AttributeName>.stride + MemoryLayout<UInt32>.stride + 1)
            + names.capacity * MemoryLayout<String>.stride
            + (uses.capacity + freeIDs.capacity) * MemoryLayout<UInt32>.stride
            + textBytes + small.bytes
    }

    /// The id of `name`, if it is interned.
    func id(of name: String) -> UInt32? {
        if let w = SmallName.words(name) { return small.id(of: w) }
        return ids[AttributeName(name)]
    }

    /// The name with id `id`.
    func name(of id: UInt32) -> String { names[Int(id) - 1] }

    /// The name with id `id`, or nil when no name has that id now (a by-name reader may hold
    /// an id it read from an instance that is being freed).
    func nameIfInterned(_ id: UInt32) -> String? {
        let i = Int(id) - 1
        guard i >= 0, i < names.count, uses[i] > 0 else { return nil }
        return names[i]
    }

    /// The id of `name` for a dictionary entry about to be set: one more use counted (the name
    /// interned if it is new) unless `held(id)` says the dictionary already has an entry for
    /// it, which keeps its use.
    mutating func retain(_ name: String, unlessHeld held: (UInt32) -> Bool) -> (id: UInt32, counted: Bool) {
        if let id = id(of: name) {
            if held(id) { return (id, false) }
            uses[Int(id) - 1] += 1
            return (id, true)
        }
        let id: UInt32
        if let free = freeIDs.popLast() {
            id = free
            names[Int(id) - 1] = name
            uses[Int(id) - 1] = 1
        } else {
            _slottedCheck(names.count < Int(InstanceDict.deleted) - 1, "a space can intern at most 2^32 - 2 attribute names")
            names.append(name)
            uses.append(1)
            id = UInt32(names.count)
        }
        ids[AttributeName(name)] = id
        if let w = Self.smallWords(name) { small.insert(w, id) }
        textBytes += Self.heapBytes(name)
        return (id, true)
    }

    /// One more dictionary entry uses the name with id `id`.
    mutating func retain(id: UInt32) {
        uses[Int(id) - 1] += 1
    }

    /// One dictionary entry fewer uses the name with id `id`; the last one releases it.
    mutating func release(_ id: UInt32) {
        let i = Int(id) - 1
        uses[i] -= 1
        guard uses[i] == 0 else { return }
        // Before the id can name another name (see NameCheck).
        releases.count.add(1, ordering: .releasing)
        ids[AttributeName(names[i])] = nil
        if let w = Self.smallWords(names[i]) { small.remove(w) }
        textBytes -= Self.heapBytes(names[i])
        names[i] = ""
        if ids.isEmpty {
            self = NameTable(releases: releases)
            return
        }
        freeIDs.append(id)
        // A Swift dictionary never shrinks by itself: rebuild it once it is mostly empty.
        if ids.capacity > 64 && ids.count * 8 < ids.capacity {
            ids = Dictionary(uniqueKeysWithValues: ids.lazy.map { ($0.key, $0.value) })
        }
    }

    /// One dictionary entry fewer uses `name` (an entry of a shaped dictionary, which keeps
    /// names rather than ids).
    mutating func release(name: String) {
        guard let id = ids[AttributeName(name)] else { return }
        release(id)
    }

    /// The words of the small form of `name`, for a name that fits one.
    private static func smallWords(_ name: String) -> SmallName.Words? {
        SmallName.words(name) ?? (name.utf8.count <= 15 ? SmallName.words(Shape.normalized(name)) : nil)
    }

    private static func heapBytes(_ name: String) -> Int {
        let count = name.utf8.count
        return count > 15 ? 32 + count + 1 : 0
    }
}


/// Ids by the two words of a name's small form: open addressing with linear probing, a
/// multiplicative hash of the words, and backward-shift deletion (no tombstones). Equal
/// code points give equal small forms, so a small string absent here is not interned.
struct SmallNameIndex {
    private var keys: [SmallName.Words] = []
    /// The id at each position; 0 for an empty one (0 is never an id).
    private var ids: [UInt32] = []
    private var count = 0

    var bytes: Int { keys.capacity * MemoryLayout<SmallName.Words>.stride + ids.capacity * MemoryLayout<UInt32>.stride }

    @inline(__always)
    private func home(_ w: SmallName.Words, _ mask: Int) -> Int {
        let h = (w.low ^ (w.high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> 32) & mask
    }

    func id(of w: SmallName.Words) -> UInt32? {
        guard !ids.isEmpty else { return nil }
        let mask = ids.count - 1
        var i = home(w, mask)
        while ids[i] != 0 {
            if keys[i] == w { return ids[i] }
            i = (i + 1) & mask
        }
        return nil
    }

    mutating func insert(_ w: SmallName.Words, _ id: UInt32) {
        if (count + 1) * 4 > ids.count * 3 { grow() }
        let mask = ids.count - 1
        var i = home(w, mask)
        while ids[i] != 0 { i = (i + 1) & mask }
        keys[i] = w
        ids[i] = id
        count += 1
    }

    mutating func remove(_ w: SmallName.Words) {
        guard !ids.isEmpty else { return }
        let mask = ids.count - 1
        var i = home(w, mask)
        while ids[i] != 0 && keys[i] != w { i = (i + 1) & mask }
        guard ids[i] != 0 else { return }
        // Backward shift: move later entries of the probe run into the hole when their home
        // does not lie cyclically in (hole, j].
        var j = i
        while true {
            ids[i] = 0
            while true {
                j = (j + 1) & mask
                if ids[j] == 0 { count -= 1; return }
                let h = home(keys[j], mask)
                let stays = i <= j ? (i < h && h <= j) : (i < h || h <= j)
                if !stays { break }
            }
            keys[i] = keys[j]
            ids[i] = ids[j]
            i = j
        }
    }

    private mutating func grow() {
        let old = (keys, ids)
        let capacity = max(16, ids.count * 2)
        keys = Array(repeating: SmallName.Words(low: 0, high: 0), count: capacity)
        ids = Array(repeating: 0, count: capacity)
        count = 0
        for (k, id) in zip(old.0, old.1) where id != 0 { insert(k, id) }
    }
}

/// The number of names a space's ``NameTable`` released, readable without its lock.
final class NameReleases: Sendable {
    let count = Atomic<UInt64>(0)
}

/// What a by-name reader of a dictionary-mode table checks about the id it looked its name
/// up as: that no name was released since (so the id still names that name), loaded after it
/// saw the entry's key again and before it looks at the value's tag word again (see
/// ``InstanceDict/entryStill(_:_:_:)``). A release counts before the id can go to another
/// name, and that name's entry stores its value (a release fence) before its key.
struct NameCheck {
    /// The space's counter (the space outlives its reads: no reference is counted).
    unowned(unsafe) let releases: NameReleases
    /// The count before the lookup.
    let seen: UInt64

    /// Loads the count; call it before looking the name up.
    @inline(__always)
    init(_ releases: NameReleases) {
        self.releases = releases
        seen = releases.count.load(ordering: .acquiring)
    }

    /// Whether no name was released since ``init(_:)``.
    @inline(__always)
    var unchanged: Bool { releases.count.load(ordering: .acquiring) == seen }
}
