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
//   bit   4       shaped: the entry caches where one shape keeps the name
//   bits  8...31  a class attribute of the same name: its index + 1, or 0
//   bits 32...63  the name's interned id in the class's space, or 0 (not shaped)
//   bits 32...45  the dictionary word's byte offset (shaped)
//   bits 46...59  the value's byte offset in the cell, for that shape (shaped)
//   class attribute:
//   bits 32...63  its index in `ClassInfo.attributeValues`
//
//===----------------------------------------------------------------------===//

internal import CSlotArena

@usableFromInline
enum SiteEntry {
    @inlinable static var slot: UInt64 { 0 }
    @inlinable static var dict: UInt64 { 1 }
    @inlinable static var attribute: UInt64 { 2 }
    @inlinable static var missing: UInt64 { 3 }

    @inlinable static var frozen: UInt64 { 1 << 3 }
    @inlinable static var presenceInHeader: UInt64 { 1 << 22 }
    /// A dict entry that caches a shape (the entry's fourth word is that shape's dictionary
    /// word, or the untyped read when the header names the shape).
    @inlinable static var shaped: UInt64 { 1 << 4 }

    // An entry's fourth word: the read (and write) the inlined fast path makes, decoded,
    // so that it loads one word of the entry. Its forms, by the flag bits above the offset
    // (the offset of the value is in the low 14 bits):
    // - bit 63: a 64-bit int or double slot whose presence bit is in the header (which the
    //   entry's compare checks); bit 62 says `.double`. Bit 63 is the sign bit: a dictionary
    //   word, the fourth word of a shaped entry of a class without the shape tag, is a
    //   user-space address and leaves it and every other flag bit clear.
    // - bit 61: an untyped value (an untyped slot whose presence bit is in the header, or a
    //   shaped dictionary's value at the position the header's shape tag gives), read with
    //   its tag word's sequence.
    // - bit 58: a boolean (bit 57) or 8-bit slot whose presence bit is in the header.
    // - bit 55: a 32-bit int or float (bit 54) slot whose presence bit is in the header.
    // - bit 56: a slot past the 16th: its presence byte's offset in bits 32...45, the bit's
    //   position in that byte in bits 46...48, and its width as above (bit 58 or 55), or
    //   bit 53 for an untyped slot, or neither for a 64-bit int or double (bit 62).
    // - bit 60 beside bit 63, bit 59 beside bit 58, 55 or 56: the slot may be written as it
    //   is read, a plain store at the offset (a typed slot, not read-only); the bit 59 writes
    //   are made in a call out of line (a float slot is written under the writer bit, as by
    //   name).
    // - No read flag: a string or instance slot, or a shaped entry of a class without the
    //   shape tag (its peeks are made in a call out of line); anything else is the slow
    //   path's validated read.
    @inlinable static var simpleRead: UInt64 { 1 << 63 }
    @inlinable static var simpleDouble: UInt64 { 1 << 62 }
    @inlinable static var untypedRead: UInt64 { 1 << 61 }
    @inlinable static var simpleWrite: UInt64 { 1 << 60 }
    @inlinable static var otherWrite: UInt64 { 1 << 59 }
    @inlinable static var byteRead: UInt64 { 1 << 58 }
    @inlinable static var byteBool: UInt64 { 1 << 57 }
    @inlinable static var pastHeaderRead: UInt64 { 1 << 56 }
    @inlinable static var wordRead: UInt64 { 1 << 55 }
    @inlinable static var wordFloat: UInt64 { 1 << 54 }
    @inlinable static var pastUntyped: UInt64 { 1 << 53 }
    /// The offset of a decoded read: its low 32 bits, of which only the low 14 are ever set
    /// (a 32-bit move, where a mask would take an instruction more).
    @inlinable @inline(__always) static func simpleOffset(_ w: UInt64) -> Int { Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: w)) }
    /// A ``pastHeaderRead`` word's presence byte offset and bit.
    @inlinable @inline(__always) static func pastPresenceOffset(_ w: UInt64) -> Int { Int(truncatingIfNeeded: (w >> 32) & 0x3fff) }
    @inlinable @inline(__always) static func pastPresenceMask(_ w: UInt64) -> UInt8 { 1 &<< UInt8(truncatingIfNeeded: (w >> 46) & 7) }

    /// The fourth word of a slot entry with data `d` (0 for other entries): see above.
    static func fastWord(_ d: UInt64) -> UInt64 {
        guard kind(d) == slot else { return 0 }
        let code = typeCode(d)
        // A typed write of a number or a boolean needs no writer bit (the value is stored as
        // it is), unless the slot is read-only.
        let writable = d & frozen == 0 && [int, double, bool, int32, uint8].contains(code)
        if d & presenceInHeader == 0 {
            // The width and kind as decodedRead gives them, but for the 64-bit and untyped
            // forms, whose flags mean "read inline, the compare checked presence".
            let width: UInt64
            switch code {
            case int: width = 0
            case double: width = simpleDouble
            case any: width = pastUntyped
            default: width = decodedRead(code, offset: 0)
            }
            guard width != 0 || code == int else { return 0 }
            let w = pastHeaderRead | width | UInt64(offset(d))
                | UInt64(presenceOffset(d)) << 32 | UInt64(presenceMask(d).trailingZeroBitCount) << 46
            return writable ? w | otherWrite : w
        }
        let read = decodedRead(code, offset: offset(d))
        if read & simpleRead != 0 { return writable ? read | simpleWrite : read }
        return writable ? read | otherWrite : read
    }

    /// The decoded read of a value of type code `code` at byte `offset` whose presence the
    /// entry's compare checks: a 64-bit int or a double, a boolean or an 8-bit int read as it
    /// is, an untyped value with its tag word; 0 (no decoded read) for any other type.
    static func decodedRead(_ code: UInt64, offset: Int) -> UInt64 {
        switch code {
        case int: simpleRead | UInt64(offset)
        case double: simpleRead | simpleDouble | UInt64(offset)
        case any: untypedRead | UInt64(offset)
        case bool: byteRead | byteBool | UInt64(offset)
        case uint8: byteRead | UInt64(offset)
        case int32: wordRead | UInt64(offset)
        case float: wordRead | wordFloat | UInt64(offset)
        default: 0
        }
    }

    // Type codes.
    @inlinable static var int: UInt64 { 0 }
    @inlinable static var double: UInt64 { 1 }
    @inlinable static var bool: UInt64 { 2 }
    @inlinable static var int32: UInt64 { 3 }
    @inlinable static var float: UInt64 { 4 }
    @inlinable static var uint8: UInt64 { 5 }
    @inlinable static var string: UInt64 { 6 }
    @inlinable static var instance: UInt64 { 7 }
    @inlinable static var any: UInt64 { 8 }

    /// The type code of a shaped dictionary's value kept as `rep`.
    static func code(_ rep: ValueRep) -> UInt64 {
        switch rep {
        case .any: any
        case .double: double
        case .int: int
        case .string: string
        }
    }

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

    @inlinable @inline(__always) static func kind(_ d: UInt64) -> UInt64 { d & 7 }
    @inlinable @inline(__always) static func typeCode(_ d: UInt64) -> UInt64 { (d >> 4) & 0xf }
    @inlinable @inline(__always) static func offset(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 8) & 0x3fff) }
    @inlinable @inline(__always) static func headerBit(_ d: UInt64) -> UInt64 { 1 &<< ((d >> 23) & 63) }
    @inlinable @inline(__always) static func presenceMask(_ d: UInt64) -> UInt8 { 1 &<< UInt8(truncatingIfNeeded: (d >> 23) & 7) }
    @inlinable @inline(__always) static func presenceOffset(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 29) & 0x3fff) }
    @inlinable @inline(__always) static func slotIndex(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 43) & 0x7ff) }
    @inlinable @inline(__always) static func nameID(_ d: UInt64) -> UInt32 {
        d & shaped != 0 ? 0 : UInt32(truncatingIfNeeded: d >> 32)
    }
    @inlinable @inline(__always) static func dictOffset(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 32) & 0x3fff) }
    @inlinable @inline(__always) static func shapedValueOffset(_ d: UInt64) -> Int { Int(truncatingIfNeeded: (d >> 46) & 0x3fff) }
    /// How a shaped entry's value is kept: 0 untyped, 1 a raw double, 2 a raw int, 3 a
    /// string word (`ValueRep`).
    @inlinable @inline(__always) static func shapedRep(_ d: UInt64) -> UInt64 { (d >> 60) & 3 }

    /// The class attribute's index, for a class attribute entry or a dict entry that has one.
    @inline(__always)
    static func attributeIndex(_ d: UInt64) -> Int? {
        if kind(d) == attribute { return Int(truncatingIfNeeded: d >> 32) }
        let plusOne = Int(truncatingIfNeeded: (d >> 8) & 0xff_ffff)
        return plusOne == 0 ? nil : plusOne - 1
    }

    /// What `name` is on `info`, as `Instance.get` and `set` resolve it; `nameID` is the
    /// name's interned id in the class's space (0: look it up on each access); `shapedAt`,
    /// for a class with shapes, the byte offset of the name's value in an instance of the
    /// shape the site caches, and `rep` how the shape keeps it.
    static func make(_ info: ClassInfo, _ name: String, nameID: UInt32, shapedAt: Int? = nil, rep: ValueRep = .any) -> UInt64 {
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
            d = dict | attributePlusOne << 8
            if let at = shapedAt {
                d |= shaped | UInt64(info.dictOffset) << 32 | UInt64(at) << 46 | UInt64(rep.rawValue) << 60
            } else {
                d |= UInt64(nameID) << 32
            }
        } else if let t = target {
            d = attribute | UInt64(-1 - t) << 32
        } else {
            d = missing
        }
        return d
    }
}
