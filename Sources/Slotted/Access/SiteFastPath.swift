//===----------------------------------------------------------------------===//
//
// SiteFastPath.swift: the inlinable fast paths of an attribute site, compiled
// into the caller's loop as a typed accessor is.
//
// An entry is four words: the expected header bits, the mask they are
// compared under, the entry's data (SiteEntry.swift) and a fourth word: the
// read (and write) decoded, for a typed slot (offset, width and kind, and for
// a slot past the 16th its presence byte), an untyped slot whose
// presence bit is in the header, or a shaped dictionary's value whose shape
// the header names (ShapedDict.swift's shape tag), so that a read or write
// loads one word of the entry (SiteEntry.fastWord gives the forms); for
// another shaped dictionary entry, the dictionary word of the shape it cached.
// One masked compare of the header against an entry,
// `h & mask == generation | expected`, checks together, as a typed accessor's
// compare does, that the handle is not stale, that no writer holds the
// instance, that it is of the entry's class and (for the first 16 slots) that
// the slot is set, or (for a tagged dictionary) that it has the cached shape.
// An unfilled entry's expected word is all ones, which no masked header
// equals. The first entry is compared first, then the entry the class's id
// names (a class goes there when it is free; the first class's is the first
// entry), then all four without jumps; each match has its own copy of the
// read, so that a polymorphic site does not jump back to a shared one. Only
// the reads of 64-bit slots whose presence bit is in the header and of
// untyped values are inlined; one call out of line, given the matched entry,
// makes the others (other slot widths, presence past the header, the
// dictionary word check), the same peeks, so that a caller's loop holds less
// code (with the others inlined, the report's one-class loop ran a tenth
// slower). A write is inlined for a 64-bit slot whose presence bit is in the
// header, and made in a call out of line for the other typed slots. Every
// read checks the header again before it makes its value.
//
// A get is then a seqlock read with the header as its sequence: peek the
// value, peek the header again and keep the value only if the header did not
// change. An untyped value carries its own sequence in its tag word, peeked
// before the value and again after the header (the order matters for a
// dictionary: see ShapedDict.swift). A shaped dictionary entry of a class
// without the tag also peeks the dictionary word before the value and again
// before the value's tag word is peeked again.
// Each entry is written once, data before the expected word (a release
// store), and never replaced: a reader peeks the expected word first.
// Anything else (a freed instance, a writer holding it, an unset slot, a
// string or a reference, another shape, a class not cached) returns nil and
// takes the slow path, which throws what `Instance.get` throws. The cells are
// never unmapped while the space lives, so a peek of a freed cell is harmless
// and its value is dropped by the validation.
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
    /// What every entry's mask holds: the generation, the writer bit and the class.
    @inlinable static var entryMask: UInt64 { genMask | busy | classMask }
    /// The expected word of an entry not filled yet: no masked header equals it.
    @inlinable static var unfilled: UInt64 { ~0 }
    /// The dictionary word bits a shaped entry compares: the pointer and the mode.
    @inlinable static var dictWordMask: UInt64 { 0x0000_FFFF_FFFF_FFF3 }
}

extension AttributeSite {
    /// Words per entry: expected header bits, mask, data, cached dictionary word or decoded read.
    @inlinable static var _entryWords: Int { 4 }

    /// The entry whose masked compare the header `h` of an instance with generation bits
    /// `g` passes, as the address of its words; nil when none does. Up to four compares.
    @inlinable @inline(__always)
    func _match(header h: UInt64, generation g: UInt64) -> UnsafeMutablePointer<UInt64>? {
        // The first entry is tried alone: a monomorphic site stops there. Then the entry
        // the class's id names (``_home(classBits:first:)``), where a class is cached unless
        // another class took it first: a polymorphic site whose classes have different
        // homes stops there. Otherwise the four are compared without jumps, so that classes
        // taking turns cost no mispredicted branch. At most one entry passes: each names
        // another class.
        let w = _words
        if _fastPath(Self._passes(h, g, w)) { return w }
        return _match(header: h, generation: g, afterFirst: ())
    }

    /// ``_match(header:generation:)`` once the first entry did not match.
    @inlinable @inline(__always)
    func _match(header h: UInt64, generation g: UInt64, afterFirst: ()) -> UnsafeMutablePointer<UInt64>? {
        let w = _words
        let home = w + Self._home(classBits: h, first: slotarena_peek64(w + Self._firstClassWord))
        if _fastPath(Self._passes(h, g, home)) { return home }
        let at = (Self._passes(h, g, w) ? 1 : 0) | (Self._passes(h, g, w + 4) ? 5 : 0)
            | (Self._passes(h, g, w + 8) ? 9 : 0) | (Self._passes(h, g, w + 12) ? 13 : 0)
        return at == 0 ? nil : w + (at &- 1)
    }

    /// The word after the entries: the class bits (`h & classMask`) of the first class the
    /// site cached, 0 before.
    @inlinable static var _firstClassWord: Int { 16 }

    /// The word index of the entry a class prefers, from its header bits and the first
    /// class's: the low two bits of the difference of their ids pick one of the four
    /// entries, so that the first class's is the first entry and classes defined one after
    /// the other each have their own.
    @inlinable @inline(__always)
    static func _home(classBits h: UInt64, first: UInt64) -> Int {
        Int(truncatingIfNeeded: ((h &- first) >> UInt64(SLOTARENA_CLASS_SHIFT)) & 3) &* _entryWords
    }

    /// Whether header `h` with generation bits `g` passes the entry at `e`: its expected
    /// word is peeked first (acquire), then its mask.
    @inlinable @inline(__always)
    static func _passes(_ h: UInt64, _ g: UInt64, _ e: UnsafeMutablePointer<UInt64>) -> Bool {
        let expected = slotarena_peek64_or_acquire(e, g)
        return slotarena_peek64_and(e + 1, h) == expected
    }

    /// The fast path of a read: a live instance, no writer on it, its class cached
    /// (``_match(header:generation:)``) with the name as a set slot holding a number or a
    /// boolean (or None, in an untyped slot), or as an untyped entry of a shaped dictionary
    /// with the cached shape, its values inline; one validated load. A 64-bit int or double
    /// slot and an untyped value whose presence or shape the header holds are read inline;
    /// the others in one call out of line (`_siteReadRest`). Nil for anything else.
    @inlinable @inline(__always)
    func _fastRead(_ instance: Instance) -> Value? {
        let base = instance._cell.base
        let h = slotarena_peek64(base)
        let g = instance._generationBits
        // The first entry, then the others (``_match(header:generation:)``), each followed
        // by its own copy of the read: a polymorphic site does not jump back.
        if _fastPath(Self._passes(h, g, _words)) { return Self._readDecoded(base, h, _words) }
        guard let e = _match(header: h, generation: g, afterFirst: ()) else { return nil }
        return Self._readDecoded(base, h, e)
    }

    /// The read of ``_fastRead(_:)`` once the entry at `e` matched header `h`: inline when the
    /// entry's fourth word has it decoded as a 64-bit slot whose presence bit is in the header
    /// or as an untyped value, in one call out of line (`_siteReadRest`) for any other entry.
    @inlinable @inline(__always)
    static func _readDecoded(_ base: UnsafeMutableRawPointer, _ h: UInt64, _ e: UnsafeMutablePointer<UInt64>) -> Value? {
        let fast = slotarena_peek64(e + 3)
        if _fastPath(Int64(bitPattern: fast) < 0) {
            // A 64-bit typed slot, its presence bit in the header: the compare checked it.
            // The entry's fourth word has its read decoded (``SiteEntry/fastWord(_:)``).
            let bits = slotarena_peek64(base + SiteEntry.simpleOffset(fast))
            guard slotarena_peek64_sc_equals(base, h) else { return nil }
            return fast & SiteEntry.simpleDouble != 0 ? .double(Double(bitPattern: bits)) : .int(Int(Int64(bitPattern: bits)))
        }
        guard fast & SiteEntry.untypedRead != 0 else { return _siteReadRest(base, h, e) }
        // An untyped slot set (its presence bit is in the header), or the value at the
        // position of the shape the header's tag names: the compare checked either.
        return Self._peekUntyped(base, h, base + SiteEntry.simpleOffset(fast))
    }

    /// The reads of a matched entry that ``_readDecoded(_:_:_:)`` leaves to a call
    /// (`_siteReadRest`): a typed slot from the entry's fourth word (``SiteEntry/fastWord(_:)``),
    /// a shaped dictionary from its data (``_readShapedDict(_:_:_:_:)``). Each checks the header
    /// again before it makes the value (a value made and then dropped would cost its
    /// destruction on the failing branch).
    @inline(__always)
    static func _readRest(_ base: UnsafeMutableRawPointer, _ h: UInt64, _ e: UnsafeMutablePointer<UInt64>) -> Value? {
        let fast = slotarena_peek64(e + 3)
        if fast & SiteEntry.pastHeaderRead != 0 {
            // A slot past the 16th: its presence byte first, then the read of its width.
            guard slotarena_peek8(base + SiteEntry.pastPresenceOffset(fast)) & SiteEntry.pastPresenceMask(fast) != 0
            else { return nil }
            if fast & SiteEntry.pastUntyped != 0 { return _peekUntyped(base, h, base + SiteEntry.simpleOffset(fast)) }
        }
        if fast & SiteEntry.byteRead != 0 {
            // A boolean or 8-bit slot, set.
            let byte = slotarena_peek8(base + SiteEntry.simpleOffset(fast))
            guard slotarena_peek64_sc_equals(base, h) else { return nil }
            return fast & SiteEntry.byteBool != 0 ? .bool(byte != 0) : .int(Int(byte))
        }
        if fast & SiteEntry.wordRead != 0 {
            // A 32-bit int or float slot, set.
            let word = slotarena_peek32(base + SiteEntry.simpleOffset(fast))
            guard slotarena_peek64_sc_equals(base, h) else { return nil }
            return fast & SiteEntry.wordFloat != 0 ? .double(Double(Float(bitPattern: word))) : .int(Int(Int32(bitPattern: word)))
        }
        if fast & SiteEntry.pastHeaderRead != 0 {
            // A 64-bit slot past the 16th, set: the value, then the header.
            let bits = slotarena_peek64(base + SiteEntry.simpleOffset(fast))
            guard slotarena_peek64_sc_equals(base, h) else { return nil }
            return fast & SiteEntry.simpleDouble != 0 ? .double(Double(bitPattern: bits)) : .int(Int(Int64(bitPattern: bits)))
        }
        return _readShapedDict(base, h, e, slotarena_peek64(e + 2))
    }

    /// An untyped value at `p` in the cell at `base`, whose header was `h`, when it is a
    /// number, a boolean or None: its tag word, its payload, the header, the tag word again
    /// (in that order: see ShapedDict.swift's file comment on the shape tag). Nil for
    /// anything else, or when the header or the value changed.
    @inlinable @inline(__always)
    static func _peekUntyped(_ base: UnsafeMutableRawPointer, _ h: UInt64, _ p: UnsafeMutableRawPointer) -> Value? {
        let t = slotarena_peek64_acquire(p)
        let payload = slotarena_peek64(p + 8)
        guard slotarena_peek64_sc_equals(base, h), slotarena_peek64_sc_equals(p, t), t & AnyWord.writing == 0 else { return nil }
        return _SlotCell._simpleValue(t, payload)
    }

    /// The read of a shaped dictionary's entry once it matched header `h`, for a class whose
    /// header does not name the shape: the entry's fourth word is the dictionary word it
    /// cached. Nil for any other entry that reaches it (a string or instance slot, a
    /// dictionary without shapes, a class attribute). Checks the header again after its
    /// loads and before it makes the value.
    @inline(__always)
    static func _readShapedDict(_ base: UnsafeMutableRawPointer, _ h: UInt64, _ e: UnsafeMutablePointer<UInt64>, _ d: UInt64) -> Value? {
        guard SiteEntry.kind(d) == SiteEntry.dict, d & SiteEntry.shaped != 0 else { return nil }
        // The dictionary word, the value's tag word and payload, the word again, the tag word
        // again (in that order: see ShapedDict.swift's file comment); a raw value (its place
        // never changes names) needs no tag word. Then the header.
        let wp = base + SiteEntry.dictOffset(d)
        let word = slotarena_peek64(wp)
        guard word & _SiteHeader.dictWordMask == slotarena_peek64(e + 3) else { return nil }
        let vp = base + SiteEntry.shapedValueOffset(d)
        let rep = SiteEntry.shapedRep(d)
        if rep != 0 {
            guard rep != 3 else { return nil }  // a string word: the slow path
            let bits = slotarena_peek64(vp)
            guard slotarena_peek64_sc_equals(wp, word), slotarena_peek64_sc_equals(base, h) else { return nil }
            return rep == 1 ? .double(Double(bitPattern: bits)) : .int(Int(Int64(bitPattern: bits)))
        }
        let t = slotarena_peek64_acquire(vp)
        let payload = slotarena_peek64(vp + 8)
        guard slotarena_peek64_sc_equals(wp, word), slotarena_peek64_sc_equals(vp, t), t & AnyWord.writing == 0,
              slotarena_peek64_sc_equals(base, h)
        else { return nil }
        return _SlotCell._simpleValue(t, payload)
    }

    /// The fast path of a write: a live instance of a cached class, no writer on it, the
    /// name a writable typed slot that is already set, the value a number or a boolean the
    /// slot takes as it is. One check of the header, one plain store (a typed write: see
    /// ``AttributeSite/set(_:_:)``). A 64-bit int or double slot whose presence bit is in the
    /// header is written inline from the entry's fourth word; the others
    /// (``SiteEntry/otherWrite``) in a call out of line. False for anything else, with nothing
    /// written.
    @inlinable @inline(__always)
    func _fastWrite(_ instance: Instance, _ value: Value) -> Bool {
        let cell = instance._cell
        let h = cell.header
        guard let e = _match(header: h, generation: instance._generationBits) else { return false }
        // The read's decoded word says where (``SiteEntry/simpleWrite``).
        let fast = slotarena_peek64(e + 3)
        guard _fastPath(fast & SiteEntry.simpleWrite != 0) else {
            return fast & SiteEntry.otherWrite != 0 && _siteWriteOther(cell, fast, value)
        }
        return Self._store64(cell, fast, value)
    }

    /// Stores `value` into the 64-bit int or double slot the decoded word `fast` names: an
    /// int as it is, or as a double into a double slot; a double only into a double slot.
    /// False, with nothing written, for any other value.
    @inlinable @inline(__always)
    static func _store64(_ cell: _SlotCell, _ fast: UInt64, _ value: Value) -> Bool {
        let o = SiteEntry.simpleOffset(fast)
        switch value {
        case .double(let v) where fast & SiteEntry.simpleDouble != 0: cell.store(v, o)
        case .int(let v):
            if fast & SiteEntry.simpleDouble != 0 { cell.store(Double(v), o) } else { cell.store(v, o) }
        default: return false
        }
        return true
    }
}

// The reads and typed writes of a matched entry that the inlined fast paths leave to a
// call: free functions, so that a call needs no metatype.

/// The reads of a matched entry that ``AttributeSite/_readDecoded(_:_:_:)`` does not inline.
@usableFromInline @inline(never)
func _siteReadRest(_ base: UnsafeMutableRawPointer, _ h: UInt64, _ e: UnsafeMutablePointer<UInt64>) -> Value? {
    AttributeSite._readRest(base, h, e)
}

/// The other typed writes of `AttributeSite._fastWrite`, out of line, once an entry matched
/// and its fourth word `fast` has ``SiteEntry/otherWrite``: a boolean, 8-bit or 32-bit int
/// slot, or any of those or a 64-bit slot past the 16th (its presence byte checked first),
/// set.
@usableFromInline @inline(never)
func _siteWriteOther(_ cell: _SlotCell, _ fast: UInt64, _ value: Value) -> Bool {
    if fast & SiteEntry.pastHeaderRead != 0,
       !cell.isPresent(SiteEntry.pastPresenceOffset(fast), SiteEntry.pastPresenceMask(fast))
    {
        return false
    }
    let o = SiteEntry.simpleOffset(fast)
    if fast & SiteEntry.byteRead != 0 {
        switch value {
        case .bool(let v) where fast & SiteEntry.byteBool != 0: cell.store(UInt8(v ? 1 : 0), o)
        case .int(let v) where fast & SiteEntry.byteBool == 0:
            guard let w = UInt8(exactly: v) else { return false }
            cell.store(w, o)
        default: return false
        }
        return true
    }
    if fast & SiteEntry.wordRead != 0 {
        // A float slot has no `otherWrite`: this is an int32 slot.
        guard case .int(let v) = value, let w = Int32(exactly: v) else { return false }
        cell.store(w, o)
        return true
    }
    // A 64-bit slot past the 16th.
    return AttributeSite._store64(cell, fast, value)
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
        guard slotarena_peek64_sc_equals(p, t1) else { return nil }
        return _simpleValue(t1, payload)
    }

    /// The value an untyped slot's tag word `t` and payload make, when it is a number, a
    /// boolean or None; nil for a string or a reference.
    @inlinable @inline(__always)
    static func _simpleValue(_ t: UInt64, _ payload: UInt64) -> Value? {
        let tag = UInt8(truncatingIfNeeded: t)
        // A number first, without a jump table: int and double are tags 2 and 3, so one
        // compare finds both and the low bit picks the case.
        if _fastPath(tag | 1 == AnyTag.double.rawValue) {
            return tag == AnyTag.double.rawValue ? .double(Double(bitPattern: payload)) : .int(Int(Int64(bitPattern: payload)))
        }
        switch tag {
        case AnyTag.bool.rawValue: return .bool(payload != 0)
        case AnyTag.none.rawValue: return Value.none
        default: return nil
        }
    }

    /// ``_peekSimpleAny(_:)`` at a byte offset of the cell.
    @inline(__always)
    func peekSimpleAny(_ offset: Int) -> Value? { Self._peekSimpleAny(base + offset) }
}
