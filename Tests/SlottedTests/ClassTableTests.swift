import Slotted
import Testing

// The class table is process-wide, so every test that shrinks it runs in an exit test: a
// child process of its own, where no other test defines classes.

@Suite("Class ids: reused once their space is gone, never mistaken for the new class")
struct ClassTableTests {
    @Test("a class table with room for two classes takes 400 definitions when each space is dropped")
    func idsAreReused() async {
        await #expect(processExitsWith: .success) {
            ObjectSpace._limitClassTable(to: 2)
            for i in 0..<200 {
                let space = ObjectSpace()
                _ = try space.defineClass("A\(i)", slots: ["x"])
                _ = try space.defineClass("B\(i)", slots: ["y": .int])
            }
        }
    }

    @Test("a reused table index comes back with the next generation")
    func reusedIndexAdvancesGeneration() async {
        await #expect(processExitsWith: .success) {
            ObjectSpace._limitClassTable(to: 1)
            var ids: [(index: Int, generation: Int)] = []
            for i in 0..<3 {
                let c = try ObjectSpace().defineClass("C\(i)")
                ids.append((c._classIndex, c._classGeneration))
            }
            precondition(ids.allSatisfy { $0.index == ids[0].index }, "the index was not reused: \(ids)")
            precondition(ids.map(\.generation) == [0, 1, 2], "generations did not advance: \(ids)")
        }
    }

    @Test("a table index is retired after 255 classes: with room for one, the 256th definition throws")
    func exhaustedIndexIsRetired() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            ObjectSpace._limitClassTable(to: 1)
            for i in 0..<255 { _ = try ObjectSpace().defineClass("C\(i)") }
            do {
                _ = try ObjectSpace().defineClass("C255")
            } catch {
                fatalError("definition refused: \(error)")
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("definition refused: too many classes"))
    }

    @Test("an accessor from a destroyed space traps on an instance of the class that took over its index")
    func staleAccessorReadTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (old, b, instance) = try accessorOutlivingItsClass()
            withExtendedLifetime(b) { print(instance[old]) }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("typed accessor") && stderr.contains("used after its ObjectSpace was destroyed"))
    }

    @Test("an accessor from a destroyed space traps on a write to an instance of the class that took over its index")
    func staleAccessorWriteTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (old, b, instance) = try accessorOutlivingItsClass()
            withExtendedLifetime(b) { instance[old] = 7 }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("typed accessor") && stderr.contains("used after its ObjectSpace was destroyed"))
    }
}

/// With room for one class in the table: an accessor of a class whose space is gone, and the
/// class that took over its table index, with another layout (offset 8 holds a string word
/// there), with an instance of it. The class keeps its space, and so the instance, alive.
private func accessorOutlivingItsClass() throws -> (SlotAccessor<Int>, SlotClass, Instance) {
    ObjectSpace._limitClassTable(to: 1)
    let old = try ObjectSpace().defineClass("A", slots: ["x": .int]).slot("x", as: Int.self)
    let b = try ObjectSpace().defineClass("B", slots: ["s": .string, "x": .int])
    precondition(b._classGeneration == 1, "B did not take over A's table index")
    return (old, b, try b(s: "a string too long to be inline", x: 1))
}
