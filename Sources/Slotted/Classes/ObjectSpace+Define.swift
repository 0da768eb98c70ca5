internal import CSlotArena

extension ObjectSpace {
    /// The limits class definitions must respect. Each exists to keep a number that the
    /// layout stores in a fixed width, or a cost that grows with it, bounded.
    public enum Limits {
        /// Most slots a class may have, its bases' included: presence bits and offsets stay
        /// small, and a construction never walks more.
        public static let maxSlots = 1024
        /// Longest class or slot name, in UTF-8 bytes (CPython has no limit; error messages
        /// and layouts stay readable with one).
        public static let maxNameLength = 255
        /// Deepest chain of base classes: the MRO and every lookup table grow with it.
        public static let maxInheritanceDepth = 64
        /// Most bases one class may list.
        public static let maxBases = 64
        /// Largest instance cell, in bytes (`SLOTARENA_MAX_CELL`): a slab keeps at least four.
        public static let maxInstanceSize = Int(SLOTARENA_MAX_CELL)
    }

    /// Defines a class, like a Python `class` statement or `type(name, bases, ns)`.
    ///
    /// - Parameters:
    ///   - name: the class name (`__name__`).
    ///   - base: a single base class; the same as `bases: [base]`.
    ///   - bases: base classes, in MRO order (multiple inheritance, C3 linearization).
    ///   - slots: `__slots__`: untyped slot names, or nil for a class without `__slots__`,
    ///     whose instances get a per-instance `__dict__`. `"__dict__"` adds a dict to a
    ///     slotted class; `"__weakref__"` is accepted.
    ///   - attributes: class attributes, shared by all instances and read through them.
    /// - Throws: ``TypeError`` and ``ValueError`` with CPython's messages, in CPython's
    ///   order: `multiple bases have instance lay-out conflict`, `__slots__ must be
    ///   identifiers`, `'x' in __slots__ conflicts with class variable`; and a ``ValueError``
    ///   where CPython silently wastes memory (a duplicate slot name, a slot re-declared from
    ///   a base) or where a ``Limits`` value is exceeded. A class attribute that refers to a
    ///   freed instance throws ``ReferenceError``, one that refers to an instance of another
    ///   space ``ValueError``, as storing it in a slot does. Names compare by code point, as
    ///   in CPython: "é" as one code point and as "e" + U+0301 are two names.
    public func defineClass(_ name: String, base: SlotClass? = nil, bases: [SlotClass] = [],
                            slots: [String]? = nil, attributes: [String: Value] = [:]) throws -> SlotClass
    {
        try define(name, bases: (base.map { [$0] } ?? []) + bases,
                   slots: slots.map { $0.map { ($0, SlotType.any) } }, attributes: attributes)
    }

    /// Defines a class with typed slots, kept in declaration order.
    ///
    /// A typed slot stores the value itself (8 bytes for `.int`, `.double`, `.string`,
    /// `.instance`; 4 for `.int32`, `.float`; 1 for `.bool`, `.uint8`; 16 for `.any`), laid
    /// out largest alignment first so no padding is wasted. Setting a value of another type
    /// throws a ``TypeError`` naming the slot, the expected and the given type.
    public func defineClass(_ name: String, base: SlotClass? = nil, bases: [SlotClass] = [],
                            slots: KeyValuePairs<String, SlotType>,
                            attributes: [String: Value] = [:]) throws -> SlotClass
    {
        try define(name, bases: (base.map { [$0] } ?? []) + bases,
                   slots: slots.map { ($0.key, $0.value) }, attributes: attributes)
    }

    /// Defines a class whose typed slots are built at run time (from a schema, say): the
    /// same as the `KeyValuePairs` form, which needs a literal.
    public func defineClass(_ name: String, base: SlotClass? = nil, bases: [SlotClass] = [],
                            typedSlots: [(name: String, type: SlotType)],
                            attributes: [String: Value] = [:]) throws -> SlotClass
    {
        try define(name, bases: (base.map { [$0] } ?? []) + bases,
                   slots: typedSlots.map { ($0.name, $0.type) }, attributes: attributes)
    }

    /// Defines a class from a schema: an ordered list of (name, type) pairs, Python's
    /// `__slots__` sequence with a type per name. The order of the list is the order of
    /// `__slots__`: positional construction fills the slots in it.
    ///
    /// ```swift
    /// let schema: [(String, SlotType)] = [("ts", .int), ("kind", .string), ("value", .double)]
    /// let Event = try space.defineClass("EventSlots", slots: schema)
    /// ```
    ///
    /// - Throws: as the `KeyValuePairs` form; the error's ``TypeError/culprit`` names the
    ///   slot refused.
    public func defineClass(_ name: String, base: SlotClass? = nil, bases: [SlotClass] = [],
                            slots: [(name: String, type: SlotType)],
                            attributes: [String: Value] = [:]) throws -> SlotClass
    {
        try define(name, bases: (base.map { [$0] } ?? []) + bases,
                   slots: slots.map { ($0.name, $0.type) }, attributes: attributes)
    }

    /// Refused at compile time: a `Dictionary` has no order, and `__slots__` does (it is the
    /// order of positional construction, and Python's `__slots__` is a sequence). Pass an
    /// array of (name, type) pairs, or a literal.
    @available(*, unavailable, message: "a Dictionary has no order; pass an array of (name, type) pairs")
    public func defineClass(_ name: String, base: SlotClass? = nil, bases: [SlotClass] = [],
                            slots: [String: SlotType],
                            attributes: [String: Value] = [:]) throws -> SlotClass
    {
        _slottedTrap("a Dictionary has no order; pass an array of (name, type) pairs")
    }

    func define(_ name: String, bases: [SlotClass], slots: [(String, SlotType)]?,
                attributes: [String: Value],
                frozen: some Sequence<String> = [String](),
                interning: StringInterning = .none) throws -> SlotClass
    {
        // Names and bases.
        if name.utf8.contains(0) { throw ValueError("type name must not contain null characters", culprit: name) }
        if name.utf8.count > Limits.maxNameLength {
            throw ValueError("class name is \(name.utf8.count) bytes long; the maximum is \(Limits.maxNameLength)", culprit: name)
        }
        if bases.count > Limits.maxBases {
            throw ValueError("\(bases.count) bases; a class may have at most \(Limits.maxBases)")
        }
        var seenBases: Set<UInt32> = []
        for b in bases {
            guard b.space === self else {
                throw TypeError("base class '\(b.name)' belongs to another ObjectSpace", culprit: b.name)
            }
            guard seenBases.insert(b.info.id).inserted else { throw TypeError("duplicate base class \(b.name)", culprit: b.name) }
        }
        let baseInfos = bases.map(\.info)
        // A class attribute that refers to an instance is checked as a slot's value is: alive,
        // and of this space.
        for case .instance(let target) in attributes.values { try checkReference(target) }

        // (a) One base may contribute instance storage (CPython's best_base).
        let layoutBase = try Self.bestBase(baseInfos)
        let mro = try Self.linearize(baseInfos)
        let depth = 1 + (baseInfos.map(\.depth).max() ?? 0)
        if depth > Limits.maxInheritanceDepth {
            throw ValueError("inheritance depth \(depth) exceeds the maximum of \(Limits.maxInheritanceDepth)")
        }

        let baseHasDict = baseInfos.contains { $0.hasDict }
        let baseHasWeakref = baseInfos.contains { $0.hasWeakrefSlot }
        var hasDict = slots == nil || baseHasDict
        var hasWeakref = slots == nil || baseHasWeakref

        // (c) Per item: identifier, then __dict__ / __weakref__.
        var own: [(name: String, type: SlotType)] = []
        for (slot, type) in slots ?? [] {
            guard Self.isIdentifier(slot) else { throw TypeError("__slots__ must be identifiers", culprit: slot) }
            if slot.hasSameCodePoints(as: "__dict__") {
                if hasDict { throw TypeError("__dict__ slot disallowed: we already got one", culprit: slot) }
                if type != .any { throw TypeError("__dict__ slot cannot have a type", culprit: slot) }
                hasDict = true
                continue
            }
            if slot.hasSameCodePoints(as: "__weakref__") {
                if hasWeakref {
                    throw TypeError("__weakref__ slot disallowed: either we already got one, or __itemsize__ != 0",
                                    culprit: slot)
                }
                if type != .any { throw TypeError("__weakref__ slot cannot have a type", culprit: slot) }
                hasWeakref = true
                continue
            }
            own.append((slot, type))
        }

        // (d) Mangling, then the conflict with the class namespace. Names compare by code
        // points here and below, as CPython compares them.
        own = own.map { (Self.mangle($0.name, className: name), $0.type) }
        let attributeNames = Set(attributes.keys.map(AttributeName.init))
        for slot in own where attributeNames.contains(AttributeName(slot.name))
            && !slot.name.hasSameCodePoints(as: "__qualname__") && !slot.name.hasSameCodePoints(as: "__classcell__")
        {
            throw ValueError("'\(slot.name)' in __slots__ conflicts with class variable", culprit: slot.name)
        }

        // Where CPython silently wastes a cell, Slotted refuses.
        var seen: Set<AttributeName> = []
        let inherited = Dictionary((layoutBase?.slots ?? []).map { (AttributeName($0.name), $0.owner) },
                                   uniquingKeysWith: { a, _ in a })
        for slot in own {
            if slot.name.utf8.count > Limits.maxNameLength {
                throw ValueError("slot name is \(slot.name.utf8.count) bytes long; the maximum is \(Limits.maxNameLength)",
                                 culprit: slot.name)
            }
            guard seen.insert(AttributeName(slot.name)).inserted else {
                throw ValueError("'\(slot.name)' appears more than once in __slots__", culprit: slot.name)
            }
            if let owner = inherited[AttributeName(slot.name)] {
                throw ValueError("'\(slot.name)' in __slots__ is already a slot of base class '\(owner)'",
                                 culprit: slot.name)
            }
        }
        // Read-only slots (`let` fields of @SlotClass types): only this class's own.
        let frozen = Set(frozen.map(AttributeName.init))
        for slot in frozen where !seen.contains(slot) {
            throw ValueError("read-only slot '\(slot.text)' is not a slot of '\(name)'", culprit: slot.text)
        }
        let frozenSlots = (layoutBase?.frozenSlots ?? []).union(frozen)
        let baseSlots = layoutBase?.slots ?? []
        if baseSlots.count + own.count > Limits.maxSlots {
            throw ValueError("\(baseSlots.count + own.count) slots; a class may have at most \(Limits.maxSlots)")
        }

        // Layout: the base's cell, then this class's own layer.
        var layout = Self.layOut(base: layoutBase, own: own, className: name,
                                 needsDict: hasDict && (layoutBase?.dictOffset ?? -1) < 0)
        try Self.markInterned(&layout.slots, own: own.count, interning, className: name)
        if layout.cellSize > Limits.maxInstanceSize {
            throw ValueError("instances of '\(name)' would take \(layout.cellSize) bytes; the maximum is \(Limits.maxInstanceSize)")
        }
        let dictOffset = hasDict ? (layout.dictOffset ?? layoutBase!.dictOffset) : -1
        guard let pool = slotarena_pool_for_size(arena, layout.cellSize) else {
            throw MemoryError("out of memory: the arena refused a pool for \(layout.cellSize)-byte instances")
        }

        let info = try ClassTable.register { id in
            let members = Self.members(mro: mro, ownSlots: layout.slots.suffix(own.count),
                                       ownAttributes: attributes)
            return ClassInfo(
                id: id, name: name, space: self, pool: pool, cellSize: layout.cellSize,
                declaredSlots: slots?.map(\.0), slots: layout.slots, dictOffset: dictOffset,
                hasWeakrefSlot: hasWeakref, bases: baseInfos, layoutBase: layoutBase,
                ownAttributes: attributes, members: members, depth: depth, layoutEnd: layout.end,
                mroTail: mro, frozenSlots: frozenSlots)
        }
        state.withLock { $0.classes.append(info) }
        #if SLOTTED_INTERNAL_CHECKS
        _checkInvariants()
        #endif
        return SlotClass(info: info, space: self)
    }

    // MARK: - Hierarchy

    /// The most derived class that added slot storage along `c`'s layout chain (CPython's
    /// `solid_base`), nil for `object`.
    static func solidBase(_ c: ClassInfo?) -> ClassInfo? {
        var k = c
        while let cls = k {
            if cls.slots.count > (cls.layoutBase?.slots.count ?? 0) { return cls }
            k = cls.layoutBase
        }
        return nil
    }

    static func isSubtype(_ a: ClassInfo?, _ b: ClassInfo?) -> Bool {
        guard let b else { return true }
        guard let a else { return false }
        return a.isSubclass(of: b)
    }

    /// CPython's `best_base`: the base whose layout the new class extends.
    static func bestBase(_ bases: [ClassInfo]) throws -> ClassInfo? {
        var base: ClassInfo? = nil
        var winner: ClassInfo? = nil
        for (i, b) in bases.enumerated() {
            let candidate = solidBase(b)
            if i == 0 {
                winner = candidate
                base = b
            } else if isSubtype(winner, candidate) {
                continue
            } else if isSubtype(candidate, winner) {
                winner = candidate
                base = b
            } else {
                throw TypeError("multiple bases have instance lay-out conflict")
            }
        }
        return base
    }

    /// C3 linearization of the bases' MROs (the new class itself is prepended by the caller).
    static func linearize(_ bases: [ClassInfo]) throws -> [ClassInfo] {
        var seqs: [[ClassInfo]] = bases.map(\.mro) + [bases]
        var result: [ClassInfo] = []
        while true {
            seqs.removeAll { $0.isEmpty }
            if seqs.isEmpty { return result }
            var next: ClassInfo? = nil
            for s in seqs {
                let head = s[0]
                if !seqs.contains(where: { $0.dropFirst().contains { $0 === head } }) {
                    next = head
                    break
                }
            }
            guard let chosen = next else {
                // CPython names the head of every sequence it could not merge, once each.
                var heads: [ClassInfo] = []
                for s in seqs where !heads.contains(where: { $0 === s[0] }) { heads.append(s[0]) }
                throw TypeError("Cannot create a consistent method resolution\norder (MRO) for bases "
                                + heads.map(\.name).joined(separator: ", "))
            }
            result.append(chosen)
            for i in seqs.indices where seqs[i][0] === chosen { seqs[i].removeFirst() }
        }
    }

    /// Name lookup merged along the MRO: walking from `object` towards the class, each
    /// class's own attributes and slots override what came before.
    static func members(mro: [ClassInfo], ownSlots: ArraySlice<SlotInfo>,
                        ownAttributes: [String: Value]) -> [AttributeName: Member]
    {
        var members: [AttributeName: Member] = [:]
        for cls in mro.reversed() {
            let ownStart = cls.layoutBase?.slots.count ?? 0
            for slot in cls.slots[ownStart...] { members[AttributeName(slot.name)] = .slot(slot.index) }
            for (k, v) in cls.ownAttributes { members[AttributeName(k)] = .attribute(v) }
        }
        // Own attributes first: the only names both in __slots__ and in the namespace are
        // the exempt __qualname__ / __classcell__, where the slot wins (CPython #84).
        for (k, v) in ownAttributes { members[AttributeName(k)] = .attribute(v) }
        for slot in ownSlots { members[AttributeName(slot.name)] = .slot(slot.index) }
        return members
    }

    // MARK: - Names

    /// Python's `str.isidentifier()`: XID_Start or `_`, then XID_Continue. Keywords pass.
    static func isIdentifier(_ s: String) -> Bool {
        var scalars = s.unicodeScalars.makeIterator()
        guard let first = scalars.next(), first == "_" || first.properties.isXIDStart else { return false }
        while let c = scalars.next() {
            if !c.properties.isXIDContinue { return false }
        }
        return true
    }

    /// CPython's private-name mangling (`_Py_Mangle`): `__x` in class `C` becomes `_C__x`;
    /// dunder names, dotted names and names in a class whose name is all underscores are left
    /// alone. It looks at code points, as CPython does: a combining mark after `__` does
    /// not hide the underscores (Swift's `Character`s would join the two).
    static func mangle(_ name: String, className: String) -> String {
        let underscore = UInt8(ascii: "_")
        let bytes = name.utf8
        guard bytes.starts(with: [underscore, underscore]), !bytes.reversed().starts(with: [underscore, underscore]),
              !bytes.contains(UInt8(ascii: "."))
        else { return name }
        // `_` is one byte that no multi-byte sequence contains, so the rest is whole code points.
        let stripped = className.utf8.drop { $0 == underscore }
        guard !stripped.isEmpty else { return name }
        return "_" + String(Substring(stripped)) + name
    }
}

// MARK: - Layout

struct Layout {
    var slots: [SlotInfo]
    var end: Int
    var cellSize: Int
    var dictOffset: Int?
}

extension ObjectSpace {
    /// Places a class's own layer after its layout base: the dict pointer if the class adds
    /// one, then its slots by decreasing alignment (declaration order among equals, so no
    /// padding is wasted), then presence bytes for slots past the header's 16 bits.
    static func layOut(base: ClassInfo?, own: [(name: String, type: SlotType)], className: String,
                       needsDict: Bool) -> Layout
    {
        func align(_ o: Int, _ a: Int) -> Int { (o + a - 1) / a * a }
        var slots = base?.slots ?? []
        var offset = base?.layoutEnd ?? HeaderBits.headerBytes
        let firstIndex = slots.count
        var dictOffset: Int? = nil
        if needsDict {
            offset = align(offset, 8)
            dictOffset = offset
            offset += 8
        }
        let order = own.indices.sorted { (own[$0].type.alignment, -$0) > (own[$1].type.alignment, -$1) }
        var offsets = [Int](repeating: 0, count: own.count)
        for k in order {
            let t = own[k].type
            offset = align(offset, t.alignment)
            offsets[k] = offset
            offset += t.size
        }
        let firstExtra = max(firstIndex, HeaderBits.presenceBits)
        let extraCount = max(0, firstIndex + own.count - firstExtra)
        let presenceStart = offset
        offset += (extraCount + 7) / 8
        for (k, slot) in own.enumerated() {
            let index = firstIndex + k
            let presence: (Int, UInt8) = index < HeaderBits.presenceBits
                ? (index / 8, UInt8(1) << (index % 8))
                : (presenceStart + (index - firstExtra) / 8, UInt8(1) << ((index - firstExtra) % 8))
            slots.append(SlotInfo(name: slot.name, type: slot.type, offset: offsets[k],
                                  presenceOffset: presence.0, presenceMask: presence.1, index: index,
                                  owner: className))
        }
        return Layout(slots: slots, end: offset, cellSize: max(Int(SLOTARENA_MIN_CELL), align(offset, 8)),
                      dictOffset: dictOffset)
    }
}
