//===----------------------------------------------------------------------===//
//
// FieldAccess.swift: the reads and writes of a `@SlotClass` view's properties.
//
// The generated properties and initializers call these `Instance` methods
// with a field's compile-time layout. A read or write is a masked compare of
// the header word (a read of a field past the first 16 tests its presence
// byte too), then one load or store at the offset. Anything else (an unset
// field, a stale handle, a failed store, a reference to an instance of
// another class) takes an out-of-line path that traps with the error Python
// would raise.
//
//===----------------------------------------------------------------------===//

extension Instance {
    /// Reads a field that must be set: one masked compare of the header (generation and, for
    /// the first 16 slots, the presence bit) and one load at the compile-time offset.
    ///
    /// The generation alone proves the handle refers to the instance the view was made for
    /// (a cell's generation changes whenever it is freed, and 0 is never live), and a live
    /// instance never changes class, so no class compare is needed.
    @inlinable @inline(__always)
    public func _slottedGet<T: _SlotFieldValue>(_ field: _SlotFieldLayout, _ name: StaticString) -> T {
        let cell = _cell
        let bit = field.headerBit
        if _slowPath(cell.header & (Instance._genMask | bit) != _generationBits | bit) {
            _slottedCheckRead(field, name)
        } else if bit == 0, _slowPath(!cell.isPresent(field.presenceOffset, field.presenceMask)) {
            _slottedCheckRead(field, name)
        }
        return T._load(cell, field.offset)
    }

    /// Reads an optional field: nil when the slot is unset.
    @inlinable @inline(__always)
    public func _slottedGetOptional<T: _SlotFieldValue>(_ field: _SlotFieldLayout, _ name: StaticString) -> T? {
        let cell = _cell
        let h = cell.header
        if _slowPath(h & Instance._genMask != _generationBits) { _slottedStale(name) }
        let bit = field.headerBit
        let present = bit != 0 ? h & bit != 0 : cell.isPresent(field.presenceOffset, field.presenceMask)
        return present ? T._load(cell, field.offset) : nil
    }

    /// Writes a field: one masked compare of the header and one store (strings encode their
    /// text first, as the typed subscript does), then the presence bit.
    @inlinable @inline(__always)
    public func _slottedSet<T: _SlotFieldValue>(_ value: T, _ field: _SlotFieldLayout, _ name: StaticString) {
        let cell = _cell
        if _slowPath(cell.header & Instance._genMask != _generationBits) { _slottedStale(name) }
        do {
            try T._slottedStore(value, cell, field.offset,
                                replacing: cell.isPresent(field.presenceOffset, field.presenceMask))
        } catch {
            _slottedStoreFailed(name, error)
        }
        cell.markPresent(field.presenceOffset, field.presenceMask)
    }

    /// Writes an optional field: nil unsets the slot (`del e.x`).
    @inlinable @inline(__always)
    public func _slottedSetOptional<T: _SlotFieldValue>(_ value: T?, _ field: _SlotFieldLayout, _ name: StaticString) {
        if let value {
            _slottedSet(value, field, name)
        } else {
            let cell = _cell
            if _slowPath(cell.header & Instance._genMask != _generationBits) { _slottedStale(name) }
            if cell.isPresent(field.presenceOffset, field.presenceMask) {
                _slottedClear(cell, field, T.slotType)
            }
        }
    }

    /// Stores a field of a fresh instance (the generated initializers). A header presence bit
    /// is set with an unconditional read-modify-write, so that the compiler can fold the
    /// initializer's consecutive header updates into one store.
    @inlinable @inline(__always)
    public func _slottedInitialize<T: _SlotFieldValue>(_ value: T, _ field: _SlotFieldLayout) throws {
        let cell = _cell
        try T._slottedStore(value, cell, field.offset, replacing: false)
        let bit = field.headerBit
        if bit != 0 {
            cell.store(cell.header | bit, 0)
        } else {
            cell.markPresent(field.presenceOffset, field.presenceMask)
        }
    }

    /// Stores an optional field of a fresh instance: nil leaves the slot unset.
    @inlinable @inline(__always)
    public func _slottedInitialize<T: _SlotFieldValue>(_ value: T?, _ field: _SlotFieldLayout) throws {
        if let value { try _slottedInitialize(value, field) }
    }

    // MARK: Fields of another @SlotClass type (references)

    /// Reads a reference field as a view; traps when the referent was freed or is not a `V`.
    @inlinable
    public func _slottedGetView<V: SlotClassView>(_ field: _SlotFieldLayout, _ name: StaticString) -> V {
        let target: Instance = _slottedGet(field, name)
        return _slottedView(target, name)
    }

    /// Reads an optional reference field: nil when the slot is unset.
    @inlinable
    public func _slottedGetOptionalView<V: SlotClassView>(_ field: _SlotFieldLayout, _ name: StaticString) -> V? {
        let target: Instance? = _slottedGetOptional(field, name)
        return target.map { _slottedView($0, name) }
    }

    @inlinable
    public func _slottedSetView<V: SlotClassView>(_ value: V, _ field: _SlotFieldLayout, _ name: StaticString) {
        _slottedSet(value.instance, field, name)
    }

    @inlinable
    public func _slottedSetOptionalView<V: SlotClassView>(_ value: V?, _ field: _SlotFieldLayout, _ name: StaticString) {
        _slottedSetOptional(value?.instance, field, name)
    }

    @inlinable
    public func _slottedInitializeView<V: SlotClassView>(_ value: V, _ field: _SlotFieldLayout) throws {
        try _slottedInitialize(value.instance, field)
    }

    @inlinable
    public func _slottedInitializeView<V: SlotClassView>(_ value: V?, _ field: _SlotFieldLayout) throws {
        if let value { try _slottedInitialize(value.instance, field) }
    }

    /// A view of the instance a reference slot holds, checked: the dynamic API can store any
    /// instance into an `.instance` slot.
    @usableFromInline
    func _slottedView<V: SlotClassView>(_ target: Instance, _ name: StaticString) -> V {
        guard target.isAlive else {
            _slottedTrap("field '\(name)' refers to an instance that was freed")
        }
        guard V.__slotted_registration._isInstance(target) else {
            _slottedTrap("TypeError: field '\(name)' holds a '\(target.className ?? "?")' object, not a '\(V.__slotted_registration.name)'")
        }
        return V(__slotted_unchecked: target)
    }

    // MARK: Slow paths

    /// The failed read of a field: traps with the error Python would raise.
    @usableFromInline @inline(never)
    func _slottedCheckRead(_ field: _SlotFieldLayout, _ name: StaticString) {
        let cell = _cell
        guard cell.header & Instance._genMask == _generationBits, isAlive else { _slottedStale(name) }
        if !cell.isPresent(field.presenceOffset, field.presenceMask) {
            _slottedTrap("AttributeError: '\(className ?? "?")' object has no attribute '\(name)'")
        }
    }

    @usableFromInline @inline(never)
    func _slottedStale(_ name: StaticString) -> Never {
        if _cell.header == 0 { Instance.spaceDestroyed() }
        _slottedTrap("field '\(name)' used through a stale handle: \(ReferenceError.freed)")
    }

    @usableFromInline @inline(never)
    func _slottedStoreFailed(_ name: StaticString, _ error: any Error) -> Never {
        _slottedTrap("storing field '\(name)': \(error)")
    }

    @usableFromInline @inline(never)
    func _slottedClear(_ cell: _SlotCell, _ field: _SlotFieldLayout, _ type: SlotType) {
        ObjectSpace.owning(cell).clearSlot(
            SlotHot(SlotInfo(name: "", type: type, offset: field.offset, presenceOffset: field.presenceOffset,
                             presenceMask: field.presenceMask, index: 0, owner: "")),
            cell)
    }

    /// Throws unless the slot of a field is set (`init(_:)` checks the `let` fields).
    public func _slottedRequire(_ field: _SlotFieldLayout, _ name: String) throws {
        let (info, cell) = try resolve()
        guard cell.isPresent(field.presenceOffset, field.presenceMask) else {
            throw AttributeError.missing(info.name, name)
        }
    }

    /// Frees the instance an initializer made when one of its stores failed.
    public func _slottedDiscard() {
        let (info, _) = resolveOrTrap("discard")
        info.space.free(self)
    }
}
