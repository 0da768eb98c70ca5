//===----------------------------------------------------------------------===//
//
// SiteFastPath.swift: the inlinable fast paths of an attribute site, compiled
// into the caller's loop as a typed accessor is.
//
// A get is a seqlock read with the header as its sequence: peek the header,
// find its class among the cached entries (each entry is written once, data
// before key, and never replaced, so a peek of the key and then of the data
// is enough), test presence, peek the value, peek the header again and keep
// the value only if the header did not change. Anything else (a freed
// instance, a writer holding the instance, an unset slot, a string or a
// reference, a dict instance, a class not cached) returns nil and takes the
// slow path, which throws what `Instance.get` throws. The cells are never
// unmapped while the space lives, so a peek of a freed cell is harmless and
// its value is dropped by the validation.
//
// A set of a number or a boolean into a typed slot that is already set is a
// typed write: one check of the header, one plain store. It takes no writer
// bit, so racing it with `free`, `reset` or another write of the same
// instance is the caller's race, as for a typed accessor; ThreadSanitizer
// sees it. Everything else takes `Instance.set`'s path under the writer bit.
//
// This file imports CSlotArena publicly: the inlined code calls its peeks.
//
//===----------------------------------------------------------------------===//

public import CSlotArena

/// Header bits the inlined fast paths test (`HeaderBits`, as constants a client can fold).
@usableFromInline
enum _SiteHeader {
    @inlinable static var classMask: UInt64 { ((1 << UInt64(SLOTARENA_CLASS_BITS)) - 1) << UInt64(SLOTARENA_CLASS_SHIFT) }
    @inlinable static var busy: UInt64 { 1 << UInt64(SLOTARENA_BUSY_BIT) }
    @inlinable static var genMask: UInt64 { ~0 << UInt64(SLOTARENA_GEN_SHIFT) }
}

extension AttributeSite {
    /// The key word of a filled entry for the class whose header bits are `h & classMask`.
    @inlinable @inline(__always)
    static func _key(header h: UInt64) -> UInt64 { h & _SiteHeader.classMask | 1 }

    /// The data of the entry for the class in header `h`, if one is filled: up to four
    /// compares of the key words, no call.
    @inlinable @inline(__always)
    func _probe(header h: UInt64) -> UInt64? {
        let key = Self._key(header: h)
        let w = _words
        if slotarena_peek64_acquire(w) == key { return slotarena_peek64(w + 1) }
        if slotarena_peek64_acquire(w + 2) == key { return slotarena_peek64(w + 3) }
        if slotarena_peek64_acquire(w + 4) == key { return slotarena_peek64(w + 5) }
        if slotarena_peek64_acquire(w + 6) == key { return slotarena_peek64(w + 7) }
        return nil
    }

    /// The fast path of a read: a live instance, no writer on it, its class cached with the
    /// name as a set slot holding a number or a boolean (or None, in an untyped slot); one
    /// validated load. Nil for anything else.
    @inlinable @inline(__always)
    func _fastRead(_ instance: Instance) -> Value? {
        let base = instance._cell.base
        let h = slotarena_peek64(base)
        guard h & (_SiteHeader.genMask | _SiteHeader.busy) == instance._generationBits,
              let d = _probe(header: h), SiteEntry.kind(d) == SiteEntry.slot
        else { return nil }
        let present: Bool
        if d & SiteEntry.presenceInHeader != 0 {
            present = h & SiteEntry.headerBit(d) != 0
        } else {
            present = slotarena_peek8(base + SiteEntry.presenceOffset(d)) & SiteEntry.presenceMask(d) != 0
        }
        guard present else { return nil }
        let p = base + SiteEntry.offset(d)
        let value: Value
        let type = SiteEntry.typeCode(d)
        // The 64-bit types first, with one load for both: no jump table on the common path.
        if type <= SiteEntry.double {
            let bits = slotarena_peek64(p)
            value = type == SiteEntry.double ? .double(Double(bitPattern: bits)) : .int(Int(Int64(bitPattern: bits)))
            guard slotarena_peek64_sc(base) == h else { return nil }
            return value
        }
        switch type {
        case SiteEntry.bool: value = .bool(slotarena_peek8(p) != 0)
        case SiteEntry.int32: value = .int(Int(Int32(bitPattern: slotarena_peek32(p))))
        case SiteEntry.float: value = .double(Double(Float(bitPattern: slotarena_peek32(p))))
        case SiteEntry.uint8: value = .int(Int(slotarena_peek8(p)))
        case SiteEntry.any:
            guard let v = _SlotCell._peekSimpleAny(p) else { return nil }
            value = v
        default: return nil
        }
        guard slotarena_peek64_sc(base) == h else { return nil }
        return value
    }

    /// The fast path of a write: a live instance of a cached class, no writer on it, the
    /// name a writable typed slot that is already set, the value a number or a boolean the
    /// slot takes as it is. One check of the header, one plain store (a typed write: see
    /// ``AttributeSite/set(_:_:)``). False for anything else, with nothing written.
    @inlinable @inline(__always)
    func _fastWrite(_ instance: Instance, _ value: Value) -> Bool {
        let cell = instance._cell
        let h = cell.header
        guard h & (_SiteHeader.genMask | _SiteHeader.busy) == instance._generationBits,
              let d = _probe(header: h), d & (7 | SiteEntry.frozen) == SiteEntry.slot
        else { return false }
        if d & SiteEntry.presenceInHeader != 0 {
            guard h & SiteEntry.headerBit(d) != 0 else { return false }
        } else {
            guard cell.isPresent(SiteEntry.presenceOffset(d), SiteEntry.presenceMask(d)) else { return false }
        }
        let o = SiteEntry.offset(d)
        switch (SiteEntry.typeCode(d), value) {
        case (SiteEntry.double, .double(let v)): cell.store(v, o)
        case (SiteEntry.double, .int(let v)): cell.store(Double(v), o)
        case (SiteEntry.int, .int(let v)): cell.store(v, o)
        case (SiteEntry.bool, .bool(let v)): cell.store(UInt8(v ? 1 : 0), o)
        case (SiteEntry.int32, .int(let v)):
            guard let w = Int32(exactly: v) else { return false }
            cell.store(w, o)
        case (SiteEntry.uint8, .int(let v)):
            guard let w = UInt8(exactly: v) else { return false }
            cell.store(w, o)
        default: return false
        }
        return true
    }
}

extension _SlotCell {
    /// An untyped value at `p` when it is a number, a boolean or None, read as a validated
    /// read's peeks (the tag word's sequence checked around the payload); nil for a string,
    /// a reference, or a value a store was changing. The caller validates the header after.
    @inlinable @inline(__always)
    static func _peekSimpleAny(_ p: UnsafeMutableRawPointer) -> Value? {
        let t1 = slotarena_peek64_acquire(p)
        guard t1 & AnyWord.writing == 0 else { return nil }
        let payload = slotarena_peek64(p + 8)
        guard slotarena_peek64_sc(p) == t1 else { return nil }
        switch UInt8(truncatingIfNeeded: t1) {
        case AnyTag.double.rawValue: return .double(Double(bitPattern: payload))
        case AnyTag.int.rawValue: return .int(Int(Int64(bitPattern: payload)))
        case AnyTag.bool.rawValue: return .bool(payload != 0)
        case AnyTag.none.rawValue: return Value.none
        default: return nil
        }
    }

    /// ``_peekSimpleAny(_:)`` at a byte offset of the cell.
    @inline(__always)
    func peekSimpleAny(_ offset: Int) -> Value? { Self._peekSimpleAny(base + offset) }
}
