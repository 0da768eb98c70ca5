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
    let state = Locked(State())

    struct State {
        /// Attribute names of instance dictionaries, interned: id 0 means "no name".
        var nameIDs: [String: UInt32] = [:]
        var names: [String] = [""]
        var classes: [ClassInfo] = []
    }

    /// Creates a space with its own jemalloc arena (`arenas.create`).
    ///
    /// Traps if the allocator refuses a new arena, as Swift traps when memory runs out.
    public init() {
        guard let arena = slotarena_create() else {
            _slottedTrap("the allocator refused a new arena (arenas.create failed)")
        }
        self.arena = arena
        #if SLOTTED_INTERNAL_CHECKS
        _checkHeaderConstants()
        #endif
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

    func nameID(_ name: String, create: Bool) -> UInt32? {
        state.withLock { s in
            if let id = s.nameIDs[name] { return id }
            guard create else { return nil }
            let id = UInt32(s.names.count)
            s.names.append(name)
            s.nameIDs[name] = id
            return id
        }
    }

    func name(ofID id: UInt32) -> String {
        state.withLock { $0.names[Int(id)] }
    }

    // MARK: - Instances

    /// Frees an instance: its cell returns to its pool, its strings and dictionary to the
    /// arena. Every handle to it is stale afterwards, even once the cell is reused.
    ///
    /// Python has no explicit free (the reference count does it); this is the arena's
    /// `sdallocx` for one object. Freeing a stale handle, or an instance of another space,
    /// traps with a message that says so: it is the same misuse as a double `deallocate()`.
    public func free(_ instance: Instance) {
        let result: Int32
        do {
            result = try instance.withResolved { info, cell in
                _slottedCheck(info.space === self, "free of an instance that belongs to another ObjectSpace")
                if !info.releasableSlots.isEmpty || info.dictOffset >= 0 { releaseContents(info, cell) }
                return slotarena_cell_free(info.pool, cell.base, instance.generation)
            }
        } catch {
            _slottedTrap("free of a stale instance handle: \(error)")
        }
        _slottedCheck(result == 0, "free of a stale instance handle: the object was already freed")
    }

    /// Releases the blocks an instance owns: long strings in its slots, its dictionary.
    func releaseContents(_ info: ClassInfo, _ cell: _SlotCell) {
        for i in info.releasableSlots {
            let slot = info.hot[i]
            guard cell.isPresent(slot.presenceOffset, slot.presenceMask) else { continue }
            if slot.type == .string {
                releaseString(cell.load(slot.offset, as: UInt64.self))
            } else {
                releaseAny(cell, slot.offset)
            }
        }
        if info.dictOffset >= 0 { InstanceDict.release(cell, info.dictOffset, space: self) }
    }

    /// Frees every instance at once and keeps the classes and the arena's slabs (the arena's
    /// reset). Every handle from before is stale afterwards.
    public func reset() {
        slotarena_reset(arena)
    }

    /// The `sys.getsizeof` analog: the instance's cell plus its dictionary's table, if it
    /// has one. Strings an instance refers to are not counted, as in CPython.
    ///
    /// Traps on a stale handle.
    public func sizeof(_ instance: Instance) -> Int {
        let (info, cell) = instance.resolveOrTrap("sizeof")
        return info.cellSize + InstanceDict.storageBytes(cell, info.dictOffset)
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
