internal import CSlotArena

/// A class defined in an ``ObjectSpace``: call it to construct instances.
///
/// `try PointSlots(x: 1.0, y: 2.0)` is Python's `PointSlots(x=1.0, y=2.0)` for a class whose
/// `__init__` assigns each keyword to the attribute of the same name: keywords set
/// attributes (an unknown keyword throws ``AttributeError``), and positional arguments fill
/// the slots in declaration order, base slots first. A class keeps its space alive.
@dynamicCallable
public final class SlotClass: Hashable, Sendable, CustomStringConvertible {
    let info: ClassInfo
    /// The space the class belongs to.
    public let space: ObjectSpace

    /// The class id (the header bits 16...43 of its instances), for the inlinable
    /// ``new(_:)`` with slot values.
    @usableFromInline let _classID: UInt32
    /// How many slots an instance has, base slots included: the most positional values a
    /// construction takes.
    @usableFromInline let _slotCount: Int
    /// The header bits of a new instance and the pool of its cells, kept here so that
    /// ``new()`` reads them from the class object it was called on.
    let headerBits: UInt64
    nonisolated(unsafe) let pool: OpaquePointer

    init(info: ClassInfo, space: ObjectSpace) {
        self.info = info
        self.space = space
        self._classID = info.id
        self._slotCount = info.slots.count
        self.headerBits = UInt64(info.id) << HeaderBits.classShift
        self.pool = info.pool
    }

    /// `__name__`.
    public var name: String { info.name }
    /// `__slots__` as declared (names as given, `__dict__` and `__weakref__` included), or nil
    /// for a class defined without `__slots__`.
    public var declaredSlots: [String]? { info.declaredSlots }
    /// The slots this class adds to its base's layout (mangled names).
    public var ownSlots: [String] { info.slots[(info.layoutBase?.slots.count ?? 0)...].map(\.name) }
    /// Every slot of an instance, base slots first (mangled names).
    public var allSlots: [String] { info.allSlotNames }
    /// Whether instances have a `__dict__`.
    public var hasDict: Bool { info.hasDict }
    /// Whether instances accept Python weak references (`__weakref__`). Slotted's
    /// ``ObjectSpace/weakRef(_:)`` works on every instance regardless.
    public var hasWeakrefSlot: Bool { info.hasWeakrefSlot }
    /// Bytes of one instance's cell (`__basicsize__`, exactly what the arena hands out).
    public var instanceSize: Int { info.cellSize }
    /// The direct bases (`__bases__`).
    public var bases: [SlotClass] { info.bases.map { SlotClass(info: $0, space: space) } }
    /// The method resolution order, this class first (`__mro__`, without `object`).
    public var mro: [SlotClass] { info.mro.map { SlotClass(info: $0, space: space) } }
    /// The class attributes this class defines itself.
    public var attributes: [String: Value] { info.ownAttributes }

    /// `issubclass(self, other)`.
    public func isSubclass(of other: SlotClass) -> Bool { info.isSubclass(of: other.info) }

    /// A class attribute, looked up along the MRO (`getattr(C, name)` for a plain value).
    public func attribute(_ name: String) -> Value? {
        if case .attribute(let v)? = info.member(name) { return v }
        return nil
    }

    /// `repr(C)`: `<class 'PointSlots'>`.
    public var description: String { "<class '\(info.name)'>" }

    /// Classes are equal when they are the same class.
    public static func == (a: SlotClass, b: SlotClass) -> Bool { a.info === b.info }
    public func hash(into h: inout Hasher) { h.combine(info.id) }

    // MARK: - Layout

    /// One slot of the layout, as the layout description prints it.
    public struct SlotLayout: Hashable, Sendable {
        /// The attribute name.
        public let name: String
        /// What the slot stores.
        public let type: SlotType
        /// Byte offset in the instance.
        public let offset: Int
        /// Bytes it takes.
        public var size: Int { type.size }
        /// The class that declared it.
        public let declaredBy: String
    }

    /// Every slot with its offset, size and type, in declaration order (base first).
    public var layout: [SlotLayout] {
        info.slots.map { SlotLayout(name: $0.name, type: $0.type, offset: $0.offset, declaredBy: $0.owner) }
    }

    /// A `pahole`-style description of the instance layout: the header, each slot's offset,
    /// size and type in offset order, the dict pointer, padding, and the total.
    public var layoutDescription: String {
        var rows: [(Int, Int, String)] = [(0, 8, "header        (presence bits, class id, generation)")]
        for s in info.slots {
            rows.append((s.offset, s.type.size, "\(s.name): \(s.type)" + (s.owner != info.name ? "    (from \(s.owner))" : "")))
        }
        if info.dictOffset >= 0 { rows.append((info.dictOffset, 8, "__dict__      (pointer to the dict table)")) }
        rows.sort { $0.0 < $1.0 }
        var out = "class \(info.name) {    /* \(info.cellSize) bytes */\n"
        var end = 0
        for (offset, size, text) in rows {
            if offset > end, end > 0 { out += "    /* \(offset - end) bytes: presence bits or padding */\n" }
            out += "    /* \(pad(offset, 4)) \(pad(size, 3)) */  \(text)\n"
            end = max(end, offset + size)
        }
        if info.cellSize > end { out += "    /* \(info.cellSize - end) bytes: presence bits or padding */\n" }
        out += "};"
        return out
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    // MARK: - Typed slots

    /// A typed accessor for a slot, resolved once: `e[accessor]` is then one offset load or
    /// store (Python's member descriptor, `C.x`, without the lookup).
    ///
    /// - Throws: ``AttributeError`` when the class has no such slot (`type object 'C' has no
    ///   attribute 'z'`), ``TypeError`` when the slot's type is not `T`'s.
    public func slot<T: SlotValue>(_ name: String, as type: T.Type = T.self) throws -> SlotAccessor<T> {
        guard case .slot(let i)? = info.member(name) else {
            throw AttributeError("type object '\(info.name)' has no attribute '\(name)'")
        }
        let slot = info.slots[i]
        guard slot.type == T.slotType else {
            throw TypeError("slot '\(name)' of '\(info.name)' objects holds \(slot.type), not \(T.slotType)")
        }
        return SlotAccessor(owner: self, slot: slot)
    }

    // MARK: - Construction

    /// A new instance with every slot unset and an empty dictionary (`C.__new__(C)`).
    ///
    /// - Throws: ``MemoryError`` when the arena refuses memory; the space is unchanged.
    public func new() throws -> Instance {
        guard info.shapes != nil else {
            guard let cell = slotarena_cell_alloc(pool, headerBits) else { throw refusal() }
            return Instance(cell: cell)
        }
        guard let cell = allocateWithDict(headerBits | HeaderBits.busy) else { throw refusal() }
        slotarena_cell_unlock(cell, _SlotCell(cell).header & ~HeaderBits.busy)
        return Instance(cell: cell)
    }

    /// A cell of the class's pool, or, for a class with shapes, of the pool with the inline
    /// capacity the class learned, its dictionary word recording that capacity.
    @inline(__always)
    func allocateWithDict(_ bits: UInt64, expected: Int = 0) -> UnsafeMutableRawPointer? {
        guard info.shapes != nil else { return slotarena_cell_alloc(pool, bits) }
        let (cellPool, k) = info.withShapeTree { $0.poolForNewInstance(expected: expected) }
        guard let cell = slotarena_cell_alloc(cellPool, bits) else { return nil }
        if k > 0 { _SlotCell(cell).store(DictWord.make(nil, DictWord.empty, capacity: k), info.dictOffset) }
        return cell
    }

    @inline(never)
    func refusal() -> MemoryError {
        MemoryError("out of memory: the arena refused a \(info.cellSize)-byte instance of '\(info.name)'")
    }
}
