// slotted-trap-check: performs the one misuse its argument names, so that `.ci/release-traps`
// can check that an optimized build stops with Slotted's message on stderr (an optimized
// `precondition` would stop with no message at all). `control` performs no misuse and
// exits 0.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Slotted

/// Each misuse, by the name the script passes.
let misuses: [String: () throws -> Void] = [
    "control": {
        let space = ObjectSpace()
        let c = try space.defineClass("C", slots: ["x": .int])
        let x = try c.slot("x", as: Int.self)
        let i = try c(x: 1)
        print(i[x])
    },
    "stale-typed-read": {
        let space = ObjectSpace()
        let c = try space.defineClass("C", slots: ["x": .int])
        let x = try c.slot("x", as: Int.self)
        let i = try c(x: 1)
        space.free(i)
        _ = try c(x: 2)  // takes the cell
        print(i[x])
    },
    "double-free": {
        let space = ObjectSpace()
        let c = try space.defineClass("C", slots: ["x": .int])
        let i = try c(x: 1)
        space.free(i)
        space.free(i)
    },
    "foreign-accessor": {
        let space = ObjectSpace()
        let a = try space.defineClass("A", slots: ["x": .int])
        let b = try space.defineClass("B", slots: ["x": .int])
        let ax = try a.slot("x", as: Int.self)
        print(try b(x: 1)[ax])
    },
    "destroyed-space": {
        var handle: Instance? = nil
        do {
            let space = ObjectSpace()
            handle = try space.defineClass("C", slots: ["x": .int])(x: 1)
        }
        print(try handle!.get("x"))
    },
    "destroyed-accessor": {
        var accessor: SlotAccessor<Int>? = nil
        do {
            let space = ObjectSpace()
            accessor = try space.defineClass("Gone", slots: ["x": .int]).slot("x", as: Int.self)
        }
        let space = ObjectSpace()
        print(try space.defineClass("Here", slots: ["x": .int])(x: 1)[accessor!])
    },
    "initializer-after-free": {
        let space = ObjectSpace()
        let c = try space.defineClass("C", slots: ["x": .int])
        let x = try c.slot("x", as: Int.self)
        _ = try c.new { e in
            space.free(e.handle)
            _ = try c.new()  // takes the cell
            e[x] = 1
        }
    },
]

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1, let misuse = misuses[arguments.first!] else {
    print("usage: slotted-trap-check \(misuses.keys.sorted().joined(separator: "|"))")
    exit(2)
}
try misuse()
