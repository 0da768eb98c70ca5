//===----------------------------------------------------------------------===//
//
// FieldLayout.swift: where the fields of a `@SlotClass` type live, as the
// macro computes it at compile time.
//
// A field's layout is its value's byte offset and its presence bit, found
// with `ObjectSpace.layOut`'s algorithm from two constants of the base (where
// its layout ends, how many slots it has). Registration checks the result
// against the layout the space computes for the same slots.
//
//===----------------------------------------------------------------------===//

/// Where one field of a `@SlotClass` type lives in the cell: the value's byte offset and the
/// byte and mask of its presence bit. The macro computes it at compile time.
@frozen
public struct _SlotFieldLayout: Sendable, BitwiseCopyable, Equatable {
    public let offset: Int
    public let presenceOffset: Int
    public let presenceMask: UInt8

    @inlinable @inline(__always)
    public init(offset: Int, presenceOffset: Int, presenceMask: UInt8) {
        self.offset = offset
        self.presenceOffset = presenceOffset
        self.presenceMask = presenceMask
    }

    /// The presence bit as a header-word bit, or 0 for a slot whose bit lives past the header.
    @inlinable @inline(__always)
    var headerBit: UInt64 {
        presenceOffset < 2 ? UInt64(presenceMask) << UInt64(truncatingIfNeeded: presenceOffset &* 8) : 0
    }

    @inlinable @inline(__always)
    static func align(_ o: Int, _ a: Int) -> Int { (o &+ a &- 1) / a &* a }

    /// The layout of own field `index` (declaration order) of a class whose layout base ends
    /// at `baseEnd` with `baseCount` slots: `ObjectSpace.layOut` with the base known only as
    /// two constants. The macro supplies the field's offset relative to the own layer's
    /// aligned start (`relativeOffset`), the layer's largest alignment and its size; after
    /// the one alignment of the start, slots sorted by decreasing alignment need no padding.
    @inlinable @inline(__always)
    public static func derived(baseEnd: Int, baseCount: Int, ownAlignment: Int, ownSize: Int,
                               relativeOffset: Int, index: Int) -> _SlotFieldLayout
    {
        let start = align(baseEnd, ownAlignment)
        let slotIndex = baseCount &+ index
        if slotIndex < 16 {
            return _SlotFieldLayout(offset: start &+ relativeOffset, presenceOffset: slotIndex / 8,
                                    presenceMask: UInt8(1) << UInt8(slotIndex % 8))
        }
        let firstExtra = Swift.max(baseCount, 16)
        return _SlotFieldLayout(offset: start &+ relativeOffset,
                                presenceOffset: start &+ ownSize &+ (slotIndex &- firstExtra) / 8,
                                presenceMask: UInt8(1) << UInt8((slotIndex &- firstExtra) % 8))
    }

    /// The first byte after a derived class's layout (`ClassInfo.layoutEnd`).
    @inlinable @inline(__always)
    public static func derivedEnd(baseEnd: Int, baseCount: Int, ownAlignment: Int, ownSize: Int,
                                  ownCount: Int) -> Int
    {
        let firstExtra = Swift.max(baseCount, 16)
        let extra = Swift.max(0, baseCount &+ ownCount &- firstExtra)
        return align(baseEnd, ownAlignment) &+ ownSize &+ (extra &+ 7) / 8
    }
}

/// One field as the macro declared it: its slot name and type, whether it is read-only
/// (`let`) and its compile-time layout.
public struct _SlotFieldSpec: Sendable {
    public let name: String
    public let type: SlotType
    public let readOnly: Bool
    public let layout: _SlotFieldLayout

    public init(name: String, type: SlotType, readOnly: Bool, layout: _SlotFieldLayout) {
        self.name = name
        self.type = type
        self.readOnly = readOnly
        self.layout = layout
    }
}
