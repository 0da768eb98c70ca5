// A byte-driven program over Slotted's by-name API and class definition, shared by the
// libFuzzer entry point and the corpus replay driver.
//
// Each input is a sequence of operations read from its bytes: define classes (names,
// bases, slot lists with junk, duplicates, reserved names, huge counts, typed or not,
// class attributes), construct, get/set/delete, free, vars, typed accessors, weak
// references, reset. Every rejection must be one of Slotted's typed errors; anything else,
// a crash or a sanitizer report, is a finding. At the end every live instance is freed and
// the arena must be back to zero bytes, with its invariants intact.
import Slotted

struct ByteReader {
    let bytes: [UInt8]
    var at = 0

    mutating func byte() -> UInt8? {
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func int(_ bound: Int) -> Int { Int(byte() ?? 0) % max(1, bound) }

    mutating func word() -> Int {
        var v = 0
        for _ in 0..<4 { v = v << 8 | Int(byte() ?? 0) }
        return v - (1 << 31)
    }
}

let namePool = ["x", "y", "z", "ts", "kind", "value", "__dict__", "__weakref__", "__x", "__y__",
                "1x", "", "a-b", "class", "été", "ﬁ", "__qualname__", "w", "next", "a b"]

/// Runs one input. Returns normally when every operation either succeeded or threw one of
/// Slotted's typed errors; traps otherwise.
func runProgram(_ input: [UInt8]) {
    var r = ByteReader(bytes: input)
    let space = ObjectSpace()
    var classes: [SlotClass] = []
    var instances: [Instance] = []
    let types: [SlotType] = [.any, .int, .double, .bool, .string, .instance, .int32, .float, .uint8]

    func name() -> String {
        let k = r.int(namePool.count + 4)
        if k < namePool.count { return namePool[k] }
        // Junk: a run of bytes, sometimes long enough to break the name limit.
        let length = k == namePool.count ? 256 + r.int(64) : r.int(12)
        var s = ""
        for _ in 0..<length { s.unicodeScalars.append(Unicode.Scalar(UInt8(0x21 + r.int(0x5D)))) }
        return s
    }

    func value() -> Value {
        switch r.int(8) {
        case 0: return .none
        case 1: return .int(r.word())
        case 2: return .double(Double(r.word()) / 7)
        case 3: return .bool(r.int(2) == 1)
        case 4: return .string(name())
        case 5: return .string(String(repeating: "long", count: 1 + r.int(40)))
        case 6: return instances.isEmpty ? .none : .instance(instances[r.int(instances.count)])
        default: return .int(r.int(300))
        }
    }

    func pickClass() -> SlotClass? { classes.isEmpty ? nil : classes[r.int(classes.count)] }
    func pickInstance() -> Instance? { instances.isEmpty ? nil : instances[r.int(instances.count)] }

    while let op = r.byte() {
        do {
            switch op % 14 {
            case 0, 1:  // define a class
                var bases: [SlotClass] = []
                for _ in 0..<r.int(3) { if let b = pickClass() { bases.append(b) } }
                var attributes: [String: Value] = [:]
                for _ in 0..<r.int(3) { attributes[name()] = value() }
                let count = r.int(10) == 0 ? 1000 + r.int(60) : r.int(6)
                switch r.int(3) {
                case 0:
                    classes.append(try space.defineClass(name(), bases: bases, attributes: attributes))
                case 1:
                    let slots = (0..<count).map { _ in count > 100 ? "s\(r.int(256))\(r.at)" : name() }
                    classes.append(try space.defineClass(name(), bases: bases, slots: slots, attributes: attributes))
                default:
                    var pairs: [(String, SlotType)] = []
                    for _ in 0..<count { pairs.append((name(), types[r.int(types.count)])) }
                    classes.append(try space.defineClass(name(), bases: bases, typedSlots: pairs, attributes: attributes))
                }
            case 2:  // construct by keyword
                guard let c = pickClass() else { continue }
                var args: [(String, Value)] = []
                for _ in 0..<r.int(4) { args.append((name(), value())) }
                instances.append(try c.construct(args.map { (label: $0.0, value: $0.1) }))
            case 3:  // construct by position
                guard let c = pickClass() else { continue }
                instances.append(try c.construct((0..<r.int(4)).map { _ in (label: "", value: value()) }))
            case 4:
                _ = try pickInstance()?.get(name())
            case 5:
                try pickInstance()?.set(name(), value())
            case 6:
                try pickInstance()?.delete(name())
            case 7:  // free, only live handles: freeing a stale one traps by design
                if let i = pickInstance(), space.isAlive(i) { space.free(i) }
            case 8:
                _ = try pickInstance()?.vars()
            case 9:  // typed accessors; typed reads and writes only where they are defined
                guard let c = pickClass(), let i = pickInstance() else { continue }
                let n = name()
                switch r.int(4) {
                case 0:
                    let a = try c.slot(n, as: Int.self)
                    if i.isSet(a) { _ = i[a] }
                    if space.isAlive(i), i.isInstance(of: c) { i[a] = r.word() }
                case 1:
                    let a = try c.slot(n, as: String.self)
                    if space.isAlive(i), i.isInstance(of: c) { i[a] = name() }
                case 2:
                    let a = try c.slot(n, as: Value.self)
                    if i.isSet(a) { _ = i[a] }
                default:
                    _ = try c.slot(n, as: Double.self)
                }
            case 10:
                if let i = pickInstance() {
                    let w = space.weakRef(i)
                    precondition((w.instance != nil) == space.isAlive(i), "weak reference disagrees with liveness")
                }
            case 11:
                if r.int(16) == 0 { space.reset() }
            case 12:
                if let i = pickInstance(), space.isAlive(i) {
                    _ = space.sizeof(i)
                    _ = i.description
                    _ = i.type.layoutDescription
                }
            default:
                if let i = pickInstance(), space.isAlive(i) { _ = try i.slotValues() }
            }
        } catch is AttributeError {
        } catch is TypeError {
        } catch is ValueError {
        } catch is OverflowError {
        } catch is ReferenceError {
        } catch is MemoryError {
        } catch {
            fatalError("untyped error escaped Slotted: \(error)")
        }
    }
    space._checkInvariants()
    for i in instances where space.isAlive(i) { space.free(i) }
    precondition(space.memory.allocatedBytes == 0, "freeing every instance left \(space.memory.allocatedBytes) bytes")
}
