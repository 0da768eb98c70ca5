/// A slot resolved once on a class: reading or writing it through an instance
/// (`e[accessor]`) is one check of the header word and one load or store at a fixed offset.
///
/// Python's member descriptor (`C.x`) without the attribute lookup. The single masked
/// compare of the header checks together that the handle is not stale, that the instance is
/// of the accessor's class, and (for reads) that the slot is set. Anything else takes a
/// slow path that accepts subclass instances and traps, with the message Python would
/// raise, on an unset slot, a stale handle or an instance of an unrelated class.
///
/// An accessor is plain bytes (offsets, masks and the class id), so passing it around costs
/// no reference counting; it does not keep its space alive. Used after its space was
/// destroyed, it traps with a message that says so (having kept no names, the message gives
/// the slot's index and offset and the class's id): a later class may take over its
/// class's table index, but never its class id.
public struct SlotAccessor<T: SlotValue>: Sendable, BitwiseCopyable {
    @usableFromInline let hot: _SlotAccessorHot
    @usableFromInline let slotIndex: Int

    /// The class the accessor was resolved on. Traps if its space was destroyed.
    public var owner: SlotClass {
        let info = classInfo
        return SlotClass(info: info, space: info.space)
    }
    /// The slot's name. Traps if its space was destroyed.
    public var name: String { classInfo.slots[slotIndex].name }
    /// Byte offset of the value.
    public var offset: Int { hot.offset }
    var presenceOffset: Int { hot.presenceOffset }
    var presenceMask: UInt8 { hot.presenceMask }

    init(owner: SlotClass, slot: SlotInfo) {
        self.slotIndex = slot.index
        let classBits = UInt64(owner.info.id) << HeaderBits.classShift
        let writeMask = HeaderBits.genMask | HeaderBits.classMask
        // @SlotClass read-only slots: bit 0 is outside writeMask, so a write to a frozen
        // slot never passes the fast compare and `_checkWrite` refuses it.
        let writeExpected = owner.info.frozenSlots.contains(AttributeName(slot.name)) ? classBits | 1 : classBits
        let readMask: UInt64
        let readExpected: UInt64
        if slot.index < HeaderBits.presenceBits {
            let bit = UInt64(1) << UInt64(slot.index)
            readMask = writeMask | bit
            readExpected = classBits | bit
        } else {
            // Presence lives in a byte after the header. The writer bit, outside the mask, in
            // the expected word makes the one-compare fast path fail every time; the read
            // then takes `_isSetPastHeader` (generation, class, that byte) before any call.
            readMask = writeMask
            readExpected = classBits | _SlotAccessorHot._pastHeader
        }
        hot = _SlotAccessorHot(classID: owner.info.id, offset: slot.offset, readMask: readMask, readExpected: readExpected,
                               writeMask: writeMask, writeExpected: writeExpected,
                               presenceOffset: slot.presenceOffset, presenceMask: slot.presenceMask)
    }

    /// The accessor's class; traps when its space was destroyed (the class left the table).
    var classInfo: ClassInfo {
        guard let info = ClassTable.lookup(hot.classID) else { hot.spaceDestroyed(slot: slotIndex) }
        return info
    }
}

extension Instance {
    /// Whether the accessor's slot is set on this instance: `hasattr` through the
    /// descriptor. False for a stale handle (also one whose space was destroyed) or an
    /// instance the accessor does not apply to; when it is true, reading `self[slot]` does
    /// not trap.
    ///
    /// On an instance of the accessor's own class this is the typed read's header compare
    /// (and, past the 16th slot, one test of the presence byte); subclass instances and
    /// stale handles take a slower path that looks the class up.
    @inlinable
    public func isSet<T: SlotValue>(_ slot: SlotAccessor<T>) -> Bool {
        let cell = _cell
        let hot = slot.hot
        if _fastPath(cell.header & hot.readMask == _generationBits | hot.readExpected) { return true }
        if cell.header & hot.writeMask == _generationBits | (hot.readExpected & ~(hot.headerBit | _SlotAccessorHot._pastHeader)) {
            // The accessor's own class: a slot past the 16th, or one whose header bit is clear.
            return hot.headerBit == 0 && cell.isPresent(hot.presenceOffset, hot.presenceMask)
        }
        return _isSetSlow(hot)
    }

    /// `isSet` for what the header compare does not settle: an unset slot among the first
    /// 16, a subclass instance, a stale handle.
    @usableFromInline
    func _isSetSlow(_ hot: _SlotAccessorHot) -> Bool {
        guard let (info, cell) = resolveIfAlive(), info.ancestorIDs.contains(hot.classID) else { return false }
        return cell.isPresent(hot.presenceOffset, hot.presenceMask)
    }

    /// Reads a typed slot through a pre-resolved accessor, or returns nil when the slot is
    /// unset: the member descriptor's `__get__` with its `AttributeError` turned into nil,
    /// as `getattr(p, 'x', None)` does for a slot.
    ///
    /// On an instance of the accessor's class the set case costs what `self[slot]` costs: the
    /// same masked header compare (past the 16th slot, one test of the presence byte), then
    /// one load. Only an unset slot is nil: like the subscript, it traps on a stale handle
    /// or an instance the accessor does not apply to.
    @inlinable
    public subscript<T: SlotValue>(ifSet slot: SlotAccessor<T>) -> T? {
        @inline(__always) get {
            let cell = _cell
            let hot = slot.hot
            if _slowPath(cell.header & hot.readMask != _generationBits | hot.readExpected),
                !hot._isSetPastHeader(cell, _generationBits)
            {
                if !_SlotAccessorHot._checkReadIfSet(self, hot.classID, slot.slotIndex, hot.offset) { return nil }
            }
            return T._load(cell, hot.offset)
        }
    }

    /// Reads or writes a typed slot through a pre-resolved accessor: one header compare and
    /// one load or store at a fixed offset.
    ///
    /// Traps (as an out-of-range index does) when the slot is unset, the handle is stale, or
    /// the instance is not of the accessor's class or a subclass; the trap message is the
    /// error Python would raise. Use ``get(_:)`` to get a thrown error instead. A reference
    /// (an `Instance`, or a `Value.instance`) reads back as its handle; if the instance it
    /// refers to was freed, every use of that handle detects it.
    @inlinable
    public subscript<T: SlotValue>(slot: SlotAccessor<T>) -> T {
        @inline(__always) get {
            let cell = _cell
            let hot = slot.hot
            if _slowPath(cell.header & hot.readMask != _generationBits | hot.readExpected),
                !hot._isSetPastHeader(cell, _generationBits)
            {
                _SlotAccessorHot._checkRead(self, hot.classID, slot.slotIndex, hot.offset)
            }
            return T._load(cell, hot.offset)
        }
        @inline(__always) nonmutating set {
            let cell = _cell
            let hot = slot.hot
            if _slowPath(cell.header & hot.writeMask != _generationBits | hot.writeExpected) {
                _SlotAccessorHot._checkWrite(self, hot.classID, slot.slotIndex, hot.offset)
            }
            T._store(newValue, cell, hot)
            cell.markPresent(hot.presenceOffset, hot.presenceMask)
        }
    }
}

/// The offsets and masks of a ``SlotAccessor``. Implementation detail of the typed subscript.
@frozen
public struct _SlotAccessorHot: Sendable, BitwiseCopyable {
    /// The class the accessor was resolved on, in the process-wide class table.
    @usableFromInline let classID: UInt32
    @usableFromInline let offset: Int
    @usableFromInline let readMask: UInt64
    @usableFromInline let readExpected: UInt64
    @usableFromInline let writeMask: UInt64
    @usableFromInline let writeExpected: UInt64
    @usableFromInline let presenceOffset: Int
    @usableFromInline let presenceMask: UInt8
    /// The presence bit as a header bit (slots 0...15), or 0 when the presence byte lies
    /// after the header.
    @usableFromInline let headerBit: UInt64

    /// Set in `readExpected` of a typed accessor whose presence byte lies after the header
    /// (the writer bit, `SLOTARENA_BUSY_BIT`, which `readMask` leaves out): its one-compare
    /// fast path then never holds, and a read goes on to ``_isSetPastHeader(_:_:)``. So the
    /// common read, of one of the first 16 slots, is one masked compare and one branch.
    @inlinable @inline(__always)
    static var _pastHeader: UInt64 { _SiteHeader.busy }

    /// Whether a slot past the 16th is set on an instance of the accessor's own class with
    /// the handle's generation: the header compare without the presence bit, then the
    /// presence byte. Always false for an accessor of one of the first 16 slots.
    @inlinable @inline(__always)
    func _isSetPastHeader(_ cell: _SlotCell, _ generationBits: UInt64) -> Bool {
        (cell.header & readMask) ^ (generationBits | readExpected) == Self._pastHeader
            && cell.isPresent(presenceOffset, presenceMask)
    }

    init(classID: UInt32, offset: Int, readMask: UInt64, readExpected: UInt64, writeMask: UInt64,
         writeExpected: UInt64, presenceOffset: Int, presenceMask: UInt8)
    {
        self.classID = classID
        self.offset = offset
        self.readMask = readMask
        self.readExpected = readExpected
        self.writeMask = writeMask
        self.writeExpected = writeExpected
        self.presenceOffset = presenceOffset
        self.presenceMask = presenceMask
        self.headerBit = presenceOffset < 8 ? UInt64(presenceMask) << UInt64(presenceOffset * 8) : 0
    }
}

extension _SlotAccessorHot {
    /// The accessor's class; traps when its space was destroyed (the class left the table,
    /// and its index may hold another class now, under another id).
    var classInfo: ClassInfo {
        guard let info = ClassTable.lookup(classID) else { spaceDestroyed(slot: nil) }
        return info
    }

    /// Calls `body` with the accessor's space, taking no reference to the class or the
    /// space (``ClassInfo/withSpace(_:)``); traps as ``classInfo`` does.
    @inline(__always)
    func withSpace<R>(_ body: (ObjectSpace) throws -> R) rethrows -> R {
        guard let entry = ClassTable.lookupUnmanaged(classID) else { spaceDestroyed(slot: nil) }
        return try entry._withUnsafeGuaranteedRef { try $0.withSpace(body) }
    }

    /// The trap of an accessor whose class is gone with its space. The accessor kept no
    /// names, so the message gives what it has: the slot's index and offset, the class id.
    func spaceDestroyed(slot: Int?) -> Never {
        Self.spaceDestroyed(classID: classID, offset: offset, slot: slot)
    }

    /// ``spaceDestroyed(slot:)`` from the accessor's integers, for the slow paths.
    @inline(never)
    static func spaceDestroyed(classID: UInt32, offset: Int, slot: Int?) -> Never {
        let place = (slot.map { "slot \($0), " } ?? "") + "at offset \(offset), of class #\(classID)"
        _slottedTrap("a typed accessor (\(place)) used after its ObjectSpace was destroyed; an accessor does not keep its space alive")
    }
}

// The slow paths of the typed subscript. They take the accessor's class id, slot index
// and offset as plain integers, not the accessor: a call from the inlined subscript then
// needs no type metadata and takes no address of the accessor, so a loop around a typed
// read keeps its masks in registers rather than in a copy on the stack.
extension _SlotAccessorHot {
    /// The slow path of a read: returns when the read may proceed, traps otherwise.
    @usableFromInline @inline(never)
    static func _checkRead(_ instance: Instance, _ classID: UInt32, _ slotIndex: Int, _ offset: Int) {
        let slot = SlowPathSlot(classID: classID, index: slotIndex, offset: offset)
        let cell = slot.check(instance, "read")
        if !cell.isPresent(slot.info.presenceOffset, slot.info.presenceMask) {
            let className = ClassTable.lookup(HeaderBits.classID(cell.header))?.name ?? slot.owner.name
            _slottedTrap("AttributeError: '\(className)' object has no attribute '\(slot.info.name)'")
        }
    }

    /// The slow path of `instance[ifSet: accessor]`: true when the read may proceed, false
    /// for an unset slot; traps on a stale handle or an unrelated class.
    @usableFromInline @inline(never)
    static func _checkReadIfSet(_ instance: Instance, _ classID: UInt32, _ slotIndex: Int, _ offset: Int) -> Bool {
        let slot = SlowPathSlot(classID: classID, index: slotIndex, offset: offset)
        return slot.check(instance, "read").isPresent(slot.info.presenceOffset, slot.info.presenceMask)
    }

    /// The slow path of a write: returns when the write may proceed, traps otherwise.
    @usableFromInline @inline(never)
    static func _checkWrite(_ instance: Instance, _ classID: UInt32, _ slotIndex: Int, _ offset: Int) {
        let slot = SlowPathSlot(classID: classID, index: slotIndex, offset: offset)
        _ = slot.check(instance, "write")
        let owner = slot.owner
        if owner.frozenSlots.contains(AttributeName(slot.info.name)) {
            _slottedTrap("AttributeError: '\(owner.name)' object attribute '\(slot.info.name)' is read-only")
        }
    }
}

/// The slot of a typed accessor, found again from its class id by a slow path.
private struct SlowPathSlot {
    let classID: UInt32
    let index: Int
    let offset: Int

    /// The accessor's class; traps when its space was destroyed (the class left the table,
    /// and its index may hold another class now, under another id).
    var owner: ClassInfo {
        guard let info = ClassTable.lookup(classID) else {
            _SlotAccessorHot.spaceDestroyed(classID: classID, offset: offset, slot: index)
        }
        return info
    }

    var info: SlotInfo { owner.slots[index] }

    /// The instance's cell when the accessor applies to it; traps on a stale handle or an
    /// instance of an unrelated class.
    func check(_ instance: Instance, _ what: String) -> _SlotCell {
        let info: ClassInfo
        let cell: _SlotCell
        do {
            (info, cell) = try instance.resolve()
        } catch {
            _slottedTrap("typed slot \(what) of '\(self.info.name)' through a stale handle: \(error)")
        }
        let owner = self.owner
        guard info.isSubclass(of: owner) else {
            _slottedTrap("TypeError: descriptor '\(self.info.name)' for '\(owner.name)' objects doesn't apply to a '\(info.name)' object")
        }
        return cell
    }
}
