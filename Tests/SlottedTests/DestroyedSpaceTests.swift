// What a destroyed space leaves behind: its handles stay stale once a later space reuses its
// memory, and its arena counts no more against jemalloc's limit, past which creating a
// space is an error that says so. (What churn and destroyed spaces cost the process's
// address space is measured by the stress scenarios, Tests/StressTests.)
//
// Each test runs in a process of its own (an exit test).
import Foundation
import Slotted
import Testing

@Suite("Destroyed spaces and the arena limit")
struct DestroyedSpaceTests {
    @Test("past jemalloc's limit of live arenas, ObjectSpace() traps with a message that names the limit",
          .enabled(if: ObjectSpace.backend == "jemalloc"))
    func arenaLimitTrapNamesTheLimit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var spaces: [ObjectSpace] = []
            for _ in 0..<5_000 { spaces.append(ObjectSpace()) }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("too many live object spaces"), "\(stderr)")
    }

    @Test("past jemalloc's limit of live arenas, ObjectSpace.make() throws MemoryError, and a destroyed space makes room",
          .enabled(if: ObjectSpace.backend == "jemalloc"))
    func arenaLimitThrows() async {
        await #expect(processExitsWith: .success) {
            var spaces: [ObjectSpace] = []
            var refusal: MemoryError?
            while refusal == nil && spaces.count < 5_000 {
                do { spaces.append(try ObjectSpace.make()) } catch let error as MemoryError { refusal = error } catch { exit(5) }
            }
            guard let refusal, refusal.message.contains("too many live object spaces"), spaces.count > 4_000 else { exit(1) }
            spaces.removeLast()
            guard let again = try? ObjectSpace.make() else { exit(2) }
            _ = try again.defineClass("C", slots: ["x"])(x: 1)
            exit(0)
        }
    }

    @Test("a handle that outlives its space is stale, never another instance, once a later space reuses its memory")
    func handleOfDestroyedSpaceStaysStale() async {
        await #expect(processExitsWith: .success) {
            var old: [Instance] = []
            do {
                let space = ObjectSpace()
                let cls = try space.defineClass("Old", slots: ["x": .int, "y": .int, "z": .int])
                for i in 0..<100 { old.append(try cls(x: .int(i), y: 0, z: 0)) }
            }
            let space = ObjectSpace()
            let cls = try space.defineClass("New", slots: ["x": .int, "y": .int, "z": .int])
            let fresh = try (0..<100).map { try cls(x: .int(1_000 + $0), y: 0, z: 0) }
            // The new instances took over the destroyed space's cells...
            guard Set(fresh.map(\._cellAddress)) == Set(old.map(\._cellAddress)) else { exit(1) }
            // ...and every old handle is stale: none reads a new instance.
            for handle in old {
                guard !space.isAlive(handle) else { exit(2) }
                do {
                    _ = try handle.get("x")
                    exit(3)
                } catch is ReferenceError {
                } catch {
                    exit(4)
                }
            }
            exit(0)
        }
    }
}
