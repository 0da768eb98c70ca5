//===----------------------------------------------------------------------===//
//
// SiteEntry.swift: the data word of an attribute site's cache entry: what
// one name is on one class, packed in 64 bits so that an entry is two words
// (its key, the class id, is the other).
//
//   bits  0...2   kind: slot, dict, class attribute, missing
//   bit   3       the name is a read-only slot (`let` field of @SlotClass)
//   slot:
//   bits  4...7   the slot's type (SiteEntry.int, ...)
//   bits  8...21  the value's byte offset (cells are at most 16 KiB)
//   bit   22      presence bit in the header (slots 0...15)
//   bits 23...28  that header bit's position, or the mask's bit in the byte
//   bits 29...42  the presence byte's offset (slots 16 and later)
//   bits 43...53  the slot's index in the layout
//   dict:
//   bits  8...31  a class attribute of the same name: its index + 1, or 0
//   bits 32...63  the name's interned id in the class's space, or 0
//   class attribute:
//   bits 32...63  its index in `ClassInfo.attributeValues`
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

enum SiteEntry {
    static let slot: UInt64 = 0
    static let dict: UInt64 = 1
    static let attribute: UInt64 = 2
    static let missing: UInt64 = 3

    static let frozen: UInt64 = 1 << 3
    static let presenceInHeader: UInt64 = 1 << 22

    // Type codes.
    static let int: UInt64 = 0
    static let double: UInt64 = 1
    static let bool: UInt64 = 2
    static let int32: UInt64 = 3
    static let float: UInt64 = 4
    static let uint8: UInt64 = 5
    static let string: UInt64 = 6
    static let instance: UInt64 = 7
    static let any: UInt64 = 8

    static func code(_ type: SlotType) -> UInt64 {
        switch type {
        case .int: int
        case .double: double
        case .bool: bool
        case .int32: int32
        case .float: float
        case .uint8: uint8
        case .string: string
        case .instance: instance
        case .any: any
        }
    }

    @inline(__always) static func kind(_ d: UInt64) -> UInt64 { d & 7 }
    @inline(__always) static func typeCode(_ d: UInt64) -> UInt64 { (d >> 4) & 0xf }
    @inline(__always) static func offset(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 8) & 0x3fff) }
    @inline(__always) static func headerBit(_ d: UInt64) -> UInt64 { 1 &<< ((d >> 23) & 63) }
    @inline(__always) static func presenceMask(_ d: UInt64) -> UInt8 { 1 &<< UInt8(truncatingIfNeeded: (d >> 23) & 7) }
    @inline(__always) static func presenceOffset(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 29) & 0x3fff) }
    @inline(__always) static func slotIndex(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 43) & 0x7ff) }
    @inline(__always) static func nameID(_ d: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: d >> 32) }

    /// The class attribute's index, for a class attribute entry or a dict entry that has one.
    @inline(__always)
    static func attributeIndex(_ d: UInt64) -> Int? {
        if kind(d) == attribute { return Int(truncatingIfNeeded: d >> 32) }
        let plusOne = Int(truncatingIfNeeded: (d >> 8) & 0xff_ffff)
        return plusOne == 0 ? nil : plusOne - 1
    }

    /// What `name` is on `info`, as `Instance.get` and `set` resolve it; `nameID` is the
    /// name's interned id in the class's space (0: look it up on each access).
    static func make(_ info: ClassInfo, _ name: String, nameID: UInt32) -> UInt64 {
        let target = info.target(name)
        var d: UInt64
        if let i = target, i >= 0 {
            let s = info.slots[i]
            _slottedCheck(s.offset < 1 << 14 && s.presenceOffset < 1 << 14 && i < 1 << 11,
                          "slot '\(s.name)' of '\(info.name)' lies outside an attribute site's entry")
            d = slot | code(s.type) << 4 | UInt64(s.offset) << 8 | UInt64(i) << 43
            let maskBit = UInt64(s.presenceMask.trailingZeroBitCount)
            if s.presenceOffset < 8 {
                d |= presenceInHeader | (UInt64(s.presenceOffset) * 8 + maskBit) << 23
            } else {
                d |= maskBit << 23 | UInt64(s.presenceOffset) << 29
            }
            if !info.frozenSlots.isEmpty, info.frozenSlots.contains(AttributeName(name)) { d |= frozen }
        } else if info.dictOffset >= 0 {
            let attributePlusOne = target.map { UInt64(-$0) } ?? 0
            _slottedCheck(attributePlusOne < 1 << 24, "too many class attributes for an attribute site's entry")
            d = dict | attributePlusOne << 8 | UInt64(nameID) << 32
        } else if let t = target {
            d = attribute | UInt64(-1 - t) << 32
        } else {
            d = missing
        }
        return d
    }
}

extension _SlotCell {
    /// An untyped slot's value when it is a number, a boolean or None, read as a validated
    /// read's peeks (the tag word's sequence checked around the payload); nil for a string,
    /// a reference, or a value a store was changing. The caller validates the header after.
    @inline(__always)
    func peekSimpleAny(_ offset: Int) -> Value? {
        let p = base + offset
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
}
