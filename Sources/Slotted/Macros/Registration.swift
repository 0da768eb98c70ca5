//===----------------------------------------------------------------------===//
//
// Registration.swift: the class a `@SlotClass` type defines, once per space.
//
// The first use of a type in a space defines its class there through the
// dynamic API and checks the compiled layout against it; later uses find the
// class through a lock-free cache of the last space, then through a locked
// table of every space. The generated initializers find the class through
// a statically initialized word of their own type (`__slotted_cache`), and
// reach the registration only on a miss. Registration also answers the
// views' class checks.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena
import Synchronization

/// The word a `@SlotClass` type keeps for its class in the space it used last, the
/// generated `static let __slotted_cache = _SlotClassCache(0)`: packed as the
/// registration's own cache word is. A `let` of this type holding 0 is initialized
/// statically, so the generated initializers read it without the lazy-initialization call
/// (`swift_once`) that every use of `__slotted_registration` makes.
public typealias _SlotClassCache = Atomic<UInt64>

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

    /// The low bits of `space address >> 4` in bits 28...63 and the class id (28 bits) in
    /// bits 0...27, or 0.
    private let last = Atomic<UInt64>(0)
    /// Class id per space (keyed by the space's address). An entry whose class id the class
    /// table no longer has belongs to a destroyed space.
    private let perSpace = Locked<[ObjectIdentifier: UInt32]>([:], rank: .registration)

    public init(name: String, base: _SlotClassRegistration?, fields: [_SlotFieldSpec], layoutEnd: Int) {
        self.name = name
        self.base = base
        self.fields = fields
        self.layoutEnd = layoutEnd
    }

    private static let idBits: UInt64 = 28

    /// The packed cache word for `space` and `id`: the whole class id (index and generation,
    /// so a reused table index never matches) and as much of the space's address as fits.
    private static func pack(_ space: ObjectSpace, _ id: UInt32) -> UInt64? {
        let address = UInt64(UInt(bitPattern: ObjectIdentifier(space)))
        guard UInt64(id) >> idBits == 0 else { return nil }
        return (address >> 4) << idBits | UInt64(id)
    }

    /// The class of the space used last, if `space` is that space (no lock).
    @inline(__always)
    private func cachedClass(in space: ObjectSpace) -> Unmanaged<ClassInfo>? {
        Self.cachedClass(last.load(ordering: .acquiring), in: space)
    }

    /// The class a cache word names, if it is the class of `space`.
    ///
    /// A class id whose table entry exists belongs to a live space, and the entry keeps its
    /// class alive; the word holds only part of the space's address, so the class's own space
    /// is compared with `space` before the class is returned.
    @inline(__always)
    fileprivate static func cachedClass(_ word: UInt64, in space: ObjectSpace) -> Unmanaged<ClassInfo>? {
        let id = UInt32(truncatingIfNeeded: word & (1 << Self.idBits - 1))
        guard word != 0, pack(space, id) == word, let entry = ClassTable.lookupUnmanaged(id),
              entry._withUnsafeGuaranteedRef({ $0.space === space })
        else { return nil }
        return entry
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
                                   frozen: fields.filter(\.readOnly).map(\.name))
        let info = cls.info
        let baseCount = baseClass?.info.slots.count ?? 0
        for (k, field) in fields.enumerated() {
            let slot = info.slots[baseCount + k]
            let dynamic = _SlotFieldLayout(offset: slot.offset, presenceOffset: slot.presenceOffset,
                                           presenceMask: slot.presenceMask)
            _slottedCheck(slot.name.hasSameCodePoints(as: field.name) && slot.type == field.type && dynamic == field.layout, """
                @SlotClass '\(name)': field '\(field.name)' was compiled at offset \(field.layout.offset) \
                (presence byte \(field.layout.presenceOffset), mask \(field.layout.presenceMask)), but \
                ObjectSpace laid slot '\(slot.name)': \(slot.type) out at offset \(slot.offset) \
                (presence byte \(slot.presenceOffset), mask \(slot.presenceMask)); the macro and the \
                runtime disagree on the layout algorithm: rebuild both from the same Slotted version
                """)
        }
        _slottedCheck(info.layoutEnd == layoutEnd, """
            @SlotClass '\(name)': the layout was compiled to end at byte \(layoutEnd), \
            but ObjectSpace laid it out to end at byte \(info.layoutEnd)
            """)
        _slottedCheck(info.dictOffset < 0, "@SlotClass '\(name)': unexpected __dict__")
        return info
    }

    /// The cache's miss: the class through the registration's own cache or table, then
    /// remembered in `cache`.
    fileprivate func _newSlow(in space: ObjectSpace, cache: borrowing _SlotClassCache) throws -> Instance {
        let info = try classInfo(in: space)
        if let word = Self.pack(space, info.id) { cache.store(word, ordering: .releasing) }
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
        guard let info = instance.resolveIfAlive()?.0 else { return false }
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

extension Instance {
    /// A new instance with every slot unset, its class found through `cache`, the type's
    /// `__slotted_cache`: the first step of the generated initializers (a static method of a
    /// struct, so that a call passes no class metadata). On the fast path (the space used last) this reads no lazily initialized global, takes no lock and
    /// retains nothing; otherwise `registration` finds the class (defining it on first use)
    /// and the cache remembers it.
    public static func _slottedNew(in space: ObjectSpace, cache: borrowing _SlotClassCache,
                                   _ registration: @autoclosure () -> _SlotClassRegistration) throws -> Instance
    {
        if let entry = _SlotClassRegistration.cachedClass(cache.load(ordering: .acquiring), in: space),
           let cell = entry._withUnsafeGuaranteedRef({ slotarena_cell_alloc($0.pool, UInt64($0.id) << HeaderBits.classShift) })
        {
            return Instance(cell: cell)
        }
        return try registration()._newSlow(in: space, cache: cache)
    }
}
