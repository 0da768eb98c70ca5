//===----------------------------------------------------------------------===//
//
// DictTargets.swift: the targets of dict instances with shapes (issue #11),
// judged on this run.
//
//===----------------------------------------------------------------------===//

/// The figures of dict instances before shapes (issue #11), for the dictionary-mode
/// targets: dictionary mode must be no larger and no slower than they were. Speed is judged
/// as a ratio to by-name access on PointSlots in the same run, the issue's own ratios:
/// `get("x")` 58.2 ns against 7.58 ns, `set("x", v)` 59.0 ns against 15.1 ns.
enum DictBeforeShapes {
    static let eventDictBytes = 240.0
    static let getVsSlots = 58.2 / 7.58
    static let setVsSlots = 59.0 / 15.1
}

/// Judges the dict-instance targets: sizes at every N, by-name speed against the slotted
/// class, keyword construction, and dictionary mode against the figures before shapes.
func judgeDictTargets(
    memory: MemoryAtScale, scaling: [ScalingPoint], perInstance: PerInstanceFigures, access: AccessFigures
) -> [TargetResult] {
    var results: [TargetResult] = []
    func worst(_ kind: ObjectKind, _ atScale: BuildResult) -> (Int, Double) {
        let points = scaling.filter { $0.kind == kind }.map { ($0.n, $0.bytesPerInstance) }
            + [(memory.n, atScale.bytesPerInstance)]
        return points.max { $0.1 < $1.1 } ?? (0, 0)
    }
    let shaped = worst(.dict, memory.dict)
    results.append(
        TargetResult(
            id: "dict_bytes_per_instance", status: shaped.1 <= 64 ? .pass : .miss,
            goal: "shaped EventDict <= 64 bytes per instance at every N",
            measured: "max \(fixed(shaped.1, 1)) B at N = \(shaped.0.grouped)", value: shaped.1))
    results.append(
        TargetResult(
            id: "point_dict_bytes", status: perInstance.pointDictBytes <= 48 ? .pass : .miss,
            goal: "shaped PointDict <= 48 bytes (sizeof)",
            measured: "\(perInstance.pointDictBytes) B", value: Double(perInstance.pointDictBytes)))
    for (id, goal, ns, baseline, limit) in [
        ("dict_get_vs_slots", "PointDict get(\"x\") within 1.3x of PointSlots", access.dictGet.ns, access.byNameGet.ns, 1.3),
        ("dict_set_vs_slots", "PointDict set(\"x\", v) within 1.3x of PointSlots", access.dictSet.ns, access.byNameSet.ns, 1.3),
        ("dict_construct_vs_slots", "EventDict keyword construction within 1.5x of untyped EventSlots keyword construction",
         access.constructDict.ns, access.constructUntypedKeyword.ns, 1.5),
    ] {
        let ratio = baseline > 0 ? ns / baseline : .infinity
        results.append(
            TargetResult(
                id: id, status: ratio <= limit ? .pass : .miss, goal: goal,
                measured: "\(times(ratio)) (\(nanos(ns)) vs \(nanos(baseline)))", value: ratio))
    }
    let table = worst(.dictTable, memory.dictTable)
    results.append(
        TargetResult(
            id: "dict_table_bytes", status: table.1 <= DictBeforeShapes.eventDictBytes ? .pass : .miss,
            goal: "EventDict in dictionary mode no larger than before shapes (\(Int(DictBeforeShapes.eventDictBytes)) B)",
            measured: "max \(fixed(table.1, 1)) B at N = \(table.0.grouped)", value: table.1))
    for (id, goal, ns, baseline, before) in [
        ("dict_table_get", "dictionary-mode get(\"x\") no slower than before shapes", access.tableGet.ns, access.byNameGet.ns,
         DictBeforeShapes.getVsSlots),
        ("dict_table_set", "dictionary-mode set(\"x\", v) no slower than before shapes", access.tableSet.ns, access.byNameSet.ns,
         DictBeforeShapes.setVsSlots),
    ] {
        let ratio = baseline > 0 ? ns / baseline : .infinity
        results.append(
            TargetResult(
                id: id, status: ratio <= before ? .pass : .miss,
                goal: "\(goal): within \(times(before)) of PointSlots, as before (issue #11)",
                measured: "\(times(ratio)) (\(nanos(ns)) vs \(nanos(baseline)))", value: ratio))
    }
    return results
}
