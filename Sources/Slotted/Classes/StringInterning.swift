/// Which `.string` slots of a class intern their values: each distinct long value (more
/// than 7 UTF-8 bytes; shorter text is stored in the slot itself) is stored once in the
/// space and shared by every slot that holds it, as Python's `sys.intern` shares a string.
///
/// An interned value costs its arena text block once (its UTF-8 bytes plus an 8-byte count,
/// rounded up to 8) and 16 bytes of the space's string table, instead of a block per slot;
/// storing one costs a hash and a lookup under the table's lock. It pays when a column
/// repeats few distinct values over many rows (timestamps, codes, categories): a table of
/// 100,000 rows with 3,000 distinct 20-byte timestamps keeps 3,000 blocks instead of
/// 100,000. It does not pay for values that are mostly distinct (names, identifiers), which
/// would add the table's 16 bytes and the lookup to each value.
///
/// The value lives as long as some slot holds it: the last slot that lets it go (a store,
/// `del`, the free of its instance, ``ObjectSpace/reset()``) frees its block, and the
/// space's destruction frees every one. ``MemoryStats/allocatedBytes`` counts the blocks
/// and the table, and ``MemoryStats/internedStrings`` the distinct values. Interning is
/// per space and per slot; `@SlotClass` fields do not intern.
public enum StringInterning: Sendable, Hashable {
    /// No slot interns (the default): each long value has its own block.
    case none
    /// Every `.string` slot the class declares interns.
    case allStringSlots
    /// The named `.string` slots of the class intern.
    case slots([String])
}

extension ObjectSpace {
    /// Defines a class from a schema, as ``defineClass(_:base:bases:slots:attributes:)-(_,_,_,[(name:String,type:SlotType)],_)``
    /// does, with some of its `.string` slots interning their values (``StringInterning``).
    ///
    /// Throws ``ValueError`` when `interning` names a slot the class does not declare, or a
    /// slot that is not a `.string` slot.
    public func defineClass(_ name: String, base: SlotClass? = nil, bases: [SlotClass] = [],
                            slots: [(name: String, type: SlotType)], interning: StringInterning,
                            attributes: [String: Value] = [:]) throws -> SlotClass
    {
        try define(name, bases: (base.map { [$0] } ?? []) + bases,
                   slots: slots.map { ($0.name, $0.type) }, attributes: attributes, interning: interning)
    }

    /// Marks the interning slots among the last `own` slots of a layout (the class's own).
    static func markInterned(_ slots: inout [SlotInfo], own: Int, _ interning: StringInterning,
                             className: String) throws
    {
        let first = slots.count - own
        switch interning {
        case .none:
            return
        case .allStringSlots:
            for i in first..<slots.count where slots[i].type == .string { slots[i].interned = true }
        case .slots(let names):
            for name in names {
                guard let i = slots[first...].firstIndex(where: { $0.name == name }) else {
                    throw ValueError("'\(name)' is not a slot of '\(className)' and cannot intern", culprit: name)
                }
                guard slots[i].type == .string else {
                    throw ValueError("slot '\(name)' of '\(className)' holds \(slots[i].type), not strings: only a .string slot interns",
                                     culprit: name)
                }
                slots[i].interned = true
            }
        }
    }
}
