//===----------------------------------------------------------------------===//
//
// ConstructionSignature.swift: the keywords of a construction, resolved once
// against a class.
//
// CPython's vectorcall passes keyword arguments as a tuple of names
// (`kwnames`) beside an array of values; a host that calls the same class
// with the same keywords again and again builds the tuple once. A signature
// is that tuple, with each name already looked up on the class: a slot
// index, or the instance `__dict__`. A name the class would refuse is refused
// when the signature is made, not at every construction.
//
//===----------------------------------------------------------------------===//

/// The keyword names of a construction, resolved once on a class: CPython's vectorcall
/// `kwnames`, the tuple of keyword names that accompanies an array of argument values.
///
/// ```swift
/// let signature = try ConstructionSignature(EventSlots, keywords: ["ts", "kind", "value"])
/// var values: [Value] = [1, "click", 1.5]
/// let e = try EventSlots.construct(signature, values)   // EventSlots(ts=1, kind='click', value=1.5)
/// ```
///
/// With ``SlotClass/construct(_:_:)``,
/// the last `keywords.count` values are the keywords' and any before them are positional,
/// as in a vectorcall. A construction through a signature looks up no name: each keyword of
/// a slot is a slot index, each other keyword (on a class with a `__dict__`) goes to the
/// instance dictionary.
public struct ConstructionSignature: Sendable {
    /// The class the keywords were resolved on; the signature constructs only its instances.
    public let owner: SlotClass
    /// The keyword names, in the order their values come.
    public let keywords: [String]
    /// Per keyword: the slot index, or -1 for the instance `__dict__`.
    let targets: [Int]
    /// How many keywords go to the instance `__dict__` (room inline for a class with shapes).
    let dictionaryEntries: Int

    /// Resolves `keywords` on `cls`, as a call `cls(**{name: value, …})` would resolve them,
    /// once for every construction through the signature.
    ///
    /// - Throws: ``AttributeError`` for a name a dict-less class has no slot for (`'C'
    ///   object has no attribute 'z'`) or that is a class attribute there (`'C' object
    ///   attribute 'z' is read-only`); ``TypeError`` for a name given twice (CPython's
    ///   `C() got multiple values for keyword argument 'ts'`). The error's culprit is the
    ///   name.
    public init(_ cls: SlotClass, keywords: some Sequence<String>) throws {
        let info = cls.info
        var names: [String] = []
        var targets: [Int] = []
        var seen: Set<AttributeName> = []
        for name in keywords {
            guard seen.insert(AttributeName(name)).inserted else {
                throw TypeError("\(info.name)() got multiple values for keyword argument '\(name)'", culprit: name)
            }
            let target = info.target(name)
            if let slot = target, slot >= 0 {
                targets.append(slot)
            } else if info.dictOffset >= 0 {
                targets.append(-1)
            } else if target != nil {
                throw AttributeError.readOnly(info.name, name)
            } else {
                throw AttributeError.missing(info.name, name)
            }
            names.append(name)
        }
        self.owner = cls
        self.keywords = names
        self.targets = targets
        self.dictionaryEntries = targets.count(where: { $0 < 0 })
    }
}
