//===----------------------------------------------------------------------===//
//
// Shape.swift: shared, immutable shapes (hidden classes) of instance
// dictionaries.
//
// A shape maps attribute names to positions, in insertion order: the value of
// `names[p]` sits at position `p`, at byte `offsets[p]` of the values, kept as
// `reps[p]` says: a double, an int or a string word as its 8 raw bytes,
// anything else as an untyped value (16 bytes: tag word and payload). Adding
// an attribute follows a transition (shape, name, representation) -> next
// shape, created once per class and then shared by every instance that adds
// the same names in the same order with values of the same kinds. A shape never
// changes once it is published, and is freed only with its class (that is,
// with its space), so a reader may follow a shape pointer read from an
// instance without a lock and without a reader section, once it has checked
// that the instance is still the one it started from.
//
// Transitions are published copy-on-write: a shape's edge list is replaced
// whole, under the space's lock, and the new list is stored with a release
// store; lookups load it with an acquire load and take no lock. Replaced
// lists are kept until the tree goes, so a reader never meets a freed one.
//
//===----------------------------------------------------------------------===//

import Synchronization

/// How a shaped dictionary keeps the value at a position (V8's field representations).
enum ValueRep: UInt8, Sendable {
    /// An untyped value, 16 bytes (ValueCodec.swift): any value.
    case any = 0
    /// A double's 8 bytes.
    case double = 1
    /// An int's 8 bytes.
    case int = 2
    /// A string word (8 bytes, ValueCodec.swift): the text inline up to 7 bytes, else a
    /// text block the position owns.
    case string = 3

    /// Bytes a value takes.
    var bytes: Int { self == .any ? 16 : 8 }

    /// The representation a first value asks for.
    @inline(__always)
    static func of(_ value: Value) -> ValueRep {
        switch value {
        case .double: .double
        case .int: .int
        case .string: .string
        default: .any
        }
    }

    /// The raw bits a double or int position keeps `value` as, when it takes it; nil when
    /// it does not (the dictionary then leaves its shapes: ``ShapedDict``).
    @inline(__always)
    func numberBits(_ value: Value) -> UInt64? {
        switch (self, value) {
        case (.double, .double(let v)): v.bitPattern
        case (.int, .int(let v)): UInt64(bitPattern: Int64(v))
        default: nil
        }
    }

    /// The value the raw bits of a double or int position stand for.
    @inline(__always)
    func number(_ bits: UInt64) -> Value {
        self == .double ? .double(Double(bitPattern: bits)) : .int(Int(Int64(bitPattern: bits)))
    }
}

/// A fixed list a shape (or an edge list) owns and never changes, read by index without
/// reference counting or bounds checks: the add and read paths look at it on every access.
struct ShapeColumn<Element: BitwiseCopyable>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(_ elements: some Collection<Element>) {
        count = elements.count
        base = .allocate(capacity: max(count, 1))
        _ = UnsafeMutableBufferPointer(start: base, count: count).initialize(from: elements)
    }

    @inline(__always)
    subscript(_ i: Int) -> Element { base[i] }

    var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Frees the storage; the owner calls it once, in its deinit.
    func deallocate() { base.deallocate() }
}

/// One shape of a class's instance dictionaries: attribute names at positions.
final class Shape: @unchecked Sendable {
    /// The shape's number in its class's tree, 0 for the empty root.
    let number: Int
    /// The shape this one was reached from by adding its last name; nil for the root.
    unowned(unsafe) let parent: Shape?
    /// Names in insertion order: the value of `names[p]` is at position `p`.
    let names: ContiguousArray<String>
    /// How the value at each position is kept.
    let reps: ShapeColumn<ValueRep>
    /// The byte offset of each position's value from the start of the values.
    let offsets: ShapeColumn<Int>
    /// Bytes of all the values, a multiple of 8.
    let bytes: Int
    /// Whether some position keeps raw bits: a delete then leaves the shapes (a raw value
    /// has no sequence a reader could check, so its place must never change names).
    let hasRaw: Bool
    /// Set once an instance stored a value this shape's last (raw) position does not take:
    /// later instances adding that name take an untyped value instead.
    let generalized = Atomic<Bool>(false)
    /// The small-form words of each name, or zero words for a name too long for the small
    /// form (a small form never has zero words: its discriminator byte is set).
    private let words: UnsafeMutablePointer<SmallName.Words>
    /// The outgoing transitions, an `Unmanaged<ShapeEdges>` (0: none yet).
    let edgeBits = Atomic<UInt>(0)
    /// Instances whose dictionary has this shape now (not counted for the root). Their
    /// entries are what keeps the shape's names interned (``MemoryStats/internedNames``),
    /// as a hash table's entries keep theirs in the space's name table.
    let live = Atomic<Int>(0)

    init(number: Int, parent: Shape?, names: ContiguousArray<String>, reps: [ValueRep]) {
        self.number = number
        self.parent = parent
        self.names = names
        self.reps = ShapeColumn(reps)
        var offsets: [Int] = [], end = 0
        for r in reps {
            offsets.append(end)
            end += r.bytes
        }
        self.offsets = ShapeColumn(offsets)
        bytes = end
        hasRaw = reps.contains { $0 != .any }
        words = .allocate(capacity: max(names.count, 1))
        for (i, name) in names.enumerated() {
            (words + i).initialize(to: SmallName.words(name) ?? SmallName.Words(low: 0, high: 0))
        }
        // Readers reach a shape through a peeked word (DictWord.peekedShape).
        slotarena_tsan_publish(Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        words.deallocate()
        reps.deallocate()
        offsets.deallocate()
    }

    /// An instance's dictionary moves from shape `old` to `new` (nil: it leaves its shapes).
    @inline(__always)
    static func move(from old: Shape, to new: Shape?) {
        new?.countIn()
        old.countOut()
    }

    var count: Int { names.count }
    /// Whether this is the empty root (number 0). Tested instead of `parent`, whose
    /// `unowned(unsafe)` load would retain and release it.
    @inline(__always) var isRoot: Bool { number == 0 }
    /// Counts an instance whose dictionary reaches this shape in ``live`` (not for the root).
    @inline(__always) func countIn() { if !isRoot { live.wrappingAdd(1, ordering: .relaxed) } }
    /// Counts an instance whose dictionary leaves this shape out of ``live``.
    @inline(__always) func countOut() { if !isRoot { live.wrappingSubtract(1, ordering: .relaxed) } }
    /// The values' size in 8-byte words (the unit of an inline capacity).
    var valueWords: Int { bytes / 8 }

    /// `name` in the form a shape keeps: the small form whenever the text fits, so that a
    /// lookup of a small string compares two words.
    static func normalized(_ name: String) -> String {
        name.utf8.count <= 15 ? String(decoding: Array(name.utf8), as: UTF8.self) : name
    }

    /// The position of `name`, or nil. Names match when their code points do, as in
    /// ``ClassInfo/target(_:)``.
    @inline(__always)
    func position(of name: String) -> Int? {
        if let w = SmallName.words(name) { return position(of: w) }
        return positionByString(name)
    }

    /// ``position(of:)`` for a name in the small form, by its words.
    @inline(__always)
    func position(of w: SmallName.Words) -> Int? {
        var i = 0
        while i < names.count {
            if words[i] == w { return i }
            i &+= 1
        }
        return nil
    }

    @inline(never)
    private func positionByString(_ name: String) -> Int? {
        names.firstIndex { $0.hasSameCodePoints(as: name) }
    }

    /// The shape reached by adding `name` kept as `rep`, if that transition exists; takes no
    /// lock and no reference (shapes live as long as their tree).
    func edge(_ name: String, _ rep: ValueRep) -> Unmanaged<Shape>? {
        let bits = edgeBits.load(ordering: .acquiring)
        guard bits != 0, let raw = UnsafeRawPointer(bitPattern: bits) else { return nil }
        return Unmanaged<ShapeEdges>.fromOpaque(raw)._withUnsafeGuaranteedRef { edges in
            if let w = SmallName.words(name) {
                for i in edges.words.indices where edges.words[i] == w && edges.reps[i] == rep { return edges.targets[i] }
                return nil
            }
            for i in edges.targets.indices where edges.reps[i] == rep
                && edges.targets[i]._withUnsafeGuaranteedRef({ $0.names.last!.hasSameCodePoints(as: name) })
            {
                return edges.targets[i]
            }
            return nil
        }
    }

    /// How a value added under `name` is kept: as `value` asks, unless the transition for
    /// that was generalized (an instance stored a value of another kind there).
    @inline(__always)
    func rep(adding name: String, _ value: Value) -> ValueRep {
        let rep = ValueRep.of(value)
        guard rep != .any, let t = edge(name, rep) else { return rep }
        return t._withUnsafeGuaranteedRef { $0.generalized.load(ordering: .relaxed) } ? .any : rep
    }

    /// The transition that adding `name` with `value` takes, if it exists: the one for the
    /// kind of `value` (one lookup), or the untyped one once that was generalized.
    @inline(__always)
    func edge(adding name: String, _ value: Value) -> Unmanaged<Shape>? {
        let rep = ValueRep.of(value)
        guard let t = edge(name, rep) else { return nil }
        guard rep != .any, t._withUnsafeGuaranteedRef({ $0.generalized.load(ordering: .relaxed) }) else { return t }
        return edge(name, .any)
    }

    /// The shape whose last position is `p` (this shape or an ancestor).
    func introducing(_ p: Int) -> Shape {
        var s = self
        while s.count > p + 1, let up = s.parent { s = up }
        return s
    }

    /// `move(from:to:)` without references.
    @inline(__always)
    static func move(from old: Unmanaged<Shape>, to new: Unmanaged<Shape>) {
        new._withUnsafeGuaranteedRef { $0.countIn() }
        old._withUnsafeGuaranteedRef { $0.countOut() }
    }
}

/// The transitions out of one shape, replaced whole when one is added.
final class ShapeEdges: @unchecked Sendable {
    let words: [SmallName.Words]
    let reps: ShapeColumn<ValueRep>
    let targets: [Unmanaged<Shape>]

    init(words: [SmallName.Words], reps: [ValueRep], targets: [Unmanaged<Shape>]) {
        self.words = words
        self.reps = ShapeColumn(reps)
        self.targets = targets
    }

    deinit { reps.deallocate() }
}

/// The shapes of one class with a `__dict__`: the transition tree from the empty root, the
/// inline capacity its instances get, and the pools of cells with that capacity.
///
/// Limits (past them, instances fall back to dictionary mode, a per-instance hash table):
/// ``maxAttributes`` names per shape (64, LibJS's limit: a longer chain would make every
/// lookup a long scan) and ``maxShapes`` shapes per class (1,024: a class whose instances add
/// names in ever new orders gains nothing from sharing). At most ``maxInline`` words of values
/// live in the cell (16, 128 bytes); a larger dictionary keeps its values in a block.
/// Capacities count 8-byte words: a raw double or int takes one, an untyped value two.
final class ShapeTree: @unchecked Sendable {
    static let maxAttributes = 64
    /// Shape numbers fit the header's shape tag (ShapedDict.swift).
    static let maxShapes = 1 << Int(ShapeTag.bits)
    static let maxInline = 16
    /// Instances allocated before the inline capacity is fixed.
    static let learningInstances = 8

    /// Whether new classes get shapes: `SLOTTED_DICT_SHAPES=0` in the environment turns them
    /// off (every dictionary is then a hash table, as before shapes).
    static let enabled: Bool = {
        guard let raw = getenv("SLOTTED_DICT_SHAPES") else { return true }
        return String(cString: raw) != "0"
    }()

    let root: Shape
    /// The class's own cell size: inline values start there.
    let baseCellSize: Int
    /// The arena's pool of cells for each inline capacity (0: the class's own pool).
    private let pools: UnsafeMutablePointer<UInt>
    unowned(unsafe) let space: ObjectSpace

    /// Shapes and edge lists, kept alive until the tree goes; changed under the space's lock.
    private var shapes: [Shape]
    private var edgeLists: [ShapeEdges] = []
    private let shapeTotal = Atomic<Int>(1)
    private let transitionTotal = Atomic<Int>(0)
    /// The most attributes any instance of the class reached while the capacity was learned.
    private let maxSeen = Atomic<Int>(0)
    private let allocated = Atomic<Int>(0)
    /// The inline capacity once fixed, -1 before.
    private let fixedCapacity = Atomic<Int>(-1)

    init(space: ObjectSpace, basePool: OpaquePointer, baseCellSize: Int) {
        self.space = space
        self.baseCellSize = baseCellSize
        root = Shape(number: 0, parent: nil, names: [], reps: [])
        shapes = [root]
        pools = .allocate(capacity: Self.maxInline + 1)
        pools.initialize(repeating: 0, count: Self.maxInline + 1)
        pools[0] = UInt(bitPattern: basePool)
    }

    deinit { pools.deallocate() }

    /// Shapes in the tree, the root included.
    var shapeCount: Int { shapeTotal.load(ordering: .relaxed) }
    /// Transitions in the tree (one per shape but the root).
    var transitionCount: Int { transitionTotal.load(ordering: .relaxed) }
    /// The inline capacity new instances get now.
    var currentCapacity: Int {
        let fixed = fixedCapacity.load(ordering: .relaxed)
        return fixed >= 0 ? fixed : min(maxSeen.load(ordering: .relaxed), Self.maxInline)
    }

    /// The inline capacity (in words) and pool of a new instance. The first instances
    /// decide: until ``learningInstances`` are allocated, each gets room for as many words of
    /// values as any instance reached so far; then that capacity is fixed for the class.
    ///
    /// `expected` is how many words the dictionary entries the constructor is about to set
    /// (keyword arguments that are not slots) take: an instance gets room for at least those.
    func poolForNewInstance(expected: Int = 0) -> (OpaquePointer, Int) {
        var k = fixedCapacity.load(ordering: .relaxed)
        if k < 0 {
            if expected > maxSeen.load(ordering: .relaxed) { maxSeen.store(expected, ordering: .relaxed) }
            k = min(maxSeen.load(ordering: .relaxed), Self.maxInline)
            if allocated.wrappingAdd(1, ordering: .relaxed).newValue >= Self.learningInstances {
                fixedCapacity.store(k, ordering: .relaxed)
            }
        }
        if expected > k { k = min(expected, Self.maxInline) }
        if let p = pool(forCapacity: k) { return (p, k) }
        return (pool(forCapacity: 0)!, 0)
    }

    /// The pool of cells with inline capacity `k`, created on first use; nil when the arena
    /// refuses one.
    func pool(forCapacity k: Int) -> OpaquePointer? {
        // Published once under the space's lock, read without it: an acquire load that
        // pairs with the release store below.
        let word = pools + k
        if let p = OpaquePointer(bitPattern: UInt(slotarena_load_acquire64(word))) { return p }
        return space.state.withLock { _ in
            if let p = OpaquePointer(bitPattern: UInt(slotarena_load_acquire64(word))) { return p }
            guard let p = slotarena_pool_for_size(space.arena, baseCellSize + 8 * k) else { return nil }
            slotarena_store_release64(word, UInt64(UInt(bitPattern: p)))
            return p
        }
    }

    /// The shape reached from `shape` by adding `name` kept as `rep`: the existing
    /// transition (no lock), or a new shape created under the space's lock; nil past the
    /// limits (the instance then goes to dictionary mode).
    func next(_ shape: Shape, _ name: String, _ rep: ValueRep) -> Shape? {
        if let t = shape.edge(name, rep) { return t.takeUnretainedValue() }
        guard shape.count < Self.maxAttributes else { return nil }
        return space.state.withLock { _ -> Shape? in
            if let t = shape.edge(name, rep) { return t.takeUnretainedValue() }
            guard shapes.count < Self.maxShapes else { return nil }
            let kept = Shape.normalized(name)
            let s = Shape(number: shapes.count, parent: shape, names: shape.names + [kept], reps: shape.reps.array + [rep])
            shapes.append(s)
            var words: [SmallName.Words] = []
            var reps: [ValueRep] = []
            var targets: [Unmanaged<Shape>] = []
            if let raw = UnsafeRawPointer(bitPattern: shape.edgeBits.load(ordering: .acquiring)) {
                let old = Unmanaged<ShapeEdges>.fromOpaque(raw).takeUnretainedValue()
                words = old.words
                reps = old.reps.array
                targets = old.targets
            }
            words.append(SmallName.words(kept) ?? SmallName.Words(low: 0, high: 0))
            reps.append(rep)
            targets.append(Unmanaged.passUnretained(s))
            let edges = ShapeEdges(words: words, reps: reps, targets: targets)
            edgeLists.append(edges)
            shape.edgeBits.store(UInt(bitPattern: Unmanaged.passUnretained(edges).toOpaque()), ordering: .releasing)
            shapeTotal.wrappingAdd(1, ordering: .relaxed)
            transitionTotal.wrappingAdd(1, ordering: .relaxed)
            return s
        }
    }

    /// Adds the names of every shape some instance has now to `names`. Called under the
    /// space's lock, which guards the list of shapes.
    func collectLiveNames(into names: inout Set<AttributeName>) {
        for s in shapes where s.live.load(ordering: .relaxed) > 0 {
            for name in s.names { names.insert(AttributeName(name)) }
        }
    }

    /// Notes that an instance's values reached `count` words (slack tracking).
    @inline(__always)
    func noteCount(_ count: Int) {
        guard fixedCapacity.load(ordering: .relaxed) < 0 else { return }
        if count > maxSeen.load(ordering: .relaxed) { maxSeen.store(count, ordering: .relaxed) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
internal import CSlotArena
