extension Instance {
    /// Reads an attribute by name, as `getattr(p, name)`: a slot first (an unset one throws),
    /// then the instance `__dict__`, then class attributes along the MRO.
    ///
    /// - Throws: ``AttributeError`` (`'PointSlots' object has no attribute 'z'`),
    ///   ``ReferenceError`` for a stale handle or a slot that refers to a freed instance.
    public func get(_ name: String) throws -> Value {
        try withResolved { info, cell in
            // The common case inline: a slot that is set.
            let target = info.target(name)
            if let i = target, i >= 0 {
                let slot = info.hot[i]
                if cell.isPresent(slot.presenceOffset, slot.presenceMask) {
                    return try ObjectSpace.loadSlot(slot, cell)
                }
            }
            return try Self.getOther(info, cell, name, target)
        }
    }

    /// `get` for all but a set slot: an unset slot, the `__dict__`, a class attribute.
    @inline(never)
    private static func getOther(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ target: Int?) throws -> Value {
        if let i = target, i >= 0 { throw AttributeError.missing(info.name, name) }
        if info.dictOffset >= 0, let id = info.space.nameID(name, create: false),
           let v = try InstanceDict.get(cell, info.dictOffset, id, space: info.space)
        {
            return v
        }
        if let t = target { return info.attributeValues[-1 - t] }
        throw AttributeError.missing(info.name, name)
    }

    /// `getattr(p, name, default)`: the attribute, or `default` when it is missing or unset.
    /// Stale handles still throw.
    public func get(_ name: String, default fallback: Value) throws -> Value {
        do { return try get(name) } catch is AttributeError { return fallback }
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
        try withResolved { info, cell in
            // Read-only slots (`let` fields of @SlotClass types): construction, which goes
            // through `Instance.set(info, …)`, may still fill them.
            if !info.frozenSlots.isEmpty, info.frozenSlots.contains(name) {
                throw AttributeError.readOnly(info.name, name)
            }
            try Instance.set(info, cell, name, value)
        }
    }

    static func set(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws {
        let target = info.target(name)
        if let i = target, i >= 0 {
            try info.space.storeSlot(info, i, value, cell)
        } else if info.dictOffset >= 0 {
            try setInDict(info, cell, name, value)
        } else if target != nil {
            throw AttributeError.readOnly(info.name, name)
        } else {
            throw AttributeError.missing(info.name, name)
        }
    }

    static func setInDict(_ info: ClassInfo, _ cell: _SlotCell, _ name: String, _ value: Value) throws {
        guard let id = info.space.nameID(name, create: true) else { return }
        try InstanceDict.set(cell, info.dictOffset, id, value, space: info.space)
    }

    /// Deletes an attribute, as `del p.name`.
    ///
    /// - Throws: ``AttributeError``: the bare name (`x`) for an unset slot, as CPython;
    ///   `'C' object has no attribute 'z'` for a name it does not have;
    ///   `'C' object attribute 'z' is read-only` for a class attribute of a dict-less
    ///   instance; ``ReferenceError`` for a stale handle.
    public func delete(_ name: String) throws {
        let (info, cell) = try resolve()
        switch info.member(name) {
        case .slot(let i)?:
            // A read-only slot: deleting it is writing it.
            if info.frozenSlots.contains(name) { throw AttributeError.readOnly(info.name, name) }
            let slot = info.hot[i]
            guard cell.isPresent(slot.presenceOffset, slot.presenceMask) else { throw AttributeError(name) }
            info.space.clearSlot(slot, cell)
        case .attribute?:
            guard info.dictOffset >= 0 else { throw AttributeError.readOnly(info.name, name) }
            try deleteFromDict(info, cell, name)
        case nil:
            guard info.dictOffset >= 0 else { throw AttributeError.missing(info.name, name) }
            try deleteFromDict(info, cell, name)
        }
    }

    private func deleteFromDict(_ info: ClassInfo, _ cell: _SlotCell, _ name: String) throws {
        guard let id = info.space.nameID(name, create: false),
              InstanceDict.delete(cell, info.dictOffset, id, space: info.space)
        else { throw AttributeError.missing(info.name, name) }
    }

    /// The instance dictionary, as `vars(p)`.
    ///
    /// - Throws: ``TypeError`` (`vars() argument must have __dict__ attribute`) for an
    ///   instance without one.
    public func vars() throws -> [String: Value] {
        let (info, cell) = try resolve()
        guard info.dictOffset >= 0 else { throw TypeError("vars() argument must have __dict__ attribute") }
        var out: [String: Value] = [:]
        for (id, value) in try InstanceDict.entries(cell, info.dictOffset, space: info.space) {
            out[info.space.name(ofID: id)] = value
        }
        return out
    }

    /// The slots that are set, in layout order, with their values (the state
    /// `object.__getstate__` returns for slots).
    public func slotValues() throws -> [(name: String, value: Value)] {
        let (info, cell) = try resolve()
        var out: [(name: String, value: Value)] = []
        for slot in info.slots where cell.isPresent(slot.presenceOffset, slot.presenceMask) {
            out.append((slot.name, try ObjectSpace.loadSlot(SlotHot(slot), cell)))
        }
        return out
    }

    /// `dir()`-like: slot names (set or not), dictionary keys and class attributes, sorted.
    public func attributeNames() throws -> [String] {
        let (info, _) = try resolve()
        var names = Set(info.members.keys)
        if info.dictOffset >= 0 { names.formUnion(try vars().keys) }
        return names.sorted()
    }
}

extension Instance: CustomStringConvertible {
    /// A dataclass-style repr of the slots that are set, then the dictionary:
    /// `PointSlots(x=1.0, y=2.0)`. A stale handle prints `<freed instance>`, a handle whose
    /// space was destroyed `<instance of a destroyed space>`.
    public var description: String {
        guard let (info, cell) = resolveIfAlive() else { return goneDescription }
        var parts: [String] = []
        for slot in info.slots where cell.isPresent(slot.presenceOffset, slot.presenceMask) {
            let v = (try? ObjectSpace.loadSlot(SlotHot(slot), cell)).map(\.description) ?? "<freed instance>"
            parts.append("\(slot.name)=\(v)")
        }
        if info.dictOffset >= 0, let entries = try? InstanceDict.entries(cell, info.dictOffset, space: info.space) {
            for (id, v) in entries { parts.append("\(info.space.name(ofID: id))=\(v)") }
        }
        return "\(info.name)(\(parts.joined(separator: ", ")))"
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
