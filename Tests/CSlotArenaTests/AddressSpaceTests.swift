// Tests of the address space the arena keeps: freed blocks give theirs back for reuse.
//
// Each test runs in a process of its own (an exit test), so that VmSize and RSS move only
// with what the test does.
import CSlotArena
import Foundation
import Testing

/// VmSize and RSS of this process, in bytes.
private func processMemory() -> (virtual: Int, resident: Int) {
    var virtual: UInt64 = 0, resident: UInt64 = 0
    slotarena_process_memory(&virtual, &resident)
    return (Int(virtual), Int(resident))
}

@Suite("C arena: address space")
struct AddressSpaceTests {
    @Test("allocating and freeing an 8 MiB block 300 times grows VmSize by less than 64 MiB")
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
}
