//===----------------------------------------------------------------------===//
//
// Targets.swift: the project's performance targets, judged on this run.
//
//===----------------------------------------------------------------------===//

/// One target and whether this run met it.
struct TargetResult: Codable {
    enum Status: String, Codable {
        case pass = "PASS"
        case miss = "MISS"
        case skip = "SKIP"
    }

    /// A stable identifier.
    var id: String
    var status: Status
    /// The target in words.
    var goal: String
    /// The figure the verdict rests on, in words.
    var measured: String
    /// The figure the verdict rests on (a ratio, bytes or a percentage).
    var value: Double?
}

/// Judges every target on the measured figures. Nothing is rounded before the
/// comparison.
func judgeTargets(
    memory: MemoryAtScale, scaling: [ScalingPoint], access: AccessFigures, macro: MacroFigures,
    cpython: CPythonOutcome
) -> [TargetResult] {
    var results: [TargetResult] = []

    // Typed EventSlots <= 32 bytes per instance at every N.
    let typedPoints =
        scaling.filter { $0.kind == .typedSlots }.map { ($0.n, $0.bytesPerInstance) }
        + [(memory.n, memory.typedSlots.bytesPerInstance)]
    let worst = typedPoints.max { $0.1 < $1.1 } ?? (0, 0)
    results.append(
        TargetResult(
            id: "typed_slots_bytes_per_instance",
            status: worst.1 <= 32 ? .pass : .miss,
            goal: "EventSlots <= 32 bytes per instance at every N",
            measured: "max \(fixed(worst.1, 1)) B at N = \(worst.0.grouped)",
            value: worst.1))

    // >= 70% saving against EventDict.
    let saving = memory.typedSavingPercent
    results.append(
        TargetResult(
            id: "saving_vs_dict",
            status: saving >= 70 ? .pass : .miss,
            goal: "EventSlots saves >= 70% against EventDict with a hash table per instance, as CPython's (N = \(memory.n.grouped))",
            measured: "saving \(fixed(saving, 1))%",
            value: saving))

    // Typed read within 1.25x of the native let read.
    for (id, label, comparison) in [
        ("typed_read_sequential", "sequential", access.typedReadSequential),
        ("typed_read_random", "random", access.typedReadRandom),
    ] {
        results.append(
            TargetResult(
                id: id,
                status: comparison.ratio <= 1.25 ? .pass : .miss,
                goal: "typed read within 1.25x of native let read (\(label))",
                measured: "slotted/native \(times(comparison.ratio)) (\(nanos(comparison.ns)) vs \(nanos(comparison.baselineNs)))",
                value: comparison.ratio))
    }

    // Construction >= 2x faster than the native class: judged on the fastest way to
    // construct an EventSlots instance with its values, the typed initializer.
    let construct = access.constructTypedInitializer
    let speedup = construct.ns > 0 ? construct.baselineNs / construct.ns : 0
    func speed(_ c: Comparison) -> String { times(c.ns > 0 ? c.baselineNs / c.ns : 0) }
    results.append(
        TargetResult(
            id: "construction_vs_native",
            status: speedup >= 2 ? .pass : .miss,
            goal: "EventSlots construction (typed initializer) >= 2x faster than native class",
            measured: "native/slotted \(times(speedup)) (\(nanos(construct.ns)) vs native \(nanos(construct.baselineNs)));"
                + " new() + typed stores \(speed(access.constructTypedStores)),"
                + " EventSlots(i, \"click\", v) \(speed(access.constructTyped));"
                + " (not judged: new(count:) in bulk \(speed(access.constructBulk)))",
            value: speedup))

    // The @SlotClass targets.
    for (id, goal, comparison, limit) in [
        ("macro_read_vs_typed", "@SlotClass property read within 1.1x of the typed subscript", macro.readVsTyped, 1.1),
        ("macro_read_vs_native", "@SlotClass property read within 1.25x of native let read", macro.readVsNative, 1.25),
        ("macro_write_vs_typed", "@SlotClass property write within 1.1x of the typed subscript", macro.writeVsTyped, 1.1),
        ("macro_construct_vs_typed", "@SlotClass construction within 1.2x of the typed initializer", macro.constructVsTyped, 1.2),
    ] {
        results.append(
            TargetResult(
                id: id, status: comparison.ratio <= limit ? .pass : .miss, goal: goal,
                measured: "\(times(comparison.ratio)) (\(nanos(comparison.ns)) vs \(nanos(comparison.baselineNs)))",
                value: comparison.ratio))
    }
    let macroSpeedup = macro.constructVsNative.ns > 0 ? macro.constructVsNative.baselineNs / macro.constructVsNative.ns : 0
    results.append(
        TargetResult(
            id: "macro_construct_vs_native",
            status: macroSpeedup >= 2 ? .pass : .miss,
            goal: "@SlotClass construction >= 2x faster than native class",
            measured: "native/macro \(times(macroSpeedup)) (\(nanos(macro.constructVsNative.ns)) vs native \(nanos(macro.constructVsNative.baselineNs)))",
            value: macroSpeedup))

    // By-name get >= 3x faster than CPython's getattr.
    switch cpython {
    case .measured(let figures):
        let ratio = figures.slotsGetattrNs / access.byNameGet.ns
        results.append(
            TargetResult(
                id: "by_name_get_vs_cpython",
                status: ratio >= 3 ? .pass : .miss,
                goal: "by-name get >= 3x faster than CPython getattr(p, 'x')",
                measured:
                    "CPython/slotted \(times(ratio)) (\(nanos(access.byNameGet.ns)) vs \(nanos(figures.slotsGetattrNs)))",
                value: ratio))
    case .skipped(let reason):
        results.append(
            TargetResult(
                id: "by_name_get_vs_cpython",
                status: .skip,
                goal: "by-name get >= 3x faster than CPython getattr(p, 'x')",
                measured: "CPython skipped: \(reason)",
                value: nil))
    }
    return results
}
