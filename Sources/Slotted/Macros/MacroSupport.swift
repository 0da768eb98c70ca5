// Runtime support for the `@SlotClass` macro (product `SlottedMacros`).
//
// A `@SlotClass` struct is a typed view over an ordinary slotted instance: the macro computes
// every field's offset and presence bit at compile time, with `ObjectSpace.layOut`'s
// algorithm, and the struct registers its class in a space on first use. Everything here is
// what the generated code calls; the underscored names are not for direct use.

internal import CSlotArena
import Synchronization

// MARK: - The view protocol

/// A struct expanded by `@SlotClass`: a typed view over an ``Instance`` whose class the macro
/// defined, with one property per slot.
///
/// The view is the instance's handle (plus a copy of each `let` field, which never changes
/// after construction); copying the view does not copy the instance. Two views are the
/// same object when their ``instance`` handles are equal.
public protocol SlotClassView: Sendable {
    /// The instance this view reads and writes, for the dynamic API (`get`, `set`, `free`,
    /// `sizeof`, weak references).
    var instance: Instance { get }
    /// A view of an existing instance of this class (or of a subclass).
    ///
    /// - Throws: ``TypeError`` when the instance is of another class, ``AttributeError`` when
    ///   a `let` field's slot is unset, ``ReferenceError`` for a stale handle.
    init(_ instance: Instance) throws
    /// A view of an instance known to be of this class, with its `let` fields set.
    init(__slotted_unchecked instance: Instance)
    /// The compile-time layout and the per-space registration.
    static var __slotted_registration: _SlotClassRegistration { get }
}

extension SlotClassView {
    /// The class this type defines in `space`, registered on first use: the same class
    /// `space.defineClass` would make for these slots, so the whole dynamic API applies.
    ///
    /// - Throws: what `defineClass` throws (for example a ``MemoryError``).
    public static func slotClass(in space: ObjectSpace) throws -> SlotClass {
        let info = try __slotted_registration.classInfo(in: space)
        return SlotClass(info: info, space: space)
    }

    /// The space the instance lives in. Traps on a stale handle.
    public var space: ObjectSpace { instance.resolveOrTrap("space").0.space }
}

extension CodingUserInfoKey {
    /// The ``ObjectSpace`` that decoding a `@SlotClass` type constructs its instances in:
    /// `decoder.userInfo[.slottedSpace] = space`.
    public static let slottedSpace = CodingUserInfoKey(rawValue: "slotted.space")!
}

// MARK: - Compile-time layout

/// Where one field of a `@SlotClass` type lives in the cell: the value's byte offset and the
/// byte and mask of its presence bit. The macro computes it at compile time.
@frozen
public struct _SlotFieldLayout: Sendable, BitwiseCopyable, Equatable {
    public let offset: Int
    public let presenceOffset: Int
    public let presenceMask: UInt8

    @inlinable @inline(__always)
    public init(offset: Int, presenceOffset: Int, presenceMask: UInt8) {
        self.offset = offset
        self.presenceOffset = presenceOffset
        self.presenceMask = presenceMask
    }

    /// The presence bit as a header-word bit, or 0 for a slot whose bit lives past the header.
    @inlinable @inline(__always)
    var headerBit: UInt64 {
        presenceOffset < 2 ? UInt64(presenceMask) << UInt64(truncatingIfNeeded: presenceOffset &* 8) : 0
    }

    @inlinable @inline(__always)
    static func align(_ o: Int, _ a: Int) -> Int { (o &+ a &- 1) / a &* a }

    /// The layout of own field `index` (declaration order) of a class whose layout base ends
    /// at `baseEnd` with `baseCount` slots: `ObjectSpace.layOut` with the base known only as
    /// two constants. The macro supplies the field's offset relative to the own layer's
    /// aligned start (`relativeOffset`), the layer's largest alignment and its size; after
    /// the one alignment of the start, slots sorted by decreasing alignment need no padding.
    @inlinable @inline(__always)
    public static func derived(baseEnd: Int, baseCount: Int, ownAlignment: Int, ownSize: Int,
                               relativeOffset: Int, index: Int) -> _SlotFieldLayout
    {
        let start = align(baseEnd, ownAlignment)
        let slotIndex = baseCount &+ index
        if slotIndex < 16 {
            return _SlotFieldLayout(offset: start &+ relativeOffset, presenceOffset: slotIndex / 8,
                                    presenceMask: UInt8(1) << UInt8(slotIndex % 8))
        }
        let firstExtra = Swift.max(baseCount, 16)
        return _SlotFieldLayout(offset: start &+ relativeOffset,
                                presenceOffset: start &+ ownSize &+ (slotIndex &- firstExtra) / 8,
                                presenceMask: UInt8(1) << UInt8((slotIndex &- firstExtra) % 8))
    }

    /// The first byte after a derived class's layout (`ClassInfo.layoutEnd`).
    @inlinable @inline(__always)
    public static func derivedEnd(baseEnd: Int, baseCount: Int, ownAlignment: Int, ownSize: Int,
                                  ownCount: Int) -> Int
    {
        let firstExtra = Swift.max(baseCount, 16)
        let extra = Swift.max(0, baseCount &+ ownCount &- firstExtra)
        return align(baseEnd, ownAlignment) &+ ownSize &+ (extra &+ 7) / 8
    }
}

/// One field as the macro declared it: its slot name and type, whether it is read-only
/// (`let`) and its compile-time layout.
public struct _SlotFieldSpec: Sendable {
    public let name: String
    public let type: SlotType
    public let readOnly: Bool
    public let layout: _SlotFieldLayout

    public init(name: String, type: SlotType, readOnly: Bool, layout: _SlotFieldLayout) {
        self.name = name
        self.type = type
        self.readOnly = readOnly
        self.layout = layout
    }
}

// MARK: - Registration

/// The class a `@SlotClass` type defines, registered once per space.
///
/// The generated code keeps one registration per type (`static let`). The first use in a
/// space defines the class there with the dynamic API (`define`, with the `let` fields as
/// read-only slots) and checks that the layout the space computed is the one the macro
/// compiled in. Later uses find the class through a lock-free cache of the last space
/// (a word packing the space's address and the class id, checked against the class table),
/// then through a locked table of every space.
public final class _SlotClassRegistration: Sendable {
    public let name: String
    public let base: _SlotClassRegistration?
    public let fields: [_SlotFieldSpec]
    /// The compile-time end of the layout (`ClassInfo.layoutEnd`), for the check.
    public let layoutEnd: Int

    /// `space address >> 4` in bits 21...63 and the class id in bits 0...20, or 0.
    private let last = Atomic<UInt64>(0)
    /// Class id per space (keyed by the space's address). An entry whose class id the class
    /// table no longer has belongs to a destroyed space.
    private let perSpace = Locked<[ObjectIdentifier: UInt32]>([:])

    public init(name: String, base: _SlotClassRegistration?, fields: [_SlotFieldSpec], layoutEnd: Int) {
        self.name = name
        self.base = base
        self.fields = fields
        self.layoutEnd = layoutEnd
    }

    private static let idBits: UInt64 = 21

    /// The packed cache word for `space` and `id`, or nil when they do not fit.
    private static func pack(_ space: ObjectSpace, _ id: UInt32) -> UInt64? {
        let address = UInt64(UInt(bitPattern: ObjectIdentifier(space)))
        guard address & 15 == 0, address >> (64 - idBits + 4) == 0, UInt64(id) >> idBits == 0 else { return nil }
        return (address >> 4) << idBits | UInt64(id)
    }

    /// The class of the space used last, if `space` is that space (no lock).
    ///
    /// A class id whose table entry exists belongs to a live space; the packed address then
    /// names that space, and `space` is alive, so they are the same space. Nothing of the
    /// class is read before that holds.
    @inline(__always)
    private func cachedClass(in space: ObjectSpace) -> Unmanaged<ClassInfo>? {
        let word = last.load(ordering: .acquiring)
        let id = UInt32(truncatingIfNeeded: word & (1 << Self.idBits - 1))
        guard word != 0, Self.pack(space, id) == word else { return nil }
        return ClassTable.lookupUnmanaged(id)
    }

    /// The class in `space`, defined there on first use.
    func classInfo(in space: ObjectSpace) throws -> ClassInfo {
        if let entry = cachedClass(in: space) { return entry.takeUnretainedValue() }
        return try classInfoSlow(in: space, create: true)!
    }

    /// The class in `space` if this type was registered there.
    func registeredClassInfo(in space: ObjectSpace) -> ClassInfo? {
        (try? classInfoSlow(in: space, create: false)) ?? nil
    }

    private func classInfoSlow(in space: ObjectSpace, create: Bool) throws -> ClassInfo? {
        let key = ObjectIdentifier(space)
        return try perSpace.withLock { table -> ClassInfo? in
            if let id = table[key] {
                if let info = ClassTable.lookup(id), info.space === space {
                    publish(space, id)
                    return info
                }
                table[key] = nil  // the class of a destroyed space whose address was reused
            }
            guard create else { return nil }
            let info = try define(in: space)
            // Forget the classes of destroyed spaces while the table is locked anyway.
            if table.count >= 16 {
                table = table.filter { ClassTable.lookupUnmanaged($0.value) != nil }
            }
            table[key] = info.id
            publish(space, info.id)
            return info
        }
    }

    private func publish(_ space: ObjectSpace, _ id: UInt32) {
        if let word = Self.pack(space, id) { last.store(word, ordering: .releasing) }
    }

    /// Defines the class in `space` (its base first) and checks the layout.
    private func define(in space: ObjectSpace) throws -> ClassInfo {
        let baseClass = try base.map { SlotClass(info: try $0.classInfo(in: space), space: space) }
        let cls = try space.define(name, bases: baseClass.map { [$0] } ?? [],
                                   slots: fields.map { ($0.name, $0.type) }, attributes: [:],
                                   frozen: Set(fields.filter(\.readOnly).map(\.name)))
        let info = cls.info
        let baseCount = baseClass?.info.slots.count ?? 0
        for (k, field) in fields.enumerated() {
            let slot = info.slots[baseCount + k]
            let dynamic = _SlotFieldLayout(offset: slot.offset, presenceOffset: slot.presenceOffset,
                                           presenceMask: slot.presenceMask)
            precondition(slot.name == field.name && slot.type == field.type && dynamic == field.layout, """
                Slotted: @SlotClass '\(name)': field '\(field.name)' was compiled at offset \(field.layout.offset) \
                (presence byte \(field.layout.presenceOffset), mask \(field.layout.presenceMask)), but \
                ObjectSpace laid slot '\(slot.name)': \(slot.type) out at offset \(slot.offset) \
                (presence byte \(slot.presenceOffset), mask \(slot.presenceMask)); the macro and the \
                runtime disagree on the layout algorithm: rebuild both from the same Slotted version
                """)
        }
        precondition(info.layoutEnd == layoutEnd, """
            Slotted: @SlotClass '\(name)': the layout was compiled to end at byte \(layoutEnd), \
            but ObjectSpace laid it out to end at byte \(info.layoutEnd)
            """)
        precondition(info.dictOffset < 0, "Slotted: @SlotClass '\(name)': unexpected __dict__")
        return info
    }

    /// A new instance with every slot unset: the first step of the generated initializers.
    public func _new(in space: ObjectSpace) throws -> Instance {
        // The fast path of `classInfo(in:)`, borrowing the class without retaining it.
        if let entry = cachedClass(in: space),
           let cell = entry._withUnsafeGuaranteedRef({ slotarena_cell_alloc($0.pool, UInt64($0.id) << HeaderBits.classShift) })
        {
            return Instance(cell: cell)
        }
        let info = try classInfo(in: space)
        guard let cell = slotarena_cell_alloc(info.pool, UInt64(info.id) << HeaderBits.classShift) else {
            throw MemoryError("out of memory: the arena refused a \(info.cellSize)-byte instance of '\(info.name)'")
        }
        return Instance(cell: cell)
    }

    /// Whether `info` is this type's class in its space or a subclass of it.
    private func isSubclass(_ info: ClassInfo) -> Bool {
        // The cached class, if it is the one of `info`'s space (no lock).
        if let entry = cachedClass(in: info.space) {
            return entry._withUnsafeGuaranteedRef { info.ancestorIDs.contains($0.id) }
        }
        guard let cls = registeredClassInfo(in: info.space) else { return false }
        return info.isSubclass(of: cls)
    }

    /// Whether `instance` is alive and of this class (in its space) or a subclass.
    public func _isInstance(_ instance: Instance) -> Bool {
        guard let info = try? instance.resolve().0 else { return false }
        return isSubclass(info)
    }

    /// Throws unless `instance` is of this class or a subclass: the check of `init(_:)`.
    public func _check(_ instance: Instance) throws {
        let (info, _) = try instance.resolve()
        guard isSubclass(info) else {
            throw TypeError("'\(info.name)' object is not an instance of @SlotClass '\(name)'")
        }
    }
}

// MARK: - Field values

/// A Swift type a `@SlotClass` field stores directly: the ``SlotValue`` types, with a store
/// that knows the slot only by its compile-time layout.
public protocol _SlotFieldValue: SlotValue {
    /// Stores `value` at `offset`, releasing what the slot held when `replacing` (it was set).
    static func _slottedStore(_ value: Self, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws
}

extension Int: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Int, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension Double: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Double, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension Bool: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Bool, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(UInt8(value ? 1 : 0), offset)
    }
}

extension Int32: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Int32, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension Float: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: Float, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension UInt8: _SlotFieldValue {
    @inlinable @inline(__always)
    public static func _slottedStore(_ value: UInt8, _ cell: _SlotCell, _ offset: Int, replacing: Bool) {
        cell.store(value, offset)
    }
}

extension String: _SlotFieldValue {
    @inlinable
    public static func _slottedStore(_ value: String, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        if !replacing, let word = _inlineStringWord(value) {
            cell.store(word, offset)  // short text into an empty slot: no arena call, no space
        } else {
            try _slottedStoreString(value, cell, offset, replacing: replacing)
        }
    }

    @usableFromInline
    static func _slottedStoreString(_ value: String, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        let space = ObjectSpace.owning(cell)
        let word = try space.encodeString(value)
        if replacing { space.releaseString(cell.load(offset, as: UInt64.self)) }
        cell.store(word, offset)
    }
}

extension Instance: _SlotFieldValue {
    public static func _slottedStore(_ value: Instance, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        try ObjectSpace.owning(cell).checkReference(value)
        cell.store(value.raw, offset)
    }
}

extension Value: _SlotFieldValue {
    public static func _slottedStore(_ value: Value, _ cell: _SlotCell, _ offset: Int, replacing: Bool) throws {
        try ObjectSpace.owning(cell).storeAny(value, cell, offset, replacing: replacing)
    }
}

extension ObjectSpace {
    /// The space of the live instance whose cell this is.
    static func owning(_ cell: _SlotCell) -> ObjectSpace {
        guard let info = ClassTable.lookup(HeaderBits.classID(cell.header)) else { Instance.spaceDestroyed() }
        return info.space
    }
}

// MARK: - Field access (the generated accessors)

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

    /// Stores a field of a fresh instance (the generated initializers).
    @inlinable @inline(__always)
    public func _slottedInitialize<T: _SlotFieldValue>(_ value: T, _ field: _SlotFieldLayout) throws {
        let cell = _cell
        try T._slottedStore(value, cell, field.offset, replacing: false)
        cell.markPresent(field.presenceOffset, field.presenceMask)
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
            preconditionFailure("Slotted: field '\(name)' refers to an instance that was freed")
        }
        guard V.__slotted_registration._isInstance(target) else {
            preconditionFailure("Slotted: TypeError: field '\(name)' holds a '\(target.className ?? "?")' object, not a '\(V.__slotted_registration.name)'")
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
            preconditionFailure("Slotted: AttributeError: '\(className ?? "?")' object has no attribute '\(name)'")
        }
    }

    @usableFromInline @inline(never)
    func _slottedStale(_ name: StaticString) -> Never {
        if _cell.header == 0 { Instance.spaceDestroyed() }
        preconditionFailure("Slotted: field '\(name)' used through a stale handle: \(ReferenceError.freed)")
    }

    @usableFromInline @inline(never)
    func _slottedStoreFailed(_ name: StaticString, _ error: any Error) -> Never {
        preconditionFailure("Slotted: storing field '\(name)': \(error)")
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

    /// The space of the instance; traps on a stale handle.
    public var _slottedSpace: ObjectSpace { resolveOrTrap("space").0.space }

    /// `copy.copy`: a new instance of the same class with the same slot values (references
    /// are copied as handles, strings get their own blocks) and a copy of the dictionary.
    ///
    /// - Throws: ``MemoryError`` (nothing is left allocated), ``ReferenceError``.
    public func _slottedCopy() throws -> Instance {
        let (info, cell) = try resolve()
        let space = info.space
        guard let fresh = slotarena_cell_alloc(info.pool, UInt64(info.id) << HeaderBits.classShift) else {
            throw MemoryError("out of memory: the arena refused a \(info.cellSize)-byte instance of '\(info.name)'")
        }
        let copy = Instance(cell: fresh)
        let target = copy._cell
        do {
            for (i, slot) in info.hot.enumerated() where cell.isPresent(slot.presenceOffset, slot.presenceMask) {
                try space.storeSlot(info, i, try ObjectSpace.loadSlot(slot, cell), target)
            }
            if info.dictOffset >= 0 {
                for (id, value) in try InstanceDict.entries(cell, info.dictOffset, space: space) {
                    try InstanceDict.set(target, info.dictOffset, id, value, space: space)
                }
            }
        } catch {
            space.free(copy)
            throw error
        }
        return copy
    }
}

// MARK: - Conformance helpers

/// Whether two instances are of the same class, or of classes one `@SlotClass` type
/// registered in two spaces (same name and slots): dataclass equality compares only objects
/// of one class.
public func _slottedSameClass(_ a: Instance, _ b: Instance) -> Bool {
    let ha = a._cell.header & Instance._classMask, hb = b._cell.header & Instance._classMask
    if ha == hb { return true }
    guard let ia = try? a.resolve().0, let ib = try? b.resolve().0 else { return false }
    return ia.name == ib.name && ia.slots.map(\.name) == ib.slots.map(\.name)
        && ia.slots.map(\.type) == ib.slots.map(\.type)
}

/// Python's `repr()` of a field value, as a dataclass repr prints it.
public func _slottedRepr(_ v: Int) -> String { String(v) }
public func _slottedRepr(_ v: Int32) -> String { String(v) }
public func _slottedRepr(_ v: UInt8) -> String { String(v) }
public func _slottedRepr(_ v: Double) -> String { pythonFloatRepr(v) }
public func _slottedRepr(_ v: Float) -> String { v.isFinite ? v.description : pythonFloatRepr(Double(v)) }
public func _slottedRepr(_ v: Bool) -> String { v ? "True" : "False" }
public func _slottedRepr(_ v: String) -> String { pythonStringRepr(v) }
public func _slottedRepr(_ v: Value) -> String { v.description }
public func _slottedRepr(_ v: Instance) -> String { v.shortDescription }
public func _slottedRepr<V: SlotClassView>(_ v: V) -> String { String(describing: v) }
public func _slottedRepr(_ v: Int?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Int32?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: UInt8?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Double?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Float?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Bool?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: String?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Value?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr(_ v: Instance?) -> String { v.map(_slottedRepr) ?? "None" }
public func _slottedRepr<V: SlotClassView>(_ v: V?) -> String { v.map { String(describing: $0) } ?? "None" }

/// The space a `@SlotClass` type decodes into: `decoder.userInfo[.slottedSpace]`.
public func _slottedDecodingSpace(_ decoder: any Decoder, _ typeName: String) throws -> ObjectSpace {
    guard let space = decoder.userInfo[.slottedSpace] as? ObjectSpace else {
        throw DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: decoder.codingPath,
            debugDescription: "decoding \(typeName) needs the ObjectSpace to construct it in: set decoder.userInfo[.slottedSpace]"))
    }
    return space
}

/// An untyped ``Value`` field's coded form: `null`, a number, a boolean or a string, as
/// JSON has them. A reference to an instance cannot be encoded.
public struct _SlottedCodedValue: Codable, Sendable {
    public let value: Value

    public init(_ value: Value) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = .none }
        else if let v = try? c.decode(Bool.self) { value = .bool(v) }
        else if let v = try? c.decode(Int.self) { value = .int(v) }
        else if let v = try? c.decode(Double.self) { value = .double(v) }
        else if let v = try? c.decode(String.self) { value = .string(v) }
        else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected null, a number, a boolean or a string")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .none: try c.encodeNil()
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .instance:
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: encoder.codingPath,
                debugDescription: "an untyped field holding an instance reference cannot be encoded"))
        }
    }
}
