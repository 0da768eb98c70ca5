//===----------------------------------------------------------------------===//
//
// AttributeSite.swift: an inline cache as public API. A site is made once per
// place in the host's code that reads or writes one attribute name; it
// remembers, for the last few classes it saw, where that name lives on each.
//
// The cache holds up to four entries, each four words: the header bits an
// instance of the entry's class has (its class, and the slot's presence bit
// when that lives in the header), the mask they are compared under, the
// entry's data (what the name is on that class: a slot with its offset, type
// and presence bit, the dictionary with the name's interned id or the place
// one shape keeps it, a class attribute, or nothing) and a fourth word: for a
// set 64-bit int or double slot whose presence bit is in the header, its read
// decoded (offset and type); for an untyped slot whose presence bit is in the
// header, or a shaped dictionary whose class keeps the shape in the header
// (ShapedDict.swift's shape tag, compared with the class), the untyped read's
// offset; for a shaped dictionary of another class, that shape's dictionary
// word; otherwise 0. The first class goes to the
// first entry; a later one to the entry the low two bits of its id's
// difference from the first class's id name when that is free, else to the
// first free one (the fast path compares the first entry, then that one,
// then all four). An entry is written once and never
// replaced: its other words are stored first, then its expected header bits
// with a release store, and a reader that loads those with acquire sees the
// rest. Only one thread fills entries at a time (a try-lock: a thread that
// does not get it just does not fill); a fifth class makes the site
// megamorphic and later classes take the by-name path with no cache update.
//
// What an entry says depends only on the class (a layout never changes, and a
// class id names one class for ever), so a stale entry cannot exist. Reads of
// the instance itself are validated reads (ConcurrentAccess.swift): a
// concurrent free gives ReferenceError, never a wrong value.
//
// `get`, `getIfPresent` and `set` are inlined into the caller; their fast
// paths are in SiteFastPath.swift, and what they do not serve goes to the
// slow paths here.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena
import Synchronization

/// A pre-resolved attribute access site: `getattr(p, "x")` and `setattr(p, "x", v)` for
/// one name, with an inline cache of where the name lives on the classes it has seen.
///
/// Make one per place in the code that accesses an attribute (a host's bytecode
/// instruction, a serializer's field) and keep it: CPython's specializing interpreter caches
/// a type version and an offset per `LOAD_ATTR` instruction in the same way
/// (`LOAD_ATTR_SLOT`, `LOAD_ATTR_INSTANCE_VALUE`). The name is resolved on each class once,
/// when the site first meets it; later accesses on that class hash and compare no strings.
/// A site works on every instance whose class has the name as a slot, a dictionary entry
/// or a class attribute, subclasses included, in any space.
///
/// The cache is monomorphic for one class, polymorphic for up to four
/// (``maxCachedClasses``) and megamorphic beyond: from the fifth class on, classes not
/// cached take the by-name path, and the cache no longer changes. ``get(_:)`` and
/// ``set(_:_:)`` have the semantics and throw the very errors of ``Instance/get(_:)`` and
/// ``Instance/set(_:_:)``.
///
/// A site is `Sendable` and may be shared between threads: reads are validated against a
/// concurrent `free` of the instance as by-name reads are, and a cache update racing a
/// read makes that read miss the cache, never return a wrong value. Writes are not all
/// alike: see ``set(_:_:)``.
///
/// `get`, `getIfPresent` and `set` are inlined into the caller. On a cached class, a read
/// of a set slot holding a number or a boolean (or None, in an untyped slot) makes no call
/// and no reference counting: one masked compare of the header per cached class (as a
/// typed accessor's, it checks the handle, the class and the slot's presence together), one
/// load and a second look at the header. Shaped dictionary instances find the name
/// through their shape; for the shape of the first instance of a class the site met, the
/// site remembers where the name's value sits, and reads it as it reads an untyped slot.
/// The header of an instance of a class with at most six slots names its dictionary's shape
/// while the values are inline, so the entry's one compare checks the shape too. A 64-bit
/// slot and an untyped value are read inline; the other reads a cached entry serves without
/// a lock or reference counting (a boolean, 8-bit or 32-bit slot, a slot past the 16th,
/// which adds a test of its presence byte, the dictionary of a class with more slots,
/// checked with a look at its dictionary word before and after the value) are the same
/// peeks in one call out of line. For dictionary instances
/// of a class without shapes (classes defined with `SLOTTED_DICT_SHAPES=0` in the
/// environment) a site interns its name in the first space where it meets one and keeps it
/// interned there (one entry of ``MemoryStats/internedNames``) until the site is released.
public final class AttributeSite: @unchecked Sendable {
    /// The attribute name, as given: `getattr`'s second argument, used in error messages as
    /// CPython uses it.
    public let name: String

    /// How many classes a site caches before it becomes megamorphic (V8's polymorphic limit;
    /// CPython's specialized `LOAD_ATTR` caches one type and deoptimizes on any other).
    public static let maxCachedClasses = 4

    /// The entries, `maxCachedClasses` of them, four words each (SiteFastPath.swift): the
    /// expected header bits (all ones until filled), their mask, the data (``SiteEntry``),
    /// the cached shape's dictionary word or a simple slot's decoded read
    /// (``SiteEntry/fastWord(_:)``) or an untyped one's offset; then the first cached class's
    /// header bits.
    @usableFromInline let _words: UnsafeMutablePointer<UInt64>
    /// Held (1) by the thread that fills an entry or pins the name.
    private let writer = Atomic<UInt32>(0)
    /// Filled entries in the low byte, ``Self/megamorphicBit`` once the site gave up caching.
    private let mode = Atomic<Int>(0)
    /// The space where the name is interned for the site, and its id there; written under
    /// `writer`, read under it and in `deinit`.
    private weak var pinnedSpace: ObjectSpace?
    private var pinnedID: UInt32 = 0

    private static let megamorphicBit = 1 << 8
    /// A site for the attribute `name` (`getattr(p, name)` at one place in the code). Nothing
    /// is looked up until the first access, when the name is resolved on that class once.
    public init(_ name: String) {
        self.name = name
        _words = .allocate(capacity: Self._firstClassWord + 1)
        _words.initialize(repeating: 0, count: Self._firstClassWord + 1)
        for i in 0..<Self.maxCachedClasses { entry(i).pointee = _SiteHeader.unfilled }
    }

    deinit {
        if let space = pinnedSpace { space.unpinName(pinnedID) }
        _words.deallocate()
    }

    /// What the cache holds now, as an inline cache's state (the analog of whether CPython's
    /// adaptive interpreter has specialized a `LOAD_ATTR`, and for how many types).
    public enum CacheState: Equatable, Sendable {
        /// No class has been seen yet.
        case empty
        /// One class is cached.
        case monomorphic
        /// This many classes (2 to ``AttributeSite/maxCachedClasses``) are cached.
        case polymorphic(Int)
        /// More classes were seen than the cache holds; those not cached take the by-name
        /// path.
        case megamorphic
    }

    /// The cache's state: how many classes the site has resolved, or that it gave up. A
    /// racing update may not be visible yet.
    public var cacheState: CacheState {
        let m = mode.load(ordering: .relaxed)
        if m & Self.megamorphicBit != 0 { return .megamorphic }
        switch m & 0xff {
        case 0: return .empty
        case 1: return .monomorphic
        case let n: return .polymorphic(n)
        }
    }

    // MARK: - Reads

    /// Reads the attribute, as `getattr(p, name)`: a slot first (an unset one throws), then
    /// the instance `__dict__`, then class attributes along the MRO.
    ///
    /// - Throws: what ``Instance/get(_:)`` throws, with the same messages:
    ///   ``AttributeError`` for a missing or unset attribute, ``ReferenceError`` for a stale
    ///   handle or a slot that refers to a freed instance.
    @inlinable @inline(__always)
    public func get(_ instance: Instance) throws -> Value {
        // The hint keeps the slow call's block out of the way of the caller's loop.
        let value = _fastRead(instance)
        if _fastPath(value != nil) { return value.unsafelyUnwrapped }
        return try _getSlow(instance)
    }

    /// Reads the attribute, or returns nil when the instance does not have it (an unset
    /// slot, a name neither in the `__dict__` nor a class attribute): `getattr(p, name, None)`
    /// for hosts where None is a value. Costs what a successful ``get(_:)`` costs.
    ///
    /// - Throws: ``ReferenceError`` for a stale handle or a slot that refers to a freed
    ///   instance, as ``Instance/getIfPresent(_:)``.
    @inlinable @inline(__always)
    public func getIfPresent(_ instance: Instance) throws -> Value? {
        let value = _fastRead(instance)
        if _fastPath(value != nil) { return value.unsafelyUnwrapped }
        return try _getIfPresentSlow(instance)
    }

    /// ``get(_:)`` for what the inlined fast path does not serve.
    @usableFromInline @inline(never)
    func _getSlow(_ instance: Instance) throws -> Value {
        try read(instance, throwing: true)!
    }

    /// ``getIfPresent(_:)`` for what the inlined fast path does not serve.
    @usableFromInline @inline(never)
    func _getIfPresentSlow(_ instance: Instance) throws -> Value? {
        try read(instance, throwing: false)
    }

    /// Every read the fast path does not serve, as a validated read driven by the entry.
    @inline(never)
    private func read(_ instance: Instance, throwing: Bool) throws -> Value? {
        try instance.withValidatedRead { info, read in
            let d = probe(info.id) ?? resolve(info, read.cell) { read.stillValid }
            switch SiteEntry.kind(d) {
            case SiteEntry.slot:
                let slot = info.hot[SiteEntry.slotIndex(d)]
                if read.isPresent(slot) { return try ObjectSpace.peekSlot(slot, &read) }
            case SiteEntry.dict:
                let pinned = SiteEntry.nameID(d)
                if pinned == 0 {
                    // Shaped dictionaries (and unpinned names) look the name up.
                    if let v = try Instance.peekDict(info, &read, name) { return v }
                } else if let v = try InstanceDict.peekGet(&read, info.dictOffset, pinned, names: nil) {
                    return v
                }
                if let a = SiteEntry.attributeIndex(d) { return info.attributeValues[a] }
            case SiteEntry.attribute:
                return info.attributeValues[SiteEntry.attributeIndex(d)!]
            default:
                break
            }
            if throwing { throw AttributeError.missing(info.name, name) }
            return Optional<Value>.none
        }
    }

    // MARK: - Writes

    /// Writes the attribute, as `setattr(p, name, value)`.
    ///
    /// A typed write when it can be one: on an instance of a cached class whose slot for the
    /// name is a writable `.int`, `.double`, `.bool`, `.int32` or `.uint8` slot that is
    /// already set, a value the slot stores as it is (an int, a double, a boolean; an int in
    /// a `.double` slot; an int in range in an `.int32` or `.uint8` slot) is written as
    /// `e[accessor] = v` writes it: one check of the header, one plain store, no writer bit.
    /// Racing that write with a `free` of the same instance or a `reset()` of its space is
    /// then a data race the caller must prevent, as for an accessor: the write may be lost,
    /// or land in an instance (of any class) constructed in the freed cell in between
    /// (ThreadSanitizer reports the race). Every other write (an unset slot, a `.float`, `.string`,
    /// `.instance` or untyped slot, a value the slot refuses, a dictionary entry, a class the
    /// site has not cached) takes the instance's writer bit as ``Instance/set(_:_:)`` does,
    /// and a concurrent `free` makes it throw ``ReferenceError``.
    ///
    /// - Throws: what ``Instance/set(_:_:)`` throws, with the same messages:
    ///   ``AttributeError`` for an undeclared name on an instance without a dict or a
    ///   read-only attribute, ``TypeError`` for a value a typed slot refuses,
    ///   ``MemoryError``, ``ReferenceError`` for a stale handle. The instance is unchanged
    ///   when it throws.
    @inlinable @inline(__always)
    public func set(_ instance: Instance, _ value: Value) throws {
        if _fastWrite(instance, value) { return }
        try _setSlow(instance, value)
    }

    /// ``set(_:_:)`` under the instance's writer bit, as ``Instance/set(_:_:)``: every write
    /// the inlined fast path does not serve.
    @usableFromInline @inline(never)
    func _setSlow(_ instance: Instance, _ value: Value) throws {
        try instance.withWriteLock { info, cell, header in
            let d = probe(info.id) ?? resolve(info, cell) { true }
            if d & SiteEntry.frozen != 0 { throw AttributeError.readOnly(info.name, name) }
            switch SiteEntry.kind(d) {
            case SiteEntry.slot:
                try info.withSpace { try $0.storeSlot(info, SiteEntry.slotIndex(d), value, cell, header: &header) }
            case SiteEntry.dict:
                let id = SiteEntry.nameID(d)
                if id != 0 {
                    try Instance.setInDict(info, cell, id, value)
                } else {
                    try Instance.setInDict(info, cell, name, value)
                }
            case SiteEntry.attribute:
                throw AttributeError.readOnly(info.name, name)
            default:
                throw AttributeError.missing(info.name, name)
            }
        }
    }

    // MARK: - The cache

    /// The data of the entry for `classID`, if one is filled.
    @inline(__always)
    private func probe(_ classID: UInt32) -> UInt64? {
        let classBits = UInt64(classID) << HeaderBits.classShift
        for i in 0..<Self.maxCachedClasses {
            let expected = slotarena_peek64_acquire(entry(i))
            if expected != _SiteHeader.unfilled, expected & HeaderBits.classMask == classBits {
                return slotarena_peek64(entry(i) + 2)
            }
        }
        return nil
    }

    /// The first word of entry `i`; the others follow.
    @inline(__always)
    private func entry(_ i: Int) -> UnsafeMutablePointer<UInt64> { _words.advanced(by: Self._entryWords &* i) }

    /// Resolves the name on `info` and caches the result when the cache has room and no
    /// other thread is filling it. `cell` is the instance being accessed, and `valid` tells
    /// whether it is still the one the access began with (always, under its writer bit):
    /// a shaped dictionary's entry caches the shape that instance has.
    @inline(never)
    private func resolve(_ info: ClassInfo, _ cell: _SlotCell, _ valid: () -> Bool) -> UInt64 {
        let m = mode.load(ordering: .relaxed)
        guard m & Self.megamorphicBit == 0,
              writer.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged
        else { return SiteEntry.make(info, name, nameID: 0) }
        defer { writer.store(0, ordering: .releasing) }
        if let d = probe(info.id) { return d }
        let count = mode.load(ordering: .relaxed) & 0xff
        guard count < Self.maxCachedClasses else {
            mode.store(Self.megamorphicBit | count, ordering: .relaxed)
            return SiteEntry.make(info, name, nameID: 0)
        }
        // A shaped dictionary finds names through its shape: no id to pin.
        let d: UInt64
        var shapeWord: UInt64 = 0
        let classBits = UInt64(info.id) << HeaderBits.classShift
        var mask = _SiteHeader.entryMask, expected = classBits
        if info.dictOffset >= 0, info.shapes != nil, (info.target(name) ?? -1) < 0 {
            let shaped = shapedPlace(info, cell, valid)
            d = SiteEntry.make(info, name, nameID: 0, shapedAt: shaped?.offset, rep: shaped?.rep ?? .any)
            if let shaped, info.shapeTags {
                // The header names the shape: the entry's compare checks it too. A raw value
                // is read as a typed slot's, an untyped one as an untyped slot's.
                mask |= ShapeTag.mask
                expected |= UInt64(shaped.number) << ShapeTag.shift
                // (A string word gets no fast read: the slow path reads it.)
                shapeWord = SiteEntry.decodedRead(SiteEntry.code(shaped.rep), offset: shaped.offset)
            } else {
                shapeWord = shaped?.word ?? 0
            }
        } else {
            d = SiteEntry.make(info, name, nameID: info.dictOffset >= 0 && info.shapes == nil ? pin(info.space) : 0)
            shapeWord = SiteEntry.fastWord(d)
        }
        if SiteEntry.kind(d) == SiteEntry.slot, d & SiteEntry.presenceInHeader != 0 {
            mask |= SiteEntry.headerBit(d)
            expected |= SiteEntry.headerBit(d)
        }
        // The first entry for the first class (the fast path tries it first); then the
        // class's home entry when it is free (tried second), else the first free one.
        if count == 0 { slotarena_store_release64(_words + Self._firstClassWord, classBits) }
        var e = _words + Self._home(classBits: classBits, first: slotarena_peek64(_words + Self._firstClassWord))
        if slotarena_peek64(e) != _SiteHeader.unfilled {
            e = (0..<Self.maxCachedClasses).lazy.map { self.entry($0) }.first { slotarena_peek64($0) == _SiteHeader.unfilled }!
        }
        slotarena_store_release64(e + 3, shapeWord)
        slotarena_store_release64(e + 2, d)
        slotarena_store_release64(e + 1, mask)
        slotarena_store_release64(e, expected)
        mode.store(count + 1, ordering: .relaxed)
        return d
    }

    /// Where the shape the instance's dictionary has now keeps the name, when its values are
    /// inline: that dictionary word (pointer and mode), the shape's number, the value's byte
    /// offset and how it is kept. Nil when the dictionary is not inline, its shape lacks the
    /// name, or the instance changed.
    private func shapedPlace(_ info: ClassInfo, _ cell: _SlotCell, _ valid: () -> Bool)
        -> (word: UInt64, number: Int, offset: Int, rep: ValueRep)?
    {
        let at = cell.base + info.dictOffset
        let w = slotarena_peek64(at)
        // The shape is followed only once the instance is known to be the same one.
        guard w & DictWord.modeMask == DictWord.inline, let s = DictWord.pointer(w), valid() else { return nil }
        let found = DictWord.peekedShape(s)._withUnsafeGuaranteedRef { shape in
            shape.position(of: name).map { (shape.offsets[$0], shape.reps[$0], shape.number) }
        }
        guard let (valueOffset, rep, number) = found else { return nil }
        let offset = info.cellSize + valueOffset
        guard offset < 1 << 14, info.dictOffset < 1 << 14, slotarena_peek64_sc(at) == w, valid() else { return nil }
        return (w & _SiteHeader.dictWordMask, number, offset, rep)
    }

    /// The name's id in `space`, interned for the site's lifetime; 0 when the site keeps it
    /// interned in another space that is still alive. Called with `writer` held.
    private func pin(_ space: ObjectSpace) -> UInt32 {
        if let pinned = pinnedSpace { return pinned === space ? pinnedID : 0 }
        pinnedID = space.pinName(name)
        pinnedSpace = space
        return pinnedID
    }
}

extension ObjectSpace {
    /// Interns `name` and counts one use of it that only ``unpinName(_:)`` gives back: its id
    /// stays the name's while the pin lasts.
    func pinName(_ name: String) -> UInt32 {
        state.withLock { $0.names.retain(name) { _ in false }.id }
    }

    /// Gives back a use counted by ``pinName(_:)``.
    func unpinName(_ id: UInt32) {
        state.withLock { $0.names.release(id) }
    }
}

extension Instance {
    /// ``setInDict(_:_:_:_:)`` with the name's id known (and kept interned by the caller).
    static func setInDict(_ info: ClassInfo, _ cell: _SlotCell, _ id: UInt32, _ value: Value) throws {
        let space = info.space
        let table = InstanceDict.table(cell, info.dictOffset)
        let counted = space.state.withLock { s -> Bool in
            if let table, InstanceDict.find(table, id) != nil { return false }
            s.names.retain(id: id)
            return true
        }
        do {
            try InstanceDict.set(cell, info.dictOffset, id, value, space: space, counted: counted)
        } catch {
            if counted { space.state.withLock { $0.names.release(id) } }
            throw error
        }
    }
}
