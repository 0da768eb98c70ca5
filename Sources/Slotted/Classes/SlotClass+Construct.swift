//===----------------------------------------------------------------------===//
//
// SlotClass+Construct.swift: constructing an instance from `Value`s, as
// calling a Python class does: positional values fill the slots in order,
// keywords set attributes by name.
//
// Every form takes its values where they already are and stores each once:
// from a buffer (`construct(positional:)`), through a signature whose
// keywords were resolved once (`construct(_:_:)` with a
// `ConstructionSignature`), or from the argument list of a call
// (`C(1, "click", 1.5)`, `C(ts: 1)`), whose array the compiler may keep on
// the stack because the calls are inlined into the caller. The new instance
// is born holding its writer bit (`slotarena_cell_alloc(bits | busy)`), so a
// concurrent `reset` waits for the stores instead of freeing the cell under
// them, and it is freed when a store throws. Too many positional values are
// refused before any memory is taken.
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

extension SlotClass {
    /// Calls the class with positional values only: `try EventSlots(1, "click", 1.5)` is
    /// Python's `EventSlots(1, 'click', 1.5)`, the values filling the slots in declaration
    /// order, base slots first.
    ///
    /// - Throws: ``TypeError`` for more values than slots (`EventSlots() takes at most 3
    ///   positional arguments (4 given)`, before anything is allocated), for positional
    ///   values to a class without slots (`C() takes no positional arguments`) or for a value
    ///   of the wrong type; ``MemoryError``. Nothing is left allocated when it throws.
    @inlinable @inline(__always)
    public func dynamicallyCall(withArguments values: [Value]) throws -> Instance {
        // The values are read where they are, by the buffer form: the argument array does
        // not escape, so the compiler keeps it on the caller's stack.
        try values.withUnsafeBufferPointer { try construct(positional: $0) }
    }

    /// Calls the class with keywords: `try C(x: 1.0, y: 2.0)` is Python's `C(x=1.0, y=2.0)`
    /// for a class whose `__init__` assigns each keyword to the attribute of the same name.
    /// Arguments without a label are positional and fill the slots in order (`C(1.0, y: 2.0)`).
    ///
    /// - Throws: ``TypeError`` for too many positional arguments (before anything is
    ///   allocated), positional arguments to a class without slots, or a value of the wrong
    ///   type; ``AttributeError`` for an unknown keyword (`'C' object has no attribute 'z'`);
    ///   ``MemoryError``. Nothing is left allocated when it throws.
    @inlinable
    public func dynamicallyCall(withKeywordArguments arguments: KeyValuePairs<String, Value>) throws -> Instance {
        var positional = 0
        for i in arguments.indices where arguments[i].key.isEmpty { positional &+= 1 }
        if _slowPath(positional > _slotCount) { throw _tooManyPositional(arguments) }
        var build = try _beginConstruction(
            dictionaryEntries: _hasShapes ? _dictionaryKeywords(arguments) + Self._untypedKeywords(arguments) : 0)
        do {
            for i in arguments.indices {
                if arguments[i].key.isEmpty {
                    try _store(positional: arguments[i].value, &build)
                } else {
                    try _store(keyword: arguments[i].key, arguments[i].value, &build)
                }
            }
        } catch {
            _abandon(build)
            throw error
        }
        return _finish(build)
    }

    /// Constructs an instance from arguments built at run time: a pair with an empty label
    /// is positional, any other is a keyword. The same as calling the class.
    public func construct(_ arguments: [(label: String, value: Value)]) throws -> Instance {
        let positional = arguments.lazy.filter { $0.label.isEmpty }
        if positional.count > _slotCount {
            throw tooManyPositional(given: positional.count, surplus: Array(positional)[_slotCount].value)
        }
        var build = try _beginConstruction(
            dictionaryEntries: _hasShapes
                ? _dictionaryKeywords(arguments.lazy.map(\.label))
                    + arguments.count { !$0.label.isEmpty && ValueRep.of($0.value) == .any } : 0)
        do {
            for argument in arguments {
                if argument.label.isEmpty {
                    try _store(positional: argument.value, &build)
                } else {
                    try _store(keyword: argument.label, argument.value, &build)
                }
            }
        } catch {
            _abandon(build)
            throw error
        }
        return _finish(build)
    }

    /// Constructs an instance from positional values: Python's `C(*values)`, the values
    /// filling the slots in declaration order, base slots first. The values are read where
    /// they are (an `Array`, a `ContiguousArray`, a slice of one); a collection without
    /// contiguous storage is copied first.
    ///
    /// - Throws: as the buffer form of `construct(positional:)`.
    @inlinable
    public func construct<Values: Collection<Value>>(positional values: Values) throws -> Instance {
        if let built = try values.withContiguousStorageIfAvailable({ try construct(positional: $0) }) {
            return built
        }
        return try ContiguousArray(values).withUnsafeBufferPointer { try construct(positional: $0) }
    }

    /// Constructs an instance from positional values in a buffer the caller owns: Python's
    /// `C(*values)`, with no allocation but the instance's cell. The values are borrowed, not
    /// copied; a long string is copied into the arena, as every store does.
    ///
    /// - Throws: ``TypeError`` for more values than slots (`EventSlots() takes at most 3
    ///   positional arguments (4 given)`, with the first value that has no slot as its
    ///   ``TypeError/culprit``) or for values to a class without slots (`C() takes no
    ///   positional arguments`), both before anything is allocated; ``TypeError`` or
    ///   ``OverflowError`` for a value its slot refuses; ``MemoryError``. Nothing is left
    ///   allocated when it throws.
    public func construct(positional values: UnsafeBufferPointer<Value>) throws -> Instance {
        if _slowPath(values.count > _slotCount) {
            throw tooManyPositional(given: values.count, surplus: values[_slotCount])
        }
        var build = try _beginConstruction()
        let info = self.info
        let cell = build.instance._cell
        do {
            let first = values.baseAddress
            for k in values.indices {
                try store(info, k, first.unsafelyUnwrapped + k, cell, &build.header)
            }
        } catch {
            _abandon(build)
            throw error
        }
        return _finish(build)
    }

    /// Constructs an instance from values whose keywords a signature resolved once:
    /// CPython's vectorcall, where the last `signature.keywords.count` values are the
    /// keywords' (`kwnames`) and the ones before them are positional.
    ///
    /// ```swift
    /// let byName = try ConstructionSignature(EventSlots, keywords: ["value", "ts"])
    /// let e = try EventSlots.construct(byName, [1.5, 7])    // EventSlots(value=1.5, ts=7)
    /// ```
    ///
    /// Traps when the signature was made for another class, or when there are fewer values
    /// than keywords.
    ///
    /// - Throws: as the buffer form of `construct(_:_:)`.
    @inlinable
    public func construct<Values: Collection<Value>>(_ signature: ConstructionSignature, _ values: Values) throws -> Instance {
        if let built = try values.withContiguousStorageIfAvailable({ try construct(signature, $0) }) {
            return built
        }
        return try ContiguousArray(values).withUnsafeBufferPointer { try construct(signature, $0) }
    }

    /// Constructs an instance from values in a buffer the caller owns, whose last
    /// `signature.keywords.count` values are the signature's keywords' and the ones before
    /// them positional: CPython's vectorcall with `kwnames`, with no allocation but the
    /// instance's cell (and, for a keyword that goes to a `__dict__`, its table).
    ///
    /// Traps when the signature was made for another class, or when there are fewer values
    /// than keywords.
    ///
    /// - Throws: ``TypeError`` for too many positional values (before anything is
    ///   allocated) or a value its slot refuses; ``OverflowError``; ``MemoryError``. Nothing
    ///   is left allocated when it throws.
    public func construct(_ signature: ConstructionSignature, _ values: UnsafeBufferPointer<Value>) throws -> Instance {
        let info = self.info
        _slottedCheck(signature.owner.info === info,
                      "a ConstructionSignature made for '\(signature.owner.name)' used to construct '\(info.name)'")
        let keywords = signature.targets.count
        _slottedCheck(values.count >= keywords,
                      "\(values.count) values for a ConstructionSignature of \(keywords) keywords")
        let positional = values.count - keywords
        if _slowPath(positional > _slotCount) {
            throw tooManyPositional(given: positional, surplus: values[_slotCount])
        }
        var words = signature.dictionaryEntries
        if words > 0 {
            for k in 0..<keywords where signature.targets[k] < 0 && ValueRep.of(values[positional + k]) == .any { words += 1 }
        }
        var build = try _beginConstruction(dictionaryEntries: words)
        let cell = build.instance._cell
        let first = values.baseAddress
        do {
            for k in 0..<positional {
                try store(info, k, first.unsafelyUnwrapped + k, cell, &build.header)
            }
            for k in 0..<keywords {
                let target = signature.targets[k]
                if target >= 0 {
                    try store(info, target, first.unsafelyUnwrapped + (positional + k), cell, &build.header)
                } else {
                    try _storeInDict(signature.keywords[k], values[positional + k], &build)
                }
            }
        } catch {
            _abandon(build)
            throw error
        }
        return _finish(build)
    }

    // MARK: - The steps of a construction

    /// Stores the value at `value` into slot `index` of an instance under construction: a
    /// number into a slot of its own type needs no check, and neither it nor what it
    /// replaces owns anything, so it is stored here, as is a short string in Swift's small
    /// form (its text in the word itself, as the typed store keeps it) into a slot not set
    /// yet; every other value takes the general store (`storeSlot`), which checks and
    /// converts it and releases what it replaces.
    ///
    /// The value is read where it lies and never copied (a copy of a `Value` is an outlined
    /// copy and destroy, a retain and a release for a string): the case is tested in place,
    /// and the payload, which a case of an enum keeps at its start, is loaded from there.
    @inline(__always)
    private func store(_ info: ClassInfo, _ index: Int, _ value: UnsafePointer<Value>, _ cell: _SlotCell,
                       _ header: inout UInt64) throws
    {
        // `index` is a slot of the class: positional values were counted against the
        // slots, and a signature's targets were resolved on the class.
        let slot = info.hot.withUnsafeBufferPointer { $0[index] }
        let payload = UnsafeRawPointer(value)
        switch slot.type {
        case .int:
            guard case .int = value.pointee else { return try storeGeneral(info, index, value, cell, &header) }
            cell.store(payload.load(as: Int.self), slot.offset)
        case .double:
            guard case .double = value.pointee else { return try storeGeneral(info, index, value, cell, &header) }
            cell.store(payload.load(as: Double.self), slot.offset)
        case .string:
            guard case .string = value.pointee,
                  !cell.isPresent(slot.presenceOffset, slot.presenceMask, header: header),
                  let word = _inlineSmallStringWord(payload)
            else { return try storeGeneral(info, index, value, cell, &header) }
            cell.store(word, slot.offset)
        default:
            return try storeGeneral(info, index, value, cell, &header)
        }
        cell.markPresent(slot.presenceOffset, slot.presenceMask, header: &header)
    }

    /// The general store of a construction, out of line so that the fast cases stay small.
    @inline(never)
    private func storeGeneral(_ info: ClassInfo, _ index: Int, _ value: UnsafePointer<Value>, _ cell: _SlotCell,
                              _ header: inout UInt64) throws
    {
        // The class's own `space`, a `let` of `self`, is borrowed; a call on `info.space`
        // (an unowned reference) would retain and release it.
        try space.storeSlot(info, index, value.pointee, cell, header: &header)
    }

    /// Whether the class's dictionary entries follow shapes (see `Shape.swift`): a
    /// construction then says how many keywords will be dictionary entries, so the cell has
    /// room for them inline.
    @usableFromInline
    var _hasShapes: Bool { info.shapes != nil }

    /// How many of these keyword labels name no slot, and so become dictionary entries: one
    /// word of inline room each (a double, an int or a string takes one, another value two:
    /// ``_untypedKeywords(_:)`` counts the second words).
    @usableFromInline
    func _dictionaryKeywords<Labels: Sequence<String>>(_ labels: Labels) -> Int {
        var n = 0
        for label in labels where _becomesDictionaryEntry(label) { n += 1 }
        return n
    }

    /// Whether a keyword with this label is stored in the dictionary: it names no slot.
    @inline(__always)
    func _becomesDictionaryEntry(_ label: String) -> Bool {
        !label.isEmpty && (info.slots.isEmpty || (info.target(label) ?? -1) < 0)
    }

    /// ``_dictionaryKeywords(_:)`` of a call's labels, by index: a lazy map over the pairs
    /// retained and released their storage on every construction.
    @usableFromInline
    func _dictionaryKeywords(_ arguments: KeyValuePairs<String, Value>) -> Int {
        var n = 0
        for i in arguments.indices where _becomesDictionaryEntry(arguments[i].key) { n += 1 }
        return n
    }

    /// How many keyword values are kept untyped in a dictionary (not a double, an int or a
    /// string), each a word more than ``_dictionaryKeywords(_:)`` counts (a keyword of a
    /// slot counts too: a little more room, never less).
    @inlinable @inline(__always)
    static func _untypedKeywords(_ arguments: KeyValuePairs<String, Value>) -> Int {
        var n = 0
        for i in arguments.indices where !arguments[i].key.isEmpty {
            switch arguments[i].value {
            case .double, .int, .string: break
            default: n &+= 1
            }
        }
        return n
    }

    /// Takes a cell for a new instance, born holding its writer bit; for a class with
    /// shapes, with inline room for `dictionaryEntries` words of values.
    @usableFromInline @inline(__always)
    func _beginConstruction(dictionaryEntries: Int = 0) throws -> _ValueConstruction {
        let bits = headerBits | HeaderBits.busy
        let cell = info.shapes == nil
            ? slotarena_cell_alloc(pool, bits) : allocateWithDict(bits, expected: dictionaryEntries)
        guard let fresh = cell else { throw refusal() }
        let instance = Instance(cell: fresh)
        return _ValueConstruction(instance: instance, header: instance._cell.header & ~HeaderBits.busy)
    }

    /// Stores the next positional value (the caller checked there is a slot for it).
    @usableFromInline
    func _store(positional value: Value, _ build: inout _ValueConstruction) throws {
        try withUnsafePointer(to: value) { try store(info, build.position, $0, build.instance._cell, &build.header) }
        build.position += 1
    }

    /// Stores a keyword's value, as `setattr` would (a `let` slot of a `@SlotClass` type too).
    @usableFromInline
    func _store(keyword: String, _ value: Value, _ build: inout _ValueConstruction) throws {
        if info.shapes != nil {
            let target = info.target(keyword)
            if target == nil || target! < 0 { return try _storeInDict(keyword, value, &build) }
        }
        try Instance.set(info, build.instance._cell, keyword, value, header: &build.header)
    }

    /// Adds a dictionary entry to the instance under construction. Along transitions that
    /// exist, its shape is counted once, when the construction ends, not at every entry.
    func _storeInDict(_ name: String, _ value: Value, _ build: inout _ValueConstruction) throws {
        let cell = build.instance._cell
        if info.shapes != nil {
            if try ShapedDict.addUncounted(info, cell, name, value) {
                build.uncounted = true
                return
            }
            _settle(&build)
        }
        try Instance.setInDict(info, cell, name, value)
    }

    /// Counts the instance in its dictionary's shape, if entries were added uncounted.
    @inline(__always)
    func _settle(_ build: inout _ValueConstruction) {
        if build.uncounted {
            ShapedDict.settle(info, build.instance._cell)
            build.uncounted = false
        }
    }

    /// Publishes the header with the stored values' presence bits, which lets go of the
    /// writer bit.
    @usableFromInline @inline(__always)
    func _finish(_ build: _ValueConstruction) -> Instance {
        if build.uncounted { ShapedDict.settle(info, build.instance._cell) }
        slotarena_cell_unlock(build.instance._cell.base, ShapeTag.retag(build.header, info, build.instance._cell))
        return build.instance
    }

    /// Lets go of the writer bit and frees the instance of a construction that threw.
    @usableFromInline
    func _abandon(_ build: _ValueConstruction) {
        if build.uncounted { ShapedDict.settle(info, build.instance._cell) }
        slotarena_cell_unlock(build.instance._cell.base, ShapeTag.retag(build.header, info, build.instance._cell))
        space.freeIfLive(build.instance)
    }

    /// The error for the positional arguments of a call that has too many.
    @usableFromInline @inline(never)
    func _tooManyPositional(_ arguments: KeyValuePairs<String, Value>) -> TypeError {
        let positional = arguments.filter { $0.key.isEmpty }
        return tooManyPositional(given: positional.count, surplus: positional[_slotCount].value)
    }

    /// CPython's `C() takes at most 3 positional arguments (4 given)`, or `C() takes no
    /// positional arguments` for a class without slots; the culprit is the first value
    /// without a slot.
    @inline(never)
    func tooManyPositional(given: Int, surplus: Value) -> TypeError {
        TypeError(info.slots.isEmpty
                    ? "\(info.name)() takes no positional arguments"
                    : "\(info.name)() takes at most \(info.slots.count) positional arguments (\(given) given)",
                  culprit: surplus.description)
    }
}

/// A construction from values in progress: the new instance, which holds its writer bit,
/// the header it will publish, the next positional slot, and whether its shape is counted.
@usableFromInline
struct _ValueConstruction {
    @usableFromInline let instance: Instance
    @usableFromInline var header: UInt64
    @usableFromInline var position = 0
    /// Whether dictionary entries were added without counting the instance in its shape
    /// (`ShapedDict.addUncounted`); `_finish` or `_abandon` counts it.
    @usableFromInline var uncounted = false

    @usableFromInline
    init(instance: Instance, header: UInt64) {
        self.instance = instance
        self.header = header
    }
}
