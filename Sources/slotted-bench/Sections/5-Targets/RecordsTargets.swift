//===----------------------------------------------------------------------===//
//
// RecordsTargets.swift: the targets of long strings and the records workload
// (issue #13), judged on this run.
//
//===----------------------------------------------------------------------===//

/// Judges a 20-byte string's arena cost, the interned records table's bytes against the
/// struct array's, and records construction against the struct array's.
func judgeRecordsTargets(_ r: RecordsFigures) -> [TargetResult] {
    var results: [TargetResult] = []
    results.append(
        TargetResult(
            id: "string20_bytes", status: r.string20Bytes <= 32 ? .pass : .miss,
            goal: "a 20-byte string costs <= 32 bytes of arena memory (44 before)",
            measured: "\(r.string20Bytes) B", value: Double(r.string20Bytes)))
    let bytesRatio = r.structBytesPerRow > 0 ? r.internedBytesPerRow / r.structBytesPerRow : .infinity
    results.append(
        TargetResult(
            id: "records_interned_bytes", status: bytesRatio <= 0.6 ? .pass : .miss,
            goal: "records table with interning <= 0.6x the struct array's bytes per row",
            measured: "\(times(bytesRatio)) (\(fixed(r.internedBytesPerRow, 1)) B vs \(fixed(r.structBytesPerRow, 1)) B)",
            value: bytesRatio))
    let constructRatio = r.structConstructNs > 0 ? r.constructNs / r.structConstructNs : .infinity
    let internedRatio = r.structConstructNs > 0 ? r.internedConstructNs / r.structConstructNs : .infinity
    let worst = max(constructRatio, internedRatio)
    results.append(
        TargetResult(
            id: "records_construct", status: worst <= 1.5 ? .pass : .miss,
            goal: "records construction per row within 1.5x of the struct array (with and without interning)",
            measured: "\(times(constructRatio)) (\(nanos(r.constructNs)) vs \(nanos(r.structConstructNs))),"
                + " interning \(times(internedRatio)) (\(nanos(r.internedConstructNs)))",
            value: worst))
    return results
}
