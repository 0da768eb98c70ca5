internal import CSlotArena

extension Instance {
    /// Reads an attribute by name, as `getattr(p, name)`: a slot first (an unset one throws),
    /// then the instance `__dict__`, then class attributes along the MRO.
    ///
    /// A set slot, or a shaped dictionary's inline entry, that holds a number, a boolean or
    /// None is read without a call or reference counting, as an ``AttributeSite`` reads it:
    /// the name is matched against the class's slots (or the instance's shape) and the
    /// header is read before and after the value. Keep an ``AttributeSite`` where the same
    /// name is read again and again: it matches no name at all.
    ///
    /// - Throws: ``AttributeError`` (`'PointSlots' object has no attribute 'z'`),
    ///   ``ReferenceError`` for a stale handle or a slot that refers to a freed instance.
    public func get(_ name: String) throws -> Value {
        switch peekSmallName(name) {
        case .value(let v): return v
        case .rest(let h, let info, let k): return try getRest(name, h, info, k)
        case .unset, .other: return try getValidated(name)
        }
    }

    /// ``get(_:)`` once ``peekSmallName(_:)`` left the name to ``peekRest(_:_:_:_:_:)``.
    @inline(never)
    private func getRest(_ name: String, _ h: UInt64, _ info: Unmanaged<ClassInfo>, _ k: Int) throws -> Value {
        if case .value(let v) = Self.peekRest(_cell, h, info, name, k) { return v }
        return try getValidated(name)
    }

    /// ``get(_:)`` for what the fast path (``peekSmallName(_:)``, ``peekRest(_:_:_:_:_:)``) does not serve, as a validated read.
    @inline(never)
    private func getValidated(_ name: String) throws -> Value {
        try withValidatedRead { info, read in
            // The common case inline: a slot that is set.
            let target = info.target(name)
            if let i = target, i >= 0 {
                let slot = info.hot[i]
                if read.isPresent(slot) {
                    return try ObjectSpace.peekSlot(slot, &read)
                }
            } else if target == nil, info.shapes != nil {
                // A name that only a dictionary can have, read through its shape.
                if let v = try ShapedDict.peekGet(&read, info, name) { return v }
                throw AttributeError.missing(info.name, name)
            }
            return try Self.getOther(info, &read, name, target)
        }
    }

    /// `get` for all but a set slot: an unset slot, the `__dict__`, a class attribute.
    @inline(never)
    private static func getOther(_ info: ClassInfo, _ read: inout ValidatedRead, _ name: String, _ target: Int?) throws -> Value {
        if let i = target, i >= 0 { throw AttributeError.missing(info.name, name) }
        if info.dictOffset >= 0, let v = try Self.peekDict(info, &read, name) {
            return v
        }
        if let t = target { return info.attributeValues[-1 - t] }
        throw AttributeError.missing(info.name, name)
    }

    /// `getattr(p, name, default)`: the attribute, or `default` when it is missing or unset.
    /// Stale handles still throw.
    public func get(_ name: String, default fallback: Value) throws -> Value {
        try getIfPresent(name) ?? fallback
    }

    /// Reads an attribute by name, or returns nil when the instance does not have it (an
    /// unset slot, a name neither in the `__dict__` nor a class attribute): CPython's
    /// `getattr(p, name, None)` where None can be told apart from a value. It throws no
    /// error for a missing attribute, so it costs what a successful ``get(_:)`` costs.
    ///
    /// - Throws: ``ReferenceError`` for a stale handle or a slot that refers to a freed
    ///   instance, as ``get(_:)``: a freed instance is not an instance without the attribute.
    public func getIfPresent(_ name: String) throws -> Value? {
        switch peekSmallName(name) {
        case .value(let v): return v
        case .unset: return nil
        case .rest(let h, let info, let k): return try getIfPresentRest(name, h, info, k)
        case .other: return try getIfPresentValidated(name)
        }
    }

    /// ``getIfPresent(_:)`` once ``peekSmallName(_:)`` left the name to
    /// ``peekRest(_:_:_:_:_:)``.
    @inline(never)
    private func getIfPresentRest(_ name: String, _ h: UInt64, _ info: Unmanaged<ClassInfo>, _ k: Int) throws -> Value? {
        switch Self.peekRest(_cell, h, info, name, k) {
        case .value(let v): return v
        case .unset: return nil
        case .other, .rest: return try getIfPresentValidated(name)
        }
    }

    /// ``getIfPresent(_:)`` for what the fast path does not serve, as a validated read.
    @inline(never)
    private func getIfPresentValidated(_ name: String) throws -> Value? {
        try withValidatedRead { info, read in
            let target = info.target(name)
            if let i = target, i >= 0 {
                let slot = info.hot[i]
                // Not a ternary: `Value` is ExpressibleByNilLiteral, and `nil` there would be None.
                guard read.isPresent(slot) else { return Optional<Value>.none }
                return try ObjectSpace.peekSlot(slot, &read)
            }
            if info.dictOffset >= 0, let v = try Self.peekDict(info, &read, name) {
                return v
            }
            return target.map { info.attributeValues[-1 - $0] }
        }
    }

    /// `hasattr(p, name)`; false for a stale handle, also when the handle's space was
    /// destroyed. `__dict__` and `__weakref__` are there exactly when the class gives
    /// instances a dict or a weakref slot.
    public func has(_ name: String) -> Bool {
        guard let (info, _) = resolveIfAlive() else { return false }
        if name == "__dict__" || name == "__weakref__", info.target(name) == nil {
            return name == "__dict__" ? info.hasDict : info.hasWeakrefSlot
        }
        return (try? get(name)) != nil
    }

    /// The attribute, through dynamic member lookup: `try p.x` is `try p.get("x")`.
    public subscript(dynamicMember name: String) -> Value {
        get throws { try get(name) }
    }

    /// Writes an attribute by name, as `setattr(p, name, value)`.
    ///
    /// - Throws: ``AttributeError`` for an undeclared name on an instance without a dict
    ///   (`'PointSlots' object has no attribute 'z'`) or a class attribute
    ///   (`'C' object attribute 'z' is read-only`); ``TypeError`` when a typed slot gets a
    ///   value of another type; ``MemoryError``; ``ReferenceError`` for a stale handle. The
    ///   instance is unchanged when it throws.
    public func set(_ name: String, _ value: Value) throws {
        try withWriteLock { info, cell, header in
            // Read-only slots (`let` fields of @SlotClass types): construction, which goes
            // through `Instance.set(info, …)`, may still fill them.
            if !info.frozenSlots.isEmpty, info.frozenSlots.contains(AttributeName(name)) {
                throw AttributeError.readOnly(info.name, name)
            }
            try Instance.set(info, cell, name, value, header: &header)
        }
    }

    /// `set` on a cell whose writer bit the caller holds (or that no one else can reach yet);
    /// presence bits of the first 16 slots go into `header`.
    static func set(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value, header: inout UInt64) throws {
        let target = info.target(name)
        if let i = target, i >= 0 {
            try info.withSpace { try $0.storeSlot(info, i, value, cell, header: &header) }
        } else if info.dictOffset >= 0 {
            try setInDict(info, cell, name, value)
        } else if target != nil {
            throw AttributeError.readOnly(info.name, name)
        } else {
            throw AttributeError.missing(info.name, name)
        }
    }

    static func setInDict(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws {
        if _fastPath(info.shapes != nil) { return try ShapedDict.set(info, cell, name, value) }
        try setInTable(info, cell, name, value)
    }

    /// `set` in a dictionary in dictionary mode (a hash table, or none yet).
    static func setInTable(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws {
        try info.withSpace { space in
            let (id, counted) = space.nameIDForSet(name, in: InstanceDict.table(cell, info.dictOffset))
            do {
                try InstanceDict.set(cell, info.dictOffset, id, value, space: space, counted: counted)
            } catch {
                if counted { space.state.withLock { $0.names.release(id) } }
                throw error
            }
        }
    }

    /// Deletes an attribute, as `del p.name`.
    ///
    /// - Throws: ``AttributeError``: the bare name (`x`) for an unset slot, as CPython;
    ///   `'C' object has no attribute 'z'` for a name it does not have;
    ///   `'C' object attribute 'z' is read-only` for a class attribute of a dict-less
    ///   instance; ``ReferenceError`` for a stale handle.
    public func delete(_ name: String) throws {
        try withWriteLock { info, cell, header in
            switch info.member(name) {
            case .slot(let i)?:
                // A read-only slot: deleting it is writing it.
                if info.frozenSlots.contains(AttributeName(name)) { throw AttributeError.readOnly(info.name, name) }
                try info.space.deleteSlot(info.hot[i], named: name, cell, header: &header)
            case .attribute?:
                guard info.dictOffset >= 0 else { throw AttributeError.readOnly(info.name, name) }
                try Self.deleteFromDict(info, cell, name)
            case nil:
                guard info.dictOffset >= 0 else { throw AttributeError.missing(info.name, name) }
                try Self.deleteFromDict(info, cell, name)
            }
        }
    }

    private static func deleteFromDict(_ info: ClassInfo, _ cell: _SlotCell, _ name: String) throws {
        if info.shapes != nil {
            guard try ShapedDict.delete(info, cell, name) else { throw AttributeError.missing(info.name, name) }
            return
        }
        guard let id = info.space.nameID(name),
              InstanceDict.delete(cell, info.dictOffset, id, space: info.space)
        else { throw AttributeError.missing(info.name, name) }
    }

    /// The instance dictionary, as `vars(p)`.
    ///
    /// The dictionary keeps its keys apart by code point, as CPython does; a Swift
    /// `Dictionary` does not: of two keys that differ only in their Unicode form ("é" as one
    /// code point and as "e" + U+0301), the result holds one. ``get(_:)`` reads each.
    ///
    /// - Throws: ``TypeError`` (`vars() argument must have __dict__ attribute`) for an
    ///   instance without one.
    public func vars() throws -> [String: Value] {
        try withValidatedRead { info, read in
            guard info.dictOffset >= 0 else { throw TypeError("vars() argument must have __dict__ attribute") }
            var out: [String: Value] = [:]
            for (name, value) in try Self.namedEntries(info, &read) { out[name] = value }
            return out
        }
    }

    /// The dictionary's entries with their names, within a validated read.
    static func namedEntries(_ info: ClassInfo, _ read: inout ValidatedRead) throws -> [(String, Value)] {
        if info.shapes != nil { return try ShapedDict.peekEntries(&read, info) }
        return try InstanceDict.peekEntries(&read, info.dictOffset, space: info.space)
    }

    /// The slots that are set, in layout order, with their values (the state
    /// `object.__getstate__` returns for slots).
    public func slotValues() throws -> [(name: String, value: Value)] {
        try withValidatedRead { info, read in
            var out: [(name: String, value: Value)] = []
            for (i, slot) in info.hot.enumerated() where read.isPresent(slot) {
                out.append((info.slots[i].name, try ObjectSpace.peekSlot(slot, &read)))
            }
            return out
        }
    }

    /// `dir()`-like: slot names (set or not), dictionary keys and class attributes, sorted by
    /// code point as `sorted()` sorts Python strings.
    public func attributeNames() throws -> [String] {
        try withValidatedRead { info, read in
            var names = Set(info.members.keys)
            if info.dictOffset >= 0 {
                for (name, _) in try Self.namedEntries(info, &read) { names.insert(AttributeName(name)) }
            }
            return names.map(\.text).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
    }
}

extension Instance: CustomStringConvertible {
    /// A dataclass-style repr of the slots that are set, then the dictionary:
    /// `PointSlots(x=1.0, y=2.0)`. A stale handle prints `<freed instance>`, a handle whose
    /// space was destroyed `<instance of a destroyed space>`.
    public var description: String {
        guard resolveIfAlive() != nil else { return goneDescription }
        let parts = try? withValidatedRead { info, read -> (String, [String]) in
            var parts: [String] = []
            for (i, slot) in info.hot.enumerated() where read.isPresent(slot) {
                let v: String
                do { v = try ObjectSpace.peekSlot(slot, &read).description } catch is ReferenceError {
                    v = "<freed instance>"
                }
                parts.append("\(info.slots[i].name)=\(v)")
            }
            if info.dictOffset >= 0 {
                // A dictionary holding a reference to a freed instance is left out, as before.
                do {
                    for (name, v) in try Self.namedEntries(info, &read) { parts.append("\(name)=\(v)") }
                } catch is ReferenceError {}
            }
            return (info.name, parts)
        }
        guard let (name, fields) = parts else { return goneDescription }
        return "\(name)(\(fields.joined(separator: ", ")))"
    }

    /// Python's default repr, used for instances nested in other values.
    var shortDescription: String {
        guard let (info, _) = resolveIfAlive() else { return goneDescription }
        return "<\(info.name) object at 0x\(String((raw & Self._addressMask) << 3, radix: 16))>"
    }

    /// What an instance that is gone prints as.
    private var goneDescription: String {
        spaceIsDestroyed ? "<instance of a destroyed space>" : "<freed instance>"
    }
}

/// What the by-name fast path found: a slot's value, a declared slot that is unset, or
/// something it leaves to the validated read. Only its first part
/// (``Instance/peekSmallName(_:)``) returns `.rest`: a live instance whose name it leaves to
/// the second part (``Instance/peekRest(_:_:_:_:_:)``), with the header it read, the
/// instance's class and where the name is among the class's small names (an index, -1 for
/// a small name not there, -2 for a name too long for the small form).
enum SlotPeek {
    case value(Value)
    case unset
    case other
    case rest(header: UInt64, info: Unmanaged<ClassInfo>, small: Int)
}

extension Instance {
    /// The by-name fast path of ``get(_:)`` and ``getIfPresent(_:)``: a live instance no
    /// writer holds, `name` one of its class's slots, set to a number, a boolean or None, or
    /// unset. The same seqlock read as an attribute site's (SiteFastPath.swift): the header,
    /// the value (an untyped one with its own sequence), the header again; `.other` for
    /// anything else (a stale handle, a writer, a string or a reference, a name that is not a
    /// slot, a header that changed), which the validated read then serves or refuses.
    ///
    /// It comes in two parts. This first one has no call in it, so that the caller keeps
    /// nothing on the stack on its way (it saves only the registers the shaped dictionary's
    /// read needs). It serves a small name whose read its class decoded
    /// (``SmallName/read``), its slot set to a number or None, or unset, and a small name
    /// that only a shaped dictionary can have. Every other name of a live instance comes
    /// back as `.rest`, for ``peekRest(_:_:_:_:_:)`` in a function of the caller's own.
    @inline(__always)
    func peekSmallName(_ name: String) -> SlotPeek {
        let cell = _cell
        let h = cell.peekHeader
        guard h & (Self._genMask | HeaderBits.busy) == _generationBits, h & Self._classMask != 0,
              let entry = ClassTable.lookupUnmanaged(HeaderBits.classID(h))
        else { return .other }
        guard let words = SmallName.words(name) else { return .rest(header: h, info: entry, small: -2) }
        let (k, r): (Int, UInt64) = entry._withUnsafeGuaranteedRef { info in
            guard let k = info.smallIndex(words) else { return (-1, 0) }
            return (k, info.smallNames[k].read)
        }
        if k < 0 {
            // No slot and no class attribute has the name: only a dictionary can.
            return entry._withUnsafeGuaranteedRef { info in
                guard info.allNamesSmall, info.shapes != nil,
                      let found = Self.peekShaped(cell, h, info, position: { $0.position(of: words) })
                else { return .rest(header: h, info: entry, small: k) }
                return found
            }
        }
        guard r != 0 else { return .rest(header: h, info: entry, small: k) }
        // The value is made only once the peeks are validated: a value dropped on the way
        // out would cost a call to destroy it, and that call a stack area and saved registers.
        guard h & SmallName.readBit(r) != 0 else {
            return slotarena_peek64_sc_equals(cell.base, h) ? .unset : .other
        }
        let p = cell.base + SmallName.readOffset(r)
        let kind = SmallName.readKind(r)
        if kind == SmallName.readAny {
            guard let v = AttributeSite._peekUntyped(cell.base, h, p) else { return .other }
            return .value(v)
        }
        let bits = slotarena_peek64(p)
        guard slotarena_peek64_sc_equals(cell.base, h) else { return .other }
        return .value(kind == SmallName.readDouble ? .double(Double(bitPattern: bits)) : .int(Int(Int64(bitPattern: bits))))
    }

    /// The second part of the by-name fast path (see ``peekSmallName(_:)``): any other slot
    /// of a number or a boolean, or a shaped dictionary's entry, on the instance in `cell`
    /// whose header was `h`, of class `info`; `small` is where the first part found the name.
    @inline(__always)
    static func peekRest(_ cell: _SlotCell, _ h: UInt64, _ info: Unmanaged<ClassInfo>, _ name: String, _ small: Int) -> SlotPeek {
        info._withUnsafeGuaranteedRef { info in
            let target = small >= 0 ? info.smallNames[small].target : info.targetOfOther(name, small: small == -1)
            guard let i = target else {
                // The dictionary's reads validate the header themselves.
                return info.shapes != nil ? Self.peekShaped(cell, h, info, name) : .other
            }
            guard i >= 0 else { return .other }
            let slot = info.hot[i]
            guard cell.peekPresent(slot.presenceOffset, slot.presenceMask, header: h) else {
                return slotarena_peek64_sc_equals(cell.base, h) ? .unset : .other
            }
            let v = slot.type == .any ? _SlotCell._peekSimpleAny(cell.base + slot.offset) : cell.peekNumber(slot)
            guard let v, slotarena_peek64_sc_equals(cell.base, h) else { return .other }
            return .value(v)
        }
    }

    /// The fast path's read of a name only a dictionary can have, on a shaped dictionary
    /// whose values are inline: the shape is followed only after a second look at the
    /// header, and the dictionary word is looked at again after the value and before the
    /// value's tag word is (``ShapedDict/peekGet(_:_:_:)``). `.unset` when the shape lacks
    /// the name (it is missing: no slot and no class attribute has it either).
    @inline(__always)
    static func peekShaped(_ cell: _SlotCell, _ h: UInt64, _ info: ClassInfo, _ name: String) -> SlotPeek {
        peekShaped(cell, h, info, position: { $0.position(of: name) }) ?? peekTable(cell, h, info, name)
    }

    /// ``peekShaped(_:_:_:_:)`` with the name's position in a shape found by `position`;
    /// nil when the dictionary is a hash table, which the caller reads. The header is
    /// validated last, before a value is made.
    @inline(__always)
    static func peekShaped(_ cell: _SlotCell, _ h: UInt64, _ info: ClassInfo, position: (Shape) -> Int?) -> SlotPeek? {
        let at = cell.base + info.dictOffset
        let w = slotarena_peek64(at)
        if w & DictWord.modeMask == DictWord.table { return nil }
        guard w & DictWord.modeMask == DictWord.inline, let s = DictWord.pointer(w),
              slotarena_peek64_sc_equals(cell.base, h)
        else { return .other }
        let shape = DictWord.peekedShapeFast(s)
        guard let p = shape._withUnsafeGuaranteedRef(position) else {
            return slotarena_peek64_sc_equals(at, w) && slotarena_peek64_sc_equals(cell.base, h) ? .unset : .other
        }
        let (offset, rep) = shape._withUnsafeGuaranteedRef { ($0.offsets[p], $0.reps[p]) }
        let vp = cell.base + info.cellSize + offset
        #if DEBUG
        if _DictReadPause.at(cell.base, .beforeValue, fast: true) { return .other }
        #endif
        if rep != .any {
            // A raw number: its place never holds another name's while the instance has
            // shapes, so the word again is the whole check (ShapedDict.swift's file comment).
            // A string word's block is followed only inside a reader section: not here.
            guard rep != .string else { return .other }
            let bits = slotarena_peek64(vp)
            #if DEBUG
            if _DictReadPause.at(cell.base, .beforeRecheck, fast: true) { return .other }
            #endif
            guard slotarena_peek64_sc_equals(at, w), slotarena_peek64_sc_equals(cell.base, h) else { return .other }
            return .value(rep.number(bits))
        }
        // The value's tag word, its payload, the dictionary word again, the tag word again
        // (in that order: ShapedDict.swift's file comment).
        let t = slotarena_peek64_acquire(vp)
        let payload = slotarena_peek64(vp + 8)
        #if DEBUG
        if _DictReadPause.at(cell.base, .beforeRecheck, fast: true) { return .other }
        #endif
        guard slotarena_peek64_sc_equals(at, w), slotarena_peek64_sc_equals(vp, t), t & AnyWord.writing == 0,
              slotarena_peek64_sc_equals(cell.base, h), let v = _SlotCell._simpleValue(t, payload)
        else { return .other }
        return .value(v)
    }

    /// The fast path's read of a dictionary in dictionary mode (a hash table): the name's
    /// interned id, then ``InstanceDict/peekGet(_:_:_:)`` inside a reader section, as the
    /// validated read does it but without its closure and its retries (any doubt is
    /// `.other`). `.unset` when the table lacks the name.
    @inline(never)
    static func peekTable(_ cell: _SlotCell, _ h: UInt64, _ info: ClassInfo, _ name: String) -> SlotPeek {
        // The space outlives its classes: no reference is taken.
        let space = Unmanaged.passUnretained(info.space)
        guard let (id, check) = space._withUnsafeGuaranteedRef({ $0.nameIDForRead(name) }) else {
            // Not interned: no dictionary of the space has the name.
            return slotarena_peek64_sc(cell.base) == h ? .unset : .other
        }
        var read = ValidatedRead(cell: cell, header: h, arena: space._withUnsafeGuaranteedRef { $0.arena })
        defer { read.end() }
        let found: Value?
        do {
            found = try InstanceDict.peekGet(&read, info.dictOffset, id, names: check)
        } catch {
            return .other
        }
        guard read.stillValid else { return .other }
        return found.map { .value($0) } ?? .unset
    }
}
