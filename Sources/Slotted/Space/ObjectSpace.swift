internal import CSlotArena


/// An object space: one private jemalloc arena, the classes defined in it and every instance
/// of them.
///
/// Instances live in the arena as a header followed by their slot values at fixed offsets.
/// Dropping the last reference to the space (each of its classes holds one; handles and
/// accessors do not) destroys the arena (`arena.<i>.destroy`): every instance is gone at once.
/// A handle that outlives the space is not alive, `has` and `isInstance` answer false for it
/// and it prints as `<instance of a destroyed space>`; any other use of it, or of an accessor
/// of the space, traps with a clear message.
///
/// ## Threads
/// `ObjectSpace` is `Sendable`: defining classes, constructing and freeing instances from
/// several threads at once is safe (one lock in the arena, one for the class registry and
/// the attribute-name table). Attribute access on *one* instance from several threads
/// follows the same rules as a Swift class's stored properties: concurrent reads are fine,
/// a write concurrent with any other access to the same instance is a data race the caller
/// must prevent. Using a handle while another thread drops the last reference to its space
/// is such a race too.
public final class ObjectSpace: @unchecked Sendable {
    /// The arena (`slotarena *`), valid until deinit.
    let arena: OpaquePointer
    let state: Locked<State>
    /// Counts the attribute names ``State/names`` released (``NameCheck``).
    let nameReleases: NameReleases
    /// The interned strings of string slots that intern (``StringInterning``).
    let strings = Locked(StringTable(), rank: .stringTable)

    struct State {
        /// Attribute names of instance dictionaries, interned.
        var names: NameTable
        var classes: [ClassInfo] = []
    }

    /// Creates a space with its own jemalloc arena (`arenas.create`).
    ///
    /// Traps if the allocator refuses a new arena, as Swift traps when memory runs out, with
    /// the message of the ``MemoryError`` that ``make()`` throws: in particular
    /// `too many live object spaces` once jemalloc's limit of 4,095 arenas per process
    /// (its own automatic arenas included) is taken by live spaces. Destroyed spaces do not
    /// count: their arenas are reused.
    public convenience init() {
        do {
            self.init(arena: try Self.createArena())
        } catch {
            _slottedTrap("\(error)")
        }
    }

    /// Creates a space with its own jemalloc arena, or throws ``MemoryError`` when the
    /// allocator refuses one: `too many live object spaces` past jemalloc's limit of arenas
    /// (4,095 per process, its automatic arenas included, about 4,080 spaces live at once),
    /// or out of memory. The throwing form of ``init()``.
    public static func make() throws(MemoryError) -> ObjectSpace {
        ObjectSpace(arena: try createArena())
    }

    private init(arena: OpaquePointer) {
        // The class registry's lock exists before any lock is held (see Locked).
        _ = ClassTable.registry
        self.arena = arena
        let releases = NameReleases()
        nameReleases = releases
        state = Locked(State(names: NameTable(releases: releases)), rank: .spaceState)
        #if SLOTTED_INTERNAL_CHECKS
        _checkHeaderConstants()
        #endif
    }

    private static func createArena() throws(MemoryError) -> OpaquePointer {
        if let arena = slotarena_create() { return arena }
        if slotarena_create_failure() == Int32(SLOTARENA_CREATE_TOO_MANY) {
            throw MemoryError("too many live object spaces (\(slotarena_live_count())): jemalloc allows at most "
                + "\(SLOTARENA_ARENA_LIMIT) arenas per process, its own included; destroy a space first")
        }
        throw MemoryError("out of memory: the system refused a new arena")
    }

    deinit {
        let classes = state.withLock { s in
            defer { s.classes = [] }
            return s.classes
        }
        for c in classes { ClassTable.unregister(c.id) }
        slotarena_destroy(arena)
    }

    /// The allocator this build uses: `"jemalloc"`, or `"system"` in the build made with
    /// `SLOTTED_DISABLE_JEMALLOC` (used for the sanitizer runs).
    public static var backend: String { String(cString: slotarena_backend()) }

    /// Whether this build poisons free arena memory for AddressSanitizer.
    public static var poisonsFreeMemory: Bool { slotarena_poisons_free_memory() != 0 }

    // MARK: - Names of dictionary attributes

    /// The id of an interned attribute name, if some dictionary entry uses it.
    func nameID(_ name: String) -> UInt32? {
        state.withLock { $0.names.id(of: name) }
    }

    /// ``nameID(_:)`` for a by-name reader of a dictionary-mode table, with the check that
    /// the id still names `name` when the reader is about to keep the value it read.
    @inline(__always)
    func nameIDForRead(_ name: String) -> (id: UInt32, check: NameCheck)? {
        let check = Unmanaged.passUnretained(nameReleases)._withUnsafeGuaranteedRef { NameCheck($0) }
        guard let id = nameID(name) else { return nil }
        return (id, check)
    }

    func name(ofID id: UInt32) -> String {
        state.withLock { $0.names.name(of: id) }
    }

    /// The name with id `id`, or nil when none has it now.
    func nameIfInterned(_ id: UInt32) -> String? {
        state.withLock { $0.names.nameIfInterned(id) }
    }

    /// The id of `name` for an entry of the dictionary `table` (nil before it has one) is about
    /// to set, and whether that use was counted: it was unless the dictionary already has the
    /// name, whose entry keeps its use.
    func nameIDForSet(_ name: String, in table: UnsafeMutableRawPointer?) -> (id: UInt32, counted: Bool) {
        state.withLock { s in
            s.names.retain(name) { id in table.map { InstanceDict.find($0, id) != nil } ?? false }
        }
    }

    // MARK: - Instances

    /// Frees an instance: its cell returns to its pool, its strings and dictionary to the
    /// arena. Every handle to it is stale afterwards, even once the cell is reused.
    ///
    /// Python has no explicit free (the reference count does it); this is the arena's
    /// `sdallocx` for one object. Freeing a stale handle, or an instance of another space,
    /// traps with a message that says so: it is the same misuse as a double `deallocate()`.
    public func free(_ instance: Instance) {
        if !free(instance, ifLive: false) {
            _slottedTrap("free of a stale instance handle: the object was already freed")
        }
    }

    /// Frees the instance unless it is already gone (a construction that failed after a
    /// concurrent `reset` took its cell).
    func freeIfLive(_ instance: Instance) {
        _ = free(instance, ifLive: true)
    }

    /// The free: the cell is claimed first (its generation advances, so every reader sees the
    /// instance gone and every writer is done), then what it owns is released, then the cell
    /// goes back to its pool. Returns false when the handle was already stale.
    private func free(_ instance: Instance, ifLive: Bool) -> Bool {
        do {
            // The class is borrowed from the class table, not retained: a free is on the hot
            // path of every host that builds and drops objects.
            return try instance.withResolved { info, cell in
                _slottedCheck(info.space === self, "free of an instance that belongs to another ObjectSpace")
                guard !info.releasableSlots.isEmpty || info.dictOffset >= 0 else {
                    return slotarena_cell_free(info.pool, cell.base, instance.generation) == 0
                }
                // A cell with inline dictionary values comes from the pool of its size; the
                // capacity in the dictionary word never changes while the cell is live.
                var pool = info.pool
                if info.shapes != nil {
                    let k = DictWord.capacity(cell.peek64(info.dictOffset))
                    if k > 0, let p = info.withShapeTree({ $0.pool(forCapacity: k) }) { pool = p }
                }
                var header: UInt64 = 0
                guard slotarena_cell_claim(pool, cell.base, instance.generation, &header) == 0 else { return false }
                releaseContents(info, cell, header: header)
                slotarena_cell_recycle(pool, cell.base)
                return true
            }
        } catch {
            if ifLive { return false }
            _slottedTrap("free of a stale instance handle: \(error)")
        }
    }

    /// Releases the blocks an instance owns: long strings in its slots, its dictionary. The
    /// cell is claimed; `header` is the one it had while live.
    func releaseContents(_ info: ClassInfo, _ cell: _SlotCell, header: UInt64) {
        for i in info.releasableSlots {
            let slot = info.hot[i]
            guard cell.isPresent(slot.presenceOffset, slot.presenceMask, header: header) else { continue }
            if slot.type == .string {
                releaseString(cell.load(slot.offset, as: UInt64.self))
            } else {
                releaseAny(cell, slot.offset)
            }
        }
        if info.shapes != nil {
            ShapedDict.release(info, cell)
        } else if info.dictOffset >= 0 {
            InstanceDict.release(cell, info.dictOffset, space: self)
        }
    }

    /// Frees every instance and keeps the classes and the arena's slabs (the arena's
    /// reset). Every handle from before is stale afterwards.
    ///
    /// Each instance is freed as ``free(_:)`` frees it, so a reset may run while other
    /// threads construct, read and write by name: their operations complete on live
    /// instances or throw ``ReferenceError``. Instances constructed while it runs may
    /// survive it. Typed access (accessors, the typed initializer, `@SlotClass` fields) to
    /// instances of the space while it runs is a data race.
    public func reset() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        slotarena_reset_each(arena, { context, cell, header in
            // Called for each instance the reset frees, once its cell is claimed.
            guard let context, let cell else { return }
            let space = Unmanaged<ObjectSpace>.fromOpaque(context).takeUnretainedValue()
            guard let info = ClassTable.lookup(HeaderBits.classID(header)),
                  !info.releasableSlots.isEmpty || info.dictOffset >= 0
            else { return }
            space.releaseContents(info, _SlotCell(cell), header: header)
        }, context)
    }

    /// The `sys.getsizeof` analog: the instance's cell (with room for the dictionary values
    /// it keeps inline) plus its dictionary's block or table, if it has one. Strings an instance refers to are not counted, as in CPython.
    ///
    /// Traps on a stale handle.
    public func sizeof(_ instance: Instance) -> Int {
        do {
            return try instance.withValidatedRead { info, read in
                if info.shapes != nil { return try ShapedDict.size(info, &read) }
                guard info.dictOffset >= 0, let (_, capacity) = try InstanceDict.peekTable(&read, info.dictOffset) else {
                    return info.cellSize
                }
                return info.cellSize + InstanceDict.blockBytes(capacity: capacity) + 16
            }
        } catch {
            _slottedTrap("sizeof of a stale instance handle: \(error)")
        }
    }

    /// A weak reference to an instance: its ``WeakRef/instance`` becomes nil once the
    /// instance is freed, the space is reset, or the space is destroyed.
    ///
    /// CPython needs a `__weakref__` slot (8 more bytes per instance) for `weakref.ref`;
    /// Slotted's handles already carry the generation that tells a live instance from a
    /// freed one, so every instance can be weakly referenced at no cost.
    public func weakRef(_ instance: Instance) -> WeakRef {
        WeakRef(target: instance)
    }

    /// Whether the handle still refers to a live instance.
    public func isAlive(_ instance: Instance) -> Bool { instance.isAlive }

    /// The classes defined in this space, in definition order.
    public var classes: [SlotClass] {
        state.withLock { $0.classes }.map { SlotClass(info: $0, space: self) }
    }

    #if SLOTTED_INTERNAL_CHECKS
    /// Checks that the header constants compiled into inlinable code match `slotarena.h`.
    func _checkHeaderConstants() {
        _slottedCheck(Instance._genShift == HeaderBits.genShift, "Instance._genShift differs from slotarena.h")
        _slottedCheck(Instance._genMask == HeaderBits.genMask, "Instance._genMask differs from slotarena.h")
        _slottedCheck(Instance._classMask == HeaderBits.classMask, "Instance._classMask differs from slotarena.h")
    }
    #endif
}

/// A weak reference to an instance (Python's `weakref.ref`).
public struct WeakRef: Hashable, Sendable {
    let target: Instance

    /// The instance while it is alive; nil once it was freed or its space was reset or
    /// destroyed. Python's `r()`.
    public var instance: Instance? { target.isAlive ? target : nil }
}
