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
/// an id up there, and the id of a name an instance holds cannot be released meanwhile,
/// since that instance's entry still uses it.
struct NameTable {
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
            + textBytes
    }

    /// The id of `name`, if it is interned.
    func id(of name: String) -> UInt32? { ids[AttributeName(name)] }

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
        let key = AttributeName(name)
        if let id = ids[key] {
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
        ids[key] = id
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
        ids[AttributeName(names[i])] = nil
        textBytes -= Self.heapBytes(names[i])
        names[i] = ""
        if ids.isEmpty {
            self = NameTable()
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

    private static func heapBytes(_ name: String) -> Int {
        let count = name.utf8.count
        return count > 15 ? 32 + count + 1 : 0
    }
}
