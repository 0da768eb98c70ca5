//===----------------------------------------------------------------------===//
//
// Report.swift: everything one run measured, as `--json` prints it.
//
//===----------------------------------------------------------------------===//

import CSlotArena
import Foundation

/// The whole report. The top-level figures are the headline numbers; the
/// nested sections hold the rest. Keys are snake_case in JSON.
struct BenchReport: Encodable {
    /// Events per class in the memory-at-scale experiment.
    var n: Int
    /// Peak arena bytes of N shaped `EventDict` instances.
    var dictBytes: Int
    /// Peak arena bytes of N `EventDict` instances in dictionary mode (a hash table each, as
    /// CPython's): the article's dict.
    var dictTableBytes: Int
    /// Peak arena bytes of N typed `EventSlots` instances.
    var slotsBytes: Int
    /// `(1 - slots_bytes / dict_bytes) * 100`: against shaped dicts.
    var savingPercent: Double
    /// `(1 - slots_bytes / dict_table_bytes) * 100`: the article's figure, against dicts
    /// with a hash table each.
    var tableSavingPercent: Double
    /// Shaped `EventDict` instances, per instance.
    var dictBytesPerInstance: Double
    /// `EventDict` instances in dictionary mode (a hash table each), per instance; the
    /// savings are computed against these.
    var dictTableBytesPerInstance: Double
    var slotsBytesPerInstance: Double
    var untypedSlotsBytes: Int
    var untypedSlotsBytesPerInstance: Double
    var untypedSavingPercent: Double
    var nativeClassBytes: Int
    var nativeClassBytesPerInstance: Double
    var structArrayBytesPerInstance: Double

    /// `e[value]`, sequential, and the native `let` read beside it.
    var typedReadNs: Double
    var nativeReadNs: Double
    var typedReadRandomNs: Double
    var nativeReadRandomNs: Double
    /// The same sequential loop without the header check; `staleCheckRatio` is
    /// typed / unchecked: what detecting stale handles (with class and presence) costs.
    var typedReadUncheckedNs: Double
    var staleCheckRatio: Double
    var typedWriteNs: Double
    var nativeWriteNs: Double
    /// `PointSlots.get("x")`.
    var byNameGetNs: Double
    var byNameSetNs: Double
    /// `PointDict.get("x")`.
    var dictGetNs: Double
    var dictSetNs: Double
    /// Keyword construction of `EventDict`.
    var dictConstructNs: Double
    /// Shapes of the memory-at-scale `EventDict` space.
    var shapeCount: Int
    /// Construction of a typed `EventSlots` with its three values through the typed
    /// initializer, `EventSlots.new { e in e[ts] = i; ... }`.
    var constructNs: Double
    /// The same through the dynamic call, `EventSlots(.int(i), "click", .double(v))`.
    var constructDynamicCallNs: Double
    /// The same from a buffer of `Value`s, `EventSlots.construct(positional: values)`.
    var constructPositionalNs: Double
    /// Per instance of `EventSlots.new(count: n) { i, e in ... }`, all cells in one call.
    var constructBulkNs: Double
    /// Per element of filling a `ContiguousArray` of the same three fields as structs
    /// (reserved, then appended): the bulk form's baseline.
    var structFillNs: Double
    /// `MacroEvent(in:ts:kind:value:)`, the `@SlotClass` construction, into preallocated
    /// storage (its native baseline is `macro.construct_vs_native`).
    var macroConstructNs: Double
    /// Construction of a `NativeEvent`.
    var nativeConstructNs: Double
    var freeNs: Double
    /// `AttributeSite.get` of `value` on one class (`EventSlots`), sequential.
    var siteGetNs: Double
    /// The same site over four classes in turn (hot set).
    var sitePolyGetNs: Double
    /// `AttributeSite.set` of `value` on `EventSlots`, sequential.
    var siteSetNs: Double
    /// `e[ifSet: value]`, sequential.
    var optionalReadNs: Double
    /// `getIfPresent("x")` of an unset slot of `PointSlots`.
    var getMissingNs: Double
    /// A typed read of slot 17 of a class of 20 int slots, sequential.
    var slot17ReadNs: Double
    /// A typed read of slot 15 of the same class: its presence bit is in the header, its
    /// value as far from the header's cache line as slot 17's.
    var slot15ReadNs: Double

    /// Threads of section 6's N-thread runs; construct+free throughput at N threads over
    /// one thread's, per working set, and the native class's at the largest.
    var threads: Int
    var threadScaling_32: Double
    var threadScaling_1000: Double
    var threadScaling_100000: Double
    var nativeThreadScaling_100000: Double
    /// ns per free on a consumer thread (a producer builds), and on the building thread.
    var crossThreadFreeNs: Double
    var sameThreadFreeNs: Double

    /// Section 7: arena bytes of a 20-byte string in a slot (the cell excluded), and the
    /// records table per row: slotted, slotted with interning, the struct array.
    var string20Bytes: Int
    var recordsBytesPerRow: Double
    var recordsInternedBytesPerRow: Double
    var recordsStructBytesPerRow: Double
    var recordsConstructNs: Double
    var recordsInternedConstructNs: Double
    var recordsStructConstructNs: Double

    /// CPython's figures, or `null` when it was skipped.
    var cpython: CPythonField
    /// Why CPython was skipped (absent when it ran).
    var cpythonSkipped: String?

    var environment: RunEnvironment
    /// The C arena alone: exact-size cells against plain `mallocx`.
    var arena: ArenaFigures
    var perInstance: PerInstanceFigures
    var memoryAtScale: MemoryAtScale
    var scaling: [ScalingPoint]
    var access: AccessFigures
    /// The `@SlotClass` row.
    var macro: MacroFigures
    var threadFigures: ThreadFigures
    var records: RecordsFigures
    var targets: [TargetResult]
    /// What the timed loops folded together (keeps them honest; no meaning).
    var checksum: String
}

/// CPython's figures, encoded as an object or as `null` (never left out).
struct CPythonField: Encodable {
    var figures: CPythonFigures?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let figures {
            try container.encode(figures)
        } else {
            try container.encodeNil()
        }
    }
}

/// Where and how the run happened.
struct RunEnvironment: Encodable {
    var build: String
    var allocatorBackend: String
    var runs: Int
    var maxN: Int
    var processors: Int
    /// The processor, as /proc/cpuinfo names it (model name, family and model): rows of
    /// the report move from one processor to another, and the ratios too.
    var cpu: String
    /// Wall time of the whole run, filled in at the end.
    var totalSeconds: Double
    /// The Python interpreter as given (`--python`, or `python3` looked up on the PATH);
    /// nil with `--no-python`.
    var pythonCommand: String? = nil

    static func current(runs: Int, maxN: Int) -> RunEnvironment {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return RunEnvironment(
            build: build,
            allocatorBackend: String(cString: slotarena_backend()),
            runs: runs,
            maxN: maxN,
            processors: ProcessInfo.processInfo.activeProcessorCount,
            cpu: cpuDescription(),
            totalSeconds: 0)
    }

    /// "AMD EPYC (family 25, model 17)" from /proc/cpuinfo's first processor; "unknown"
    /// where there is no such file.
    static func cpuDescription() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        guard let model = fields["model name"] else { return "unknown" }
        guard let family = fields["cpu family"], let number = fields["model"] else { return model }
        return "\(model) (family \(family), model \(number))"
    }
}

extension BenchReport {
    /// Assembles the report from the sections' figures.
    init(
        environment: RunEnvironment, arena: ArenaFigures, perInstance: PerInstanceFigures, memory: MemoryAtScale,
        scaling: [ScalingPoint], access: AccessFigures, macro: MacroFigures, threads: ThreadFigures,
        records: RecordsFigures, cpython: CPythonOutcome, targets: [TargetResult]
    ) {
        self.init(
            n: memory.n,
            dictBytes: memory.dict.bytes,
            dictTableBytes: memory.dictTable.bytes,
            slotsBytes: memory.typedSlots.bytes,
            savingPercent: MemoryAtScale.saving(slots: memory.typedSlots.bytes, dict: memory.dict.bytes),
            tableSavingPercent: memory.typedTableSavingPercent,
            dictBytesPerInstance: memory.dict.bytesPerInstance,
            dictTableBytesPerInstance: memory.dictTable.bytesPerInstance,
            slotsBytesPerInstance: memory.typedSlots.bytesPerInstance,
            untypedSlotsBytes: memory.untypedSlots.bytes,
            untypedSlotsBytesPerInstance: memory.untypedSlots.bytesPerInstance,
            untypedSavingPercent: memory.untypedSavingPercent,
            nativeClassBytes: memory.nativeClass.bytes,
            nativeClassBytesPerInstance: memory.nativeClass.bytesPerInstance,
            structArrayBytesPerInstance: memory.structArray.bytesPerInstance,
            typedReadNs: access.typedReadSequential.ns,
            nativeReadNs: access.typedReadSequential.baselineNs,
            typedReadRandomNs: access.typedReadRandom.ns,
            nativeReadRandomNs: access.typedReadRandom.baselineNs,
            typedReadUncheckedNs: access.checkCostSequential.baselineNs,
            staleCheckRatio: access.checkCostSequential.ratio,
            typedWriteNs: access.typedWriteSequential.ns,
            nativeWriteNs: access.typedWriteSequential.baselineNs,
            byNameGetNs: access.byNameGet.ns,
            byNameSetNs: access.byNameSet.ns,
            dictGetNs: access.dictGet.ns,
            dictSetNs: access.dictSet.ns,
            dictConstructNs: access.constructDict.ns,
            shapeCount: memory.dict.shapeCount ?? 0,
            constructNs: access.constructTypedInitializer.ns,
            constructDynamicCallNs: access.constructTyped.ns,
            constructPositionalNs: access.constructPositional.ns,
            constructBulkNs: access.constructBulk.ns,
            structFillNs: access.constructBulkVsFill.baselineNs,
            macroConstructNs: macro.constructVsNative.ns,
            nativeConstructNs: access.constructTypedInitializer.baselineNs,
            freeNs: access.free.ns,
            siteGetNs: access.hostSites.siteGetNs,
            sitePolyGetNs: access.hostSites.sitePolyGetNs,
            siteSetNs: access.hostSites.siteSetNs,
            optionalReadNs: access.hostSites.optionalReadNs,
            getMissingNs: access.hostSites.getMissingNs,
            slot17ReadNs: access.hostSites.slot17ReadNs,
            slot15ReadNs: access.hostSites.slot15ReadNs,
            threads: threads.threads,
            threadScaling_32: threads.row(32)?.slottedScaling ?? 0,
            threadScaling_1000: threads.row(1_000)?.slottedScaling ?? 0,
            threadScaling_100000: threads.row(100_000)?.slottedScaling ?? 0,
            nativeThreadScaling_100000: threads.row(100_000)?.nativeScaling ?? 0,
            crossThreadFreeNs: threads.crossThreadFreeNs,
            sameThreadFreeNs: threads.sameThreadFreeNs,
            string20Bytes: records.string20Bytes,
            recordsBytesPerRow: records.bytesPerRow,
            recordsInternedBytesPerRow: records.internedBytesPerRow,
            recordsStructBytesPerRow: records.structBytesPerRow,
            recordsConstructNs: records.constructNs,
            recordsInternedConstructNs: records.internedConstructNs,
            recordsStructConstructNs: records.structConstructNs,
            cpython: CPythonField(figures: cpython.figures),
            cpythonSkipped: {
                if case .skipped(let reason) = cpython { return reason }
                return nil
            }(),
            environment: environment,
            arena: arena,
            perInstance: perInstance,
            memoryAtScale: memory,
            scaling: scaling,
            access: access,
            macro: macro,
            threadFigures: threads,
            records: records,
            targets: targets,
            checksum: String(Sink.bits, radix: 16))
    }

    /// The report as one JSON object.
    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
