/// One slot of a class layout: where its value lives in the cell and where its presence
/// bit is.
struct SlotInfo: Sendable {
    /// The attribute name (mangled for private `__x` names, as CPython does).
    let name: String
    let type: SlotType
    /// Byte offset of the value in the cell.
    let offset: Int
    /// Byte offset and mask of the presence bit: bytes 0 and 1 of the header for the first
    /// 16 slots, a byte of the declaring layer beyond that.
    let presenceOffset: Int
    let presenceMask: UInt8
    /// Position in the full layout (base slots first, then each layer in declaration order).
    let index: Int
    /// Name of the class that declared the slot.
    let owner: String
    /// Whether a `.string` slot interns its long values (``StringInterning``).
    var interned = false
}

/// The part of a slot the attribute paths read on every access: plain bytes, so reading
/// it copies no strings.
struct SlotHot: BitwiseCopyable, Sendable {
    let offset: Int
    let presenceOffset: Int
    let presenceMask: UInt8
    let type: SlotType
    /// Whether the slot interns its long strings.
    let interned: Bool

    init(_ s: SlotInfo) {
        offset = s.offset
        presenceOffset = s.presenceOffset
        presenceMask = s.presenceMask
        type = s.type
        interned = s.interned
    }
}

/// What a name resolves to on a class, following the MRO the way `object.__getattribute__`
/// does: a slot (a data descriptor, which wins over the instance dict) or a class attribute
/// (which an instance dict shadows).
enum Member: Sendable {
    case slot(Int)
    case attribute(Value)
}

/// The immutable description of a class: its layout, its name lookup table and its place in
/// the hierarchy. Shared by every instance through the process-wide ``ClassTable``.
final class ClassInfo: @unchecked Sendable {
    let id: UInt32
    let name: String
    /// The space is alive while any of its classes is registered: the space unregisters them
    /// before it destroys its arena, and instance headers then read zero.
    unowned(unsafe) let space: ObjectSpace
    /// The pool of cells of `cellSize` bytes.
    let pool: OpaquePointer
    let cellSize: Int
    /// `__slots__` as declared, or nil for a class defined without slots.
    let declaredSlots: [String]?
    /// Every slot of the layout, base first.
    let slots: [SlotInfo]
    /// Byte offset of the instance-dict pointer, or -1 when instances have no `__dict__`.
    let dictOffset: Int
    /// The shapes of the instance dictionaries, or nil when instances have no `__dict__` (or
    /// shapes are turned off: every dictionary is then a hash table).
    let shapes: ShapeTree?
    /// Whether instances keep their dictionary's shape in the header (``ShapeTag``): the
    /// class has shapes and at most ``ShapeTag/maxSlots`` slots.
    let shapeTags: Bool
    /// Whether instances accept Python weak references (`__weakref__`). Slotted's own
    /// ``ObjectSpace/weakRef(_:)`` works for every instance regardless.
    let hasWeakrefSlot: Bool
    let bases: [ClassInfo]
    /// C3 linearization of the bases (the MRO without the class itself).
    let mroTail: [ClassInfo]
    /// The base whose layout this class extends (CPython's `tp_base`), if any.
    let layoutBase: ClassInfo?
    /// The class attributes defined on this class itself.
    let ownAttributes: [String: Value]
    let ancestorIDs: Set<UInt32>
    /// Name lookup, merged along the MRO (names compared by code points).
    let members: [AttributeName: Member]
    /// The hot form of `slots`, same indices.
    let hot: ContiguousArray<SlotHot>
    /// Name lookup for the attribute paths: a target >= 0 is a slot index, -1 - k is
    /// `attributeValues[k]`. Small classes scan `lookupNames` (comparing a few short strings
    /// is cheaper than hashing one); larger ones use `lookupTable`.
    let lookupNames: ContiguousArray<String>
    let lookupLengths: ContiguousArray<Int>
    let lookupTargets: ContiguousArray<Int>
    let lookupTable: [AttributeName: Int]
    /// The first names of `lookupNames` that Swift keeps in its small form (up to 15 UTF-8
    /// bytes), as the two raw words of that form, with their targets: a lookup of a small
    /// string compares two words per name instead of calling String equality.
    let smallNames: UnsafeMutablePointer<SmallName>
    let smallNameCount: Int
    /// Whether ``smallNames`` holds every lookup name (each fits the small form).
    let allNamesSmall: Bool
    let attributeValues: [Value]
    /// Indices of slots that may own an arena block (strings, untyped values).
    let releasableSlots: [Int]
    /// Offsets of the string slots that intern their values (``StringInterning``).
    let internedOffsets: [Int]
    /// Layout depth: 1 for a class without bases.
    let depth: Int
    /// First byte after this class's layout (before rounding the cell to 8 bytes): where a
    /// subclass's own layer starts.
    let layoutEnd: Int
    /// Slots that `set`, `delete` and typed accessors refuse to write after construction
    /// (`let` fields of `@SlotClass` types), this class's and its layout base's.
    let frozenSlots: Set<AttributeName>

    init(id: UInt32, name: String, space: ObjectSpace, pool: OpaquePointer, cellSize: Int,
         declaredSlots: [String]?, slots: [SlotInfo], dictOffset: Int, hasWeakrefSlot: Bool,
         bases: [ClassInfo], layoutBase: ClassInfo?, ownAttributes: [String: Value],
         members: [AttributeName: Member], depth: Int, layoutEnd: Int, mroTail: [ClassInfo],
         frozenSlots: Set<AttributeName> = [])
    {
        self.id = id
        self.name = name
        self.space = space
        self.pool = pool
        self.cellSize = cellSize
        self.declaredSlots = declaredSlots
        self.slots = slots
        self.dictOffset = dictOffset
        self.shapes = dictOffset >= 0 && ShapeTree.enabled
            ? ShapeTree(space: space, basePool: pool, baseCellSize: cellSize) : nil
        self.shapeTags = shapes != nil && slots.count <= ShapeTag.maxSlots
        self.hasWeakrefSlot = hasWeakrefSlot
        self.bases = bases
        self.mroTail = mroTail
        self.layoutEnd = layoutEnd
        self.frozenSlots = frozenSlots
        self.layoutBase = layoutBase
        self.ownAttributes = ownAttributes
        var ids: Set<UInt32> = [id]
        for b in mroTail { ids.insert(b.id) }
        self.ancestorIDs = ids
        self.members = members
        self.hot = ContiguousArray(slots.map(SlotHot.init))
        var names: ContiguousArray<String> = []
        var targets: ContiguousArray<Int> = []
        var values: [Value] = []
        var table: [AttributeName: Int] = [:]
        // Slots first, in layout order, so the common names are found early.
        for (name, member) in members.sorted(by: { Self.order($0.value) < Self.order($1.value) }) {
            let target: Int
            switch member {
            case .slot(let i): target = i
            case .attribute(let v):
                target = -1 - values.count
                values.append(v)
            }
            names.append(name.text)
            targets.append(target)
            table[name] = target
        }
        self.lookupNames = names
        self.lookupLengths = ContiguousArray(names.map(\.utf8.count))
        self.lookupTargets = targets
        self.lookupTable = table
        let small = names.indices.prefix(Self.smallNameLimit).compactMap { i in
            // A copy built from the bytes is in the small form whenever the text fits.
            SmallName(String(decoding: Array(names[i].utf8), as: UTF8.self))
                .map { SmallName(words: $0.words, target: targets[i], read: SmallName.read(targets[i], slots)) }
        }
        self.smallNames = .allocate(capacity: max(small.count, 1))
        self.smallNames.initialize(from: small, count: small.count)
        self.smallNameCount = small.count
        self.allNamesSmall = small.count == names.count
        self.attributeValues = values
        self.releasableSlots = slots.filter { $0.type == .string || $0.type == .any }.map(\.index)
        self.internedOffsets = slots.filter(\.interned).map(\.offset)
        self.depth = depth
    }

    var hasDict: Bool { dictOffset >= 0 }

    /// Calls `body` with the space, taking no reference to it: the space outlives its
    /// classes, and a plain use of the `unowned(unsafe)` property retains and releases it,
    /// two atomic operations that were a quarter of a by-name `set`.
    @inline(__always)
    func withSpace<R>(_ body: (ObjectSpace) throws -> R) rethrows -> R {
        try Unmanaged.passUnretained(space)._withUnsafeGuaranteedRef(body)
    }

    /// Calls `body` with the class's shape tree, taking no reference to it (the class keeps
    /// it); only for a class with shapes.
    @inline(__always)
    func withShapeTree<R>(_ body: (ShapeTree) throws -> R) rethrows -> R {
        try Unmanaged.passUnretained(shapes.unsafelyUnwrapped)._withUnsafeGuaranteedRef(body)
    }

    /// C3 linearization, the class first (`__mro__`).
    var mro: [ClassInfo] { [self] + mroTail }

    private static func order(_ m: Member) -> Int {
        if case .slot(let i) = m { return i }
        return Int.max
    }

    deinit { smallNames.deallocate() }

    static let linearLookupLimit = 8
    static let smallNameLimit = 16

    /// The lookup target of `name` (see `lookupTargets`), or nil. Names match when their code
    /// points do, as in CPython: two small forms are equal exactly when their bytes are.
    @inline(__always)
    func target(_ name: String) -> Int? {
        if let words = SmallName.words(name) {
            if let k = smallIndex(words) { return smallNames[k].target }
            // Equal code points make equal small forms: a small name that matched none of
            // them names nothing when every name has its small form in the list.
            if allNamesSmall { return nil }
        }
        return targetByString(name)
    }

    /// The index in ``smallNames`` of the name whose small form is `words`, or nil.
    @inline(__always)
    func smallIndex(_ words: SmallName.Words) -> Int? {
        for i in 0..<smallNameCount where smallNames[i].words == words { return i }
        return nil
    }

    /// ``target(_:)`` for a name not in ``smallNames`` (a small name when some names are
    /// not small, or a name too long for the small form).
    @inline(__always)
    func targetOfOther(_ name: String, small: Bool) -> Int? {
        small && allNamesSmall ? nil : targetByString(name)
    }

    private func targetByString(_ name: String) -> Int? {
        if lookupNames.count <= Self.linearLookupLimit {
            let length = name.utf8.count
            for i in lookupNames.indices where lookupLengths[i] == length && lookupNames[i].hasSameCodePoints(as: name) {
                return lookupTargets[i]
            }
            return nil
        }
        return lookupTable[AttributeName(name)]
    }

    func member(_ name: String) -> Member? {
        guard let t = target(name) else { return nil }
        return t >= 0 ? .slot(t) : .attribute(attributeValues[-1 - t])
    }

    func isSubclass(of other: ClassInfo) -> Bool { ancestorIDs.contains(other.id) }

    /// The `__slots__`-style list of slot names, base first.
    var allSlotNames: [String] { slots.map(\.name) }
}

/// A name in Swift's small string form, by its two raw words (see ``ClassInfo/smallNames``
/// and `_smallStringWords`).
struct SmallName: BitwiseCopyable {
    let words: Words
    let target: Int
    /// For a slot whose presence bit is in the header and whose value is a 64-bit int, a
    /// double or untyped, the by-name fast path's read decoded, as an attribute site's
    /// fourth word (``Instance/peekSmallName(_:)``): bit 63 marks it, bits 24...25 the kind
    /// (``readInt``, ``readDouble``, ``readAny``), bits 16...21 the presence bit's position
    /// in the header, bits 0...13 the value's byte offset. 0 for any other target.
    let read: UInt64

    struct Words: Equatable, BitwiseCopyable {
        let low: UInt64
        let high: UInt64
    }

    init(words: Words, target: Int, read: UInt64 = 0) {
        self.words = words
        self.target = target
        self.read = read
    }

    /// The words of `name` when it is in the small form (target unused).
    init?(_ name: String) {
        guard let words = Self.words(name) else { return nil }
        self.init(words: words, target: 0)
    }

    static let readMark: UInt64 = 1 << 63
    static let readInt: UInt64 = 0, readDouble: UInt64 = 1, readAny: UInt64 = 2

    /// The decoded read (see ``read``) of lookup target `target` among `slots`.
    static func read(_ target: Int, _ slots: [SlotInfo]) -> UInt64 {
        guard target >= 0 else { return 0 }
        let s = slots[target]
        guard s.presenceOffset < 8, s.offset < 1 << 14 else { return 0 }
        let kind: UInt64
        switch s.type {
        case .int: kind = readInt
        case .double: kind = readDouble
        case .any: kind = readAny
        default: return 0
        }
        let bit = UInt64(s.presenceOffset * 8 + s.presenceMask.trailingZeroBitCount)
        return readMark | kind << 24 | bit << 16 | UInt64(s.offset)
    }

    @inline(__always) static func readKind(_ r: UInt64) -> UInt64 { (r >> 24) & 3 }
    @inline(__always) static func readBit(_ r: UInt64) -> UInt64 { 1 &<< ((r >> 16) & 63) }
    @inline(__always) static func readOffset(_ r: UInt64) -> Int { Int(truncatingIfNeeded: r & 0x3fff) }

    /// The raw words of a string in the small form, or nil for any other form.
    @inline(__always)
    static func words(_ s: String) -> Words? {
        _smallStringWords(s).map { Words(low: $0.low, high: $0.high) }
    }
}
