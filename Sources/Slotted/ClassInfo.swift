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
    /// Name lookup, merged along the MRO.
    let members: [String: Member]
    /// The same lookup as a short array, scanned linearly when the class has few names:
    /// comparing a few small strings is cheaper than hashing one.
    let memberList: ContiguousArray<(String, Member)>
    /// Indices of slots that may own an arena block (strings, untyped values).
    let releasableSlots: [Int]
    /// Layout depth: 1 for a class without bases.
    let depth: Int
    /// First byte after this class's layout (before rounding the cell to 8 bytes): where a
    /// subclass's own layer starts.
    let layoutEnd: Int

    init(id: UInt32, name: String, space: ObjectSpace, pool: OpaquePointer, cellSize: Int,
         declaredSlots: [String]?, slots: [SlotInfo], dictOffset: Int, hasWeakrefSlot: Bool,
         bases: [ClassInfo], layoutBase: ClassInfo?, ownAttributes: [String: Value],
         members: [String: Member], depth: Int, layoutEnd: Int, mroTail: [ClassInfo])
    {
        self.id = id
        self.name = name
        self.space = space
        self.pool = pool
        self.cellSize = cellSize
        self.declaredSlots = declaredSlots
        self.slots = slots
        self.dictOffset = dictOffset
        self.hasWeakrefSlot = hasWeakrefSlot
        self.bases = bases
        self.mroTail = mroTail
        self.layoutEnd = layoutEnd
        self.layoutBase = layoutBase
        self.ownAttributes = ownAttributes
        var ids: Set<UInt32> = [id]
        for b in mroTail { ids.insert(b.id) }
        self.ancestorIDs = ids
        self.members = members
        self.memberList = members.count <= 8 ? ContiguousArray(members.map { ($0.key, $0.value) }) : []
        self.releasableSlots = slots.filter { $0.type == .string || $0.type == .any }.map(\.index)
        self.depth = depth
    }

    var hasDict: Bool { dictOffset >= 0 }

    /// C3 linearization, the class first (`__mro__`).
    var mro: [ClassInfo] { [self] + mroTail }

    @inline(__always)
    func member(_ name: String) -> Member? {
        if members.count <= 8 {
            for (key, member) in memberList where key == name { return member }
            return nil
        }
        return members[name]
    }

    func isSubclass(of other: ClassInfo) -> Bool { ancestorIDs.contains(other.id) }

    /// The `__slots__`-style list of slot names, base first.
    var allSlotNames: [String] { slots.map(\.name) }
}
