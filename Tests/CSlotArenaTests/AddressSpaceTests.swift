// Tests of the address space the arena keeps: freed blocks give theirs back for reuse,
// destroyed arenas leave next to nothing behind, and a slab that a later arena takes over
// never hands out a generation that a handle of the destroyed arena could hold.
//
// Each test runs in a process of its own (an exit test), so that VmSize and RSS move only
// with what the test does.
import CSlotArena
import Foundation
import Testing

/// AddressSanitizer's quarantine holds freed memory back from reuse on purpose.
private let underAddressSanitizer = dlsym(nil, "__asan_init") != nil

private let liveBits: UInt64 = 1 << UInt64(SLOTARENA_CLASS_SHIFT)

/// VmSize and RSS of this process, in bytes.
private func processMemory() -> (virtual: Int, resident: Int) {
    var virtual: UInt64 = 0, resident: UInt64 = 0
    slotarena_process_memory(&virtual, &resident)
    return (Int(virtual), Int(resident))
}

@Suite("C arena: address space")
struct AddressSpaceTests {
    @Test("allocating and freeing an 8 MiB block 300 times grows VmSize by less than 64 MiB",
          .disabled(if: underAddressSanitizer, "the sanitizer's quarantine keeps freed memory"))
    func bigBlocksReuseAddressSpace() async {
        await #expect(processExitsWith: .success) {
            guard let arena = slotarena_create() else { exit(2) }
            let size = 8 << 20
            func cycle() {
                guard let block = slotarena_block_alloc(arena, size, 0) else { exit(3) }
                block.storeBytes(of: 1, as: Int.self)
                slotarena_block_free(arena, block, size)
            }
            for _ in 0..<10 { cycle() }
            let start = processMemory().virtual
            for _ in 0..<300 { cycle() }
            exit(processMemory().virtual - start < 64 << 20 ? 0 : 1)
        }
    }

    @Test("creating and destroying 2,000 small arenas costs at most 256 KiB of VmSize and 8 KiB of RSS each")
    func destroyedArenasLeaveLittle() async {
        await #expect(processExitsWith: .success) {
            func cycle() {
                guard let arena = slotarena_create(), let pool = slotarena_pool_for_size(arena, 40) else { exit(2) }
                for _ in 0..<10 { _ = slotarena_cell_alloc(pool, liveBits) }
                _ = slotarena_block_alloc(arena, 200, 0)
                slotarena_destroy(arena)
            }
            for _ in 0..<200 { cycle() }
            let start = processMemory()
            for _ in 0..<2_000 { cycle() }
            let end = processMemory()
            let virtualEach = (end.virtual - start.virtual) / 2_000
            let residentEach = (end.resident - start.resident) / 2_000
            exit(virtualEach <= 256 << 10 && residentEach <= 8 << 10 ? 0 : 1)
        }
    }

    @Test("a slab that a later arena takes over carves its cells above every generation the destroyed arena handed out")
    func reusedSlabKeepsGenerationsGrowing() async {
        await #expect(processExitsWith: .success) {
            // A cell size no other code in this process uses: 16 cells fill the first slab.
            let size = 4_000
            guard let first = slotarena_create(), let pool = slotarena_pool_for_size(first, size) else { exit(2) }
            var cells = (0..<16).map { _ in slotarena_cell_alloc(pool, liveBits)! }
            // One cell goes through 100 generations; the rest stay at their first.
            for _ in 0..<100 {
                _ = slotarena_cell_free(pool, cells[0], generation(of: cells[0]))
                cells[0] = slotarena_cell_alloc(pool, liveBits)!
            }
            let old = cells.map { (address: $0, generation: generation(of: $0)) }
            let highest = old.map(\.generation).max()!
            slotarena_destroy(first)
            // Until another arena takes the slab, its cells read as zeros.
            guard old.allSatisfy({ $0.address.load(as: UInt64.self) == 0 }) else { exit(3) }
            guard let second = slotarena_create(), let again = slotarena_pool_for_size(second, size) else { exit(2) }
            let fresh = (0..<16).map { _ in slotarena_cell_alloc(again, liveBits)! }
            // The slab came back to the same cell size, at the same cell boundaries...
            guard Set(fresh) == Set(old.map(\.address)) else { exit(4) }
            // ...with every generation above the highest an old handle can hold.
            guard fresh.allSatisfy({ generation(of: $0) > highest }) else { exit(5) }
            for cell in old {
                guard slotarena_cell_free(again, cell.address, cell.generation) == Int32(SLOTARENA_ERR_STALE) else { exit(6) }
            }
            slotarena_destroy(second)
            exit(0)
        }
    }
}
