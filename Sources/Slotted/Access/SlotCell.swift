// The one place where Slotted touches instance memory through raw pointers.

/// The address of one instance's cell in the arena. Implementation detail of the typed slot
/// accessors; not for direct use.
///
/// Every offset load and store of a slot goes through this type. Offsets are bytes from the
/// start of the cell, whose first 8 bytes are the header word (see `slotarena.h`).
@frozen
public struct _SlotCell {
    @usableFromInline
    let base: UnsafeMutableRawPointer

    @inlinable @inline(__always)
    init(_ base: UnsafeMutableRawPointer) { self.base = base }

    /// The header word: presence bits, class id, generation.
    @inlinable @inline(__always)
    var header: UInt64 { base.load(as: UInt64.self) }

    @inlinable @inline(__always)
    func load<T: BitwiseCopyable>(_ offset: Int, as type: T.Type) -> T {
        base.load(fromByteOffset: offset, as: T.self)
    }

    @inlinable @inline(__always)
    func store<T: BitwiseCopyable>(_ value: T, _ offset: Int) {
        base.storeBytes(of: value, toByteOffset: offset, as: T.self)
    }

    @inlinable @inline(__always)
    func isPresent(_ byteOffset: Int, _ mask: UInt8) -> Bool {
        base.load(fromByteOffset: byteOffset, as: UInt8.self) & mask != 0
    }

    /// Presence bits in the header are set with a 64-bit read-modify-write of the whole
    /// header: the next typed access reads the header as one 64-bit word, and a byte store
    /// followed by a wider load of the same bytes cannot be forwarded from the store buffer
    /// (a stall of some ten cycles on every store after the first).
    @inlinable @inline(__always)
    func markPresent(_ byteOffset: Int, _ mask: UInt8) {
        if byteOffset < 8 {
            let h = header
            let bit = UInt64(mask) &<< UInt64(truncatingIfNeeded: byteOffset &* 8)
            if h & bit == 0 { store(h | bit, 0) }
        } else {
            let b = base.load(fromByteOffset: byteOffset, as: UInt8.self)
            if b & mask == 0 { base.storeBytes(of: b | mask, toByteOffset: byteOffset, as: UInt8.self) }
        }
    }

    @inlinable @inline(__always)
    func clearPresent(_ byteOffset: Int, _ mask: UInt8) {
        if byteOffset < 8 {
            store(header & ~(UInt64(mask) &<< UInt64(truncatingIfNeeded: byteOffset &* 8)), 0)
        } else {
            let b = base.load(fromByteOffset: byteOffset, as: UInt8.self)
            base.storeBytes(of: b & ~mask, toByteOffset: byteOffset, as: UInt8.self)
        }
    }
}
