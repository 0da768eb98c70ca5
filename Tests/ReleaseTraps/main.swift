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

/// A space with a class `C` of one `.int` slot `x`, and the slot's accessor.
func classC() throws -> (space: ObjectSpace, c: SlotClass, x: SlotAccessor<Int>) {
    let space = ObjectSpace()
    let c = try space.defineClass("C", slots: ["x": .int])
    return (space, c, try c.slot("x", as: Int.self))
}

/// The accessor of slot `x` of a class whose space is destroyed when this returns.
func accessorOfDestroyedSpace() throws -> SlotAccessor<Int> {
    try classC().x
}

/// Each misuse, by the name the script passes.
let misuses: [String: () throws -> Void] = [
    "control": {
        let (_, c, x) = try classC()
        print(try c(x: 1)[x])
    },
    "stale-typed-read": {
        let (space, c, x) = try classC()
        let i = try c(x: 1)
        space.free(i)
        _ = try c(x: 2)  // takes the cell
        print(i[x])
    },
    "double-free": {
        let (space, c, _) = try classC()
        let i = try c(x: 1)
        space.free(i)
        space.free(i)
    },
    "foreign-accessor": {
        let (space, _, x) = try classC()
        let b = try space.defineClass("B", slots: ["x": .int])
        print(try b(x: 1)[x])
    },
    "destroyed-space": {
        let i = try classC().c(x: 1)  // the class, and with it the space, is gone after this line
        print(try i.get("x"))
    },
    "destroyed-accessor": {
        let x = try accessorOfDestroyedSpace()
        let (_, c, _) = try classC()
        print(try c(x: 1)[x])
    },
    "initializer-after-free": {
        let (space, c, x) = try classC()
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
