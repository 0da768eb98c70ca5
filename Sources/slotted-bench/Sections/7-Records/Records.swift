//===----------------------------------------------------------------------===//
//
// Records.swift: report section 7, a records workload: a generated CSV-like
// table loaded into a class defined at run time from its schema, with and
// without interning, and into a Swift struct array with optionals.
//
//===----------------------------------------------------------------------===//

import Slotted

/// What section 7 measured.
struct RecordsFigures: Codable {
    var rows: Int
    var columns: Int
    var distinctTimestamps: Int
    var missingPercent: Double
    /// Arena bytes per row (cells and string blocks, the arena's `allocatedBytes` rise) plus
    /// the 8-byte handle each row keeps in an array.
    var bytesPerRow: Double
    /// The same with the timestamp columns interning (``StringInterning``).
    var internedBytesPerRow: Double
    /// The struct array: jemalloc's `stats.allocated` rise over the load (the array and the
    /// heap storage of its strings), or capacity x stride without jemalloc.
    var structBytesPerRow: Double
    var structWeighing: String
    /// ns per row of loading the table (making each row's strings from its bytes, as a
    /// parser does, and constructing the row).
    var constructNs: Double
    var internedConstructNs: Double
    var structConstructNs: Double
    /// ns per row of the scan `sum(price) where status == "PAID"`, typed reads of optional
    /// slots against the struct's optionals.
    var scanNs: Double
    var internedScanNs: Double
    var structScanNs: Double
    /// Arena bytes of one 20-byte string in a `.string` slot (the cell excluded).
    var string20Bytes: Int
}

/// Loads `rows` generated rows `runs` times each way (the median time, the first load's
/// bytes).
func measureRecords(rows: Int, runs: Int) throws -> RecordsFigures {
    Progress.note("records: \(rows.grouped) rows of \(RecordsTable.schema.count) columns, slotted and struct array")
    let table = RecordsTable(rows: rows)
    let repeats = max(1, min(runs, 3))
    var plain: [Load] = [], interned: [Load] = [], structs: [Load] = []
    for _ in 0..<repeats {
        plain.append(try loadSlotted(table, interning: .none))
        interned.append(try loadSlotted(table, interning: .slots(RecordsTable.timestampColumns)))
        structs.append(loadStructs(table))
    }
    let weighing = ProcessHeap.allocatedBytes() > 0 ? "jemalloc stats.allocated delta" : "capacity x stride"
    return RecordsFigures(
        rows: rows, columns: RecordsTable.schema.count, distinctTimestamps: RecordsTable.distinctTimestamps,
        missingPercent: RecordsTable.missingPercent,
        bytesPerRow: plain[0].bytesPerRow, internedBytesPerRow: interned[0].bytesPerRow,
        structBytesPerRow: structs[0].bytesPerRow, structWeighing: weighing,
        constructNs: median(plain.map(\.constructNs)), internedConstructNs: median(interned.map(\.constructNs)),
        structConstructNs: median(structs.map(\.constructNs)),
        scanNs: median(plain.map(\.scanNs)), internedScanNs: median(interned.map(\.scanNs)),
        structScanNs: median(structs.map(\.scanNs)),
        string20Bytes: try measureString20())
}

/// One load of the table and one scan of it.
private struct Load {
    var bytesPerRow: Double
    var constructNs: Double
    var scanNs: Double
}

/// Loads the table as a host would: a class defined from the (name, type) schema, each
/// row constructed from its values in schema order (`construct(positional:)`), then each
/// missing cell's slot unset (`del`, through the field's accessor), so that it reads as
/// missing. A missing cell is passed
/// as its type's placeholder (0, 0.0, false, an empty string: no arena block).
private func loadSlotted(_ table: RecordsTable, interning: StringInterning) throws -> Load {
    let n = table.rowCount
    let columns = RecordsTable.columns
    let space = ObjectSpace()
    let R = try space.defineClass("Record", slots: RecordsTable.schema, interning: interning)
    // Resolved once, as a schema-driven loader keeps them: unsetting a missing field is
    // then no name lookup.
    let fields = try RecordsTable.schema.map { try R.anySlot($0.name) }
    let placeholders: [Value] = RecordsTable.schema.map {
        switch $0.type {
        case .double, .float: .double(0)
        case .bool: .bool(false)
        case .string: .string("")
        default: .int(0)
        }
    }
    let values = UnsafeMutablePointer<Value>.allocate(capacity: columns)
    defer { values.deallocate() }
    let storage = UnsafeMutablePointer<Instance>.allocate(capacity: n)
    defer { storage.deallocate() }
    let before = space.memory.allocatedBytes
    let ns = try table.cells.withUnsafeBufferPointer { cells in
        try timeConstructions(n, into: storage) { i -> Instance in
            var missing: UInt32 = 0
            for c in 0..<columns {
                switch cells[i * columns + c] {
                case .int(let v): (values + c).initialize(to: .int(v))
                case .double(let v): (values + c).initialize(to: .double(v))
                case .bool(let v): (values + c).initialize(to: .bool(v))
                case .text(let k): (values + c).initialize(to: .string(table.string(k)))
                case .missing:
                    (values + c).initialize(to: placeholders[c])
                    missing |= 1 << UInt32(c)
                }
            }
            defer { values.deinitialize(count: columns) }
            let row = try R.construct(positional: UnsafeBufferPointer(start: values, count: columns))
            while missing != 0 {
                try fields[missing.trailingZeroBitCount].delete(row)
                missing &= missing - 1
            }
            return row
        }
    }
    let bytes = space.memory.allocatedBytes - before + n * MemoryLayout<Instance>.stride
    let price = try R.slot("price", as: Double.self), status = try R.slot("status", as: String.self)
    let handles = UnsafeBufferPointer(start: storage, count: n)
    let scan = timeNanoseconds {
        var sum = 0.0
        for h in handles {
            if let s = h[ifSet: status], s == "PAID", let p = h[ifSet: price] { sum += p }
        }
        blackHole(sum)
    } / Double(n)
    space.reset()
    storage.deinitialize(count: n)
    return Load(bytesPerRow: Double(bytes) / Double(n), constructNs: ns, scanNs: scan)
}

/// Loads the table into a struct array (the same strings made from the same bytes).
private func loadStructs(_ table: RecordsTable) -> Load {
    let n = table.rowCount
    let columns = RecordsTable.columns
    let before = ProcessHeap.allocatedBytes()
    let storage = UnsafeMutablePointer<RecordRow>.allocate(capacity: n)
    let ns = table.cells.withUnsafeBufferPointer { cells in
        timeConstructions(n, into: storage) { i in
            RecordRow(UnsafeBufferPointer(rebasing: cells[i * columns ..< (i + 1) * columns]), table)
        }
    }
    let after = ProcessHeap.allocatedBytes()
    let bytes = after > 0 ? after - before : n * MemoryLayout<RecordRow>.stride
    let rows = UnsafeBufferPointer(start: storage, count: n)
    let scan = timeNanoseconds {
        var sum = 0.0
        for r in rows where r.status == "PAID" { sum += r.price ?? 0 }
        blackHole(sum)
    } / Double(n)
    storage.deinitialize(count: n)
    storage.deallocate()
    return Load(bytesPerRow: Double(bytes) / Double(n), constructNs: ns, scanNs: scan)
}

/// Arena bytes a `.string` slot's 20-byte value takes beyond the cell.
private func measureString20() throws -> Int {
    let space = ObjectSpace()
    let E = try space.defineClass("S", slots: ["s": .string])
    let e = try E.new()
    let before = space.memory.allocatedBytes
    try e.set("s", "2024-03-01T12:34:56Z")
    return space.memory.allocatedBytes - before
}
