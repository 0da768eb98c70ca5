/// A slot resolved once on a class: reading or writing it through an instance
/// (`e[accessor]`) is one check of the header word and one load or store at a fixed offset.
///
/// Python's member descriptor (`C.x`) without the attribute lookup. The single masked
/// compare of the header checks together that the handle is not stale, that the instance is
/// of the accessor's class, and (for reads) that the slot is set. Anything else takes a
/// slow path that accepts subclass instances and traps, with the message Python would
/// raise, on an unset slot, a stale handle or an instance of an unrelated class.
public struct SlotAccessor<T: SlotValue>: Sendable {
    /// The slot's name.
    public let name: String
    /// The class the accessor was resolved on (it keeps the space alive).
    public let owner: SlotClass
    /// Byte offset of the value.
    public let offset: Int
    @usableFromInline let readMask: UInt64
    @usableFromInline let readExpected: UInt64
    @usableFromInline let writeMask: UInt64
    @usableFromInline let writeExpected: UInt64
    @usableFromInline let presenceOffset: Int
    @usableFromInline let presenceMask: UInt8
    let slotIndex: Int

    init(owner: SlotClass, slot: SlotInfo) {
        self.name = slot.name
        self.owner = owner
        self.offset = slot.offset
        self.presenceOffset = slot.presenceOffset
        self.presenceMask = slot.presenceMask
        self.slotIndex = slot.index
        let classBits = UInt64(owner.info.id) << HeaderBits.classShift
        writeMask = HeaderBits.genMask | HeaderBits.classMask
        writeExpected = classBits
        if slot.index < HeaderBits.presenceBits {
            let bit = UInt64(1) << UInt64(slot.index)
            readMask = writeMask | bit
            readExpected = classBits | bit
        } else {
            // Presence lives outside the header: make the fast compare always fail so the
            // slow path checks the presence byte.
            readMask = writeMask
            readExpected = classBits | 1
        }
    }

    /// The slow path of a read: returns when the read may proceed, traps otherwise.
    @usableFromInline
    func _checkRead(_ instance: Instance) {
        let cell = checkInstance(instance, "read")
        if !cell.isPresent(presenceOffset, presenceMask) {
            let className = ClassTable.lookup(HeaderBits.classID(cell.header))?.name ?? owner.name
            preconditionFailure("Slotted: AttributeError: '\(className)' object has no attribute '\(name)'")
        }
    }

    /// The slow path of a write: returns when the write may proceed, traps otherwise.
    @usableFromInline
    func _checkWrite(_ instance: Instance) {
        _ = checkInstance(instance, "write")
    }

    private func checkInstance(_ instance: Instance, _ what: String) -> _SlotCell {
        let info: ClassInfo
        let cell: _SlotCell
        do {
            (info, cell) = try instance.resolve()
        } catch {
            preconditionFailure("Slotted: typed slot \(what) of '\(name)' through a stale handle: \(error)")
        }
        guard info.isSubclass(of: owner.info) else {
            preconditionFailure("Slotted: TypeError: descriptor '\(name)' for '\(owner.name)' objects doesn't apply to a '\(info.name)' object")
        }
        return cell
    }
}

extension Instance {
    /// Reads or writes a typed slot through a pre-resolved accessor: one header compare and
    /// one load or store at a fixed offset.
    ///
    /// Traps (as an out-of-range index does) when the slot is unset, the handle is stale, or
    /// the instance is not of the accessor's class or a subclass; the trap message is the
    /// error Python would raise. Use ``get(_:)`` to get a thrown error instead.
    @inlinable
    public subscript<T: SlotValue>(slot: SlotAccessor<T>) -> T {
        @inline(__always) get {
            let cell = _cell
            if _slowPath(cell.header & slot.readMask != _generationBits | slot.readExpected) {
                slot._checkRead(self)
            }
            return T._load(cell, slot.offset)
        }
        @inline(__always) nonmutating set {
            let cell = _cell
            if _slowPath(cell.header & slot.writeMask != _generationBits | slot.writeExpected) {
                slot._checkWrite(self)
            }
            T._store(newValue, cell, slot)
            cell.markPresent(slot.presenceOffset, slot.presenceMask)
        }
    }
}
