/// An attribute name as CPython compares `str`: by code points.
///
/// Swift's `String ==` and `String` hashing use canonical equivalence, so "é" written as one
/// code point (U+00E9) and as "e" + U+0301 would be one name; CPython keeps them apart.
/// Comparing the UTF-8 bytes is comparing code points (a valid string has one encoding), so
/// this key and `String.hasSameCodePoints(as:)` are what every name lookup,
/// duplicate check and name table uses.
struct AttributeName: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: AttributeName, b: AttributeName) -> Bool { a.text.hasSameCodePoints(as: b.text) }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable {
            hasher.combine(bytes: UnsafeRawBufferPointer($0))
        }
        if hashed == nil {
            Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}

extension String {
    /// Whether the two strings hold the same code points (CPython's `str ==`), which Swift's
    /// `==` does not tell apart from canonical equivalence.
    @inline(__always)
    func hasSameCodePoints(as other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        let same = a.withContiguousStorageIfAvailable { pa in
            b.withContiguousStorageIfAvailable { pb in pa.elementsEqual(pb) }
        }
        return (same ?? nil) ?? a.elementsEqual(b)
    }
}
