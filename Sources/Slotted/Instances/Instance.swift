/// A handle to an instance in an ``ObjectSpace``: 8 bytes, the cell's address and the
/// generation the cell had when the instance was made.
///
/// Handles are plain values: copy them freely. Every use compares the handle's generation
/// with the one in the instance header, so a handle to a freed instance is detected even
/// after its cell has been reused: by-name calls throw ``ReferenceError``, typed subscripts
/// trap. Two handles are equal when they refer to the same instance (Python's `is`).
///
/// Attributes are read by name (``get(_:)``, or `try p.x` through dynamic member lookup),
/// written with ``set(_:_:)`` and deleted with ``delete(_:)``, with CPython's semantics and
/// messages; a pre-resolved ``SlotAccessor`` reads and writes a typed slot with one offset
/// load or store.
@frozen
@dynamicMemberLookup
public struct Instance: Hashable, Sendable {
    /// Bits 0...44: the cell address divided by 8; bits 45...63: the generation.
    @usableFromInline
    let raw: UInt64

    @usableFromInline static let _addressMask: UInt64 = (1 << 45) - 1
    @usableFromInline static let _genShift: UInt64 = 45
    @usableFromInline static let _genMask: UInt64 = ~0 << 45
    @usableFromInline static let _classMask: UInt64 = ((1 << 28) - 1) << 16

    @inlinable @inline(__always)
    init(raw: UInt64) { self.raw = raw }

    init(cell: UnsafeMutableRawPointer) {
        let address = UInt64(UInt(bitPattern: cell))
        _slottedCheck(address & 7 == 0 && address >> 48 == 0, "cell address out of the handle's range")
        self.raw = (address >> 3) | (cell.load(as: UInt64.self) & Self._genMask)
    }

    /// The cell, for offset loads and stores.
    @inlinable @inline(__always)
    var _cell: _SlotCell {
        _SlotCell(UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: (raw & Self._addressMask) << 3)).unsafelyUnwrapped)
    }

    /// The generation bits, in header position.
    @inlinable @inline(__always)
    var _generationBits: UInt64 { raw & Self._genMask }

    var generation: UInt32 { UInt32(truncatingIfNeeded: raw >> Self._genShift) }

    /// Whether the instance is alive: its header holds this handle's generation and a class.
    /// False for a freed instance and for one whose space was destroyed.
    var isAlive: Bool {
        let h = _cell.peekHeader
        return h & Self._genMask == _generationBits && h & Self._classMask != 0
    }

    /// The class and cell of a live instance; throws ``ReferenceError`` for a freed one and
    /// traps for one whose space was destroyed (its memory reads as zeros until a later
    /// space reuses it, with newer generations: the handle is then stale like a freed one's).
    func resolve() throws -> (ClassInfo, _SlotCell) {
        try withResolved { ($0, $1) }
    }

    /// The class and cell of a live instance, or nil for a freed one and for one whose space
    /// was destroyed: the form for questions whose answer is "no" for both (`has`,
    /// `isInstance`, `isSet`, `description`).
    func resolveIfAlive() -> (ClassInfo, _SlotCell)? {
        let cell = _cell
        let h = cell.peekHeader
        guard h & Self._genMask == _generationBits, h & Self._classMask != 0,
              let info = ClassTable.lookup(HeaderBits.classID(h))
        else { return nil }
        return (info, cell)
    }

    /// Whether the handle's space was destroyed: the arena's memory then reads as zeros,
    /// and a header of a live arena is never zero (generation 0 is never handed out).
    var spaceIsDestroyed: Bool { _cell.header == 0 }

    /// Runs `body` with the class and cell of a live instance, borrowing the class from the
    /// class table without retaining it (the attribute paths' fast form of `resolve`).
    @inline(__always)
    func withResolved<R>(_ body: (ClassInfo, _SlotCell) throws -> R) throws -> R {
        let cell = _cell
        let h = cell.peekHeader
        if h & Self._genMask != _generationBits || h & Self._classMask == 0 {
            if h == 0 { Self.spaceDestroyed() }
            throw ReferenceError.freed
        }
        guard let entry = ClassTable.lookupUnmanaged(HeaderBits.classID(h)) else { Self.spaceDestroyed() }
        return try entry._withUnsafeGuaranteedRef { try body($0, cell) }
    }

    func resolveOrTrap(_ operation: String) -> (ClassInfo, _SlotCell) {
        do {
            return try resolve()
        } catch {
            _slottedTrap("\(operation) of a stale instance handle: \(error)")
        }
    }

    static func spaceDestroyed() -> Never {
        _slottedTrap("instance used after its ObjectSpace was destroyed")
    }

    // MARK: - Class

    /// The class of the instance (Python's `type(p)`). Traps on a stale handle.
    public var type: SlotClass {
        let info = resolveOrTrap("type")
        return SlotClass(info: info.0, space: info.0.space)
    }

    var className: String? { resolveIfAlive()?.0.name }

    /// Whether the instance has a `__dict__` (Python's `hasattr(p, '__dict__')`). Traps on a
    /// stale handle.
    public var hasDict: Bool { resolveOrTrap("hasDict").0.hasDict }

    /// Whether `isinstance(p, cls)`; false for a freed instance and for one whose space was
    /// destroyed.
    public func isInstance(of cls: SlotClass) -> Bool {
        guard let info = resolveIfAlive()?.0 else { return false }
        return info.isSubclass(of: cls.info)
    }
}
