//===----------------------------------------------------------------------===//
//
// MemoryAtScale.swift: report section 2, memory at scale: the article's experiment at one N.
//
//===----------------------------------------------------------------------===//

/// The article's second program at one N: peak bytes of N `EventDict`
/// against N `EventSlots`, typed and untyped, plus the native baselines.
struct MemoryAtScale: Codable {
    var n: Int
    /// Shaped `EventDict` instances.
    var dict: BuildResult
    /// `EventDict` instances in dictionary mode (a hash table each, as every CPython 3.11
    /// instance dict has one): the dict the article's savings were computed against before
    /// shapes, still reported beside the shaped one.
    var dictTable: BuildResult
    var typedSlots: BuildResult
    var untypedSlots: BuildResult
    var nativeClass: BuildResult
    var structArray: BuildResult

    /// The article's figure: `(1 - slots / dict) * 100`.
    static func saving(slots: Int, dict: Int) -> Double {
        dict > 0 ? (1 - Double(slots) / Double(dict)) * 100 : 0
    }

    /// The article's saving, against shaped dicts.
    var typedSavingPercent: Double { Self.saving(slots: typedSlots.bytes, dict: dict.bytes) }
    var untypedSavingPercent: Double { Self.saving(slots: untypedSlots.bytes, dict: dict.bytes) }
    /// The saving against dicts with a hash table each.
    var typedTableSavingPercent: Double { Self.saving(slots: typedSlots.bytes, dict: dictTable.bytes) }
    var untypedTableSavingPercent: Double { Self.saving(slots: untypedSlots.bytes, dict: dictTable.bytes) }
}

/// Runs the article's experiment with `n` events of every kind.
func measureMemoryAtScale(n: Int) throws -> MemoryAtScale {
    Progress.note("memory at scale: \(n.grouped) events of each kind")
    return MemoryAtScale(
        n: n,
        dict: try build(.dict, n: n),
        dictTable: try build(.dictTable, n: n),
        typedSlots: try build(.typedSlots, n: n),
        untypedSlots: try build(.untypedSlots, n: n),
        nativeClass: try build(.nativeClass, n: n),
        structArray: try build(.structArray, n: n)
    )
}
