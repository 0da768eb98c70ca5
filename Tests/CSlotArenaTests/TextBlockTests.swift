import CSlotArena
import Testing

@Suite("C arena: text blocks")
struct TextBlockTests {
    @Test("a text block is counted at its size rounded up to 8, with no prefix, and leaves the counters when freed",
          arguments: [1, 8, 20, 28, 29, 100, 4_096])
    func countedRounded(size: Int) throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let text = try #require(slotarena_text_alloc(arena, size))
        text.initializeMemory(as: UInt8.self, repeating: 7, count: size)
        #expect(stats(arena).block_bytes == UInt64((size + 7) / 8 * 8))
        #expect(stats(arena).live_blocks == 1)
        slotarena_text_free(arena, text, size)
        #expect(stats(arena).live_blocks == 0)
        #expect(stats(arena).allocated_bytes == 0)
    }

    @Test("many freed text blocks are all released once no reader is open")
    func manyReleased() throws {
        let arena = try #require(slotarena_create())
        defer { slotarena_destroy(arena) }
        let texts = try (0..<1_000).map { _ in try #require(slotarena_text_alloc(arena, 24)) }
        let ticket = slotarena_read_begin(arena)
        for t in texts { slotarena_text_free(arena, t, 24) }
        // A reader section is open: what was freed during it waits.
        #expect(stats(arena).deferred_blocks > 0)
        slotarena_read_end(arena, ticket)
        slotarena_reclaim(arena)
        let after = stats(arena)
        #expect(after.deferred_blocks == 0)
        #expect(after.deferred_bytes == 0)
        #expect(after.allocated_bytes == 0)
    }
}
