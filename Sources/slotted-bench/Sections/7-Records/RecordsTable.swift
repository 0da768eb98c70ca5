//===----------------------------------------------------------------------===//
//
// RecordsTable.swift: the generated table of section 7, like a CSV export of
// 19 columns, and the Swift struct a program would load it into.
//
//===----------------------------------------------------------------------===//

import Slotted

/// One cell of the table as a CSV reader hands it over: a parsed number, or the UTF-8 bytes
/// of a text field (the loader makes each row's `String`, as parsing a file does).
enum RecordCell {
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// An index into ``RecordsTable/texts``.
    case text(Int)
    case missing
}

/// A table of 19 columns: ints, doubles, short strings (codes of at most 7 bytes), two
/// 20-character timestamp columns drawing on a few thousand distinct values, and a bool;
/// about 3% of the cells (all but `id`'s) are missing.
struct RecordsTable {
    static let schema: [(name: String, type: SlotType)] = [
        ("id", .int), ("account", .int), ("quantity", .int), ("store", .int), ("flags", .int), ("year", .int),
        ("price", .double), ("discount", .double), ("tax", .double), ("weight", .double), ("score", .double),
        ("country", .string), ("currency", .string), ("status", .string), ("channel", .string),
        ("category", .string), ("created", .string), ("updated", .string), ("active", .bool),
    ]
    static let timestampColumns = ["created", "updated"]
    static let missingPercent = 3.0
    static let distinctTimestamps = 3_000

    /// The cells, row after row (`columns` a row).
    var cells: ContiguousArray<RecordCell>
    var rowCount: Int
    /// The UTF-8 bytes of every distinct text value.
    var texts: [[UInt8]]
    static var columns: Int { schema.count }

    init(rows count: Int, seed: UInt64 = 0x7EC0_4D5) {
        var random = SplitMix64(seed: seed)
        var texts: [[UInt8]] = []
        func intern(_ s: String) -> Int {
            texts.append(Array(s.utf8))
            return texts.count - 1
        }
        let countries = ["US", "DE", "FR", "JP", "BR", "IN", "GB"].map(intern)
        let currencies = ["USD", "EUR", "JPY", "BRL", "INR", "GBP"].map(intern)
        let statuses = ["PAID", "OPEN", "VOID", "REFUND"].map(intern)
        let channels = ["web", "store", "phone", "partner"].map(intern)
        let categories = (0..<40).map { intern("C\($0 / 10)-\($0 % 10)") }
        // 20 characters each, "2024-03-01T12:34:56Z", a few thousand distinct.
        let stamps = (0..<Self.distinctTimestamps).map { k -> Int in
            let day = 1 + k % 28, month = 1 + (k / 28) % 12, second = k % 60, minute = (k * 7) % 60, hour = (k * 13) % 24
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return intern("2024-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))Z")
        }
        func pick(_ choices: [Int]) -> Int { choices[Int(random.next() % UInt64(choices.count))] }
        var cells = ContiguousArray<RecordCell>()
        cells.reserveCapacity(count * Self.schema.count)
        for i in 0..<count {
            let r = { Int(random.next() % 1_000_000) }
            let d = { Double(random.next() % 1_000_000) / 100 }
            var row: [RecordCell] = [
                .int(i), .int(r()), .int(r() % 100), .int(r() % 500), .int(r() % 16), .int(2000 + r() % 25),
                .double(d()), .double(d() / 100), .double(d() / 10), .double(d()), .double(d() / 1000),
                .text(pick(countries)), .text(pick(currencies)), .text(pick(statuses)), .text(pick(channels)),
                .text(pick(categories)), .text(pick(stamps)), .text(pick(stamps)), .bool(random.next() & 1 == 0),
            ]
            for c in 1..<row.count where random.next() % 10_000 < UInt64(Self.missingPercent * 100) {
                row[c] = .missing
            }
            cells.append(contentsOf: row)
        }
        self.cells = cells
        self.rowCount = count
        self.texts = texts
    }

    /// A text cell as the row's own `String`.
    @inline(__always)
    func string(_ index: Int) -> String { String(decoding: texts[index], as: UTF8.self) }
}

/// The row as a Swift program would declare it: a struct of optionals, in a
/// `ContiguousArray`.
struct RecordRow {
    var id: Int
    var account: Int?, quantity: Int?, store: Int?, flags: Int?, year: Int?
    var price: Double?, discount: Double?, tax: Double?, weight: Double?, score: Double?
    var country: String?, currency: String?, status: String?, channel: String?, category: String?
    var created: String?, updated: String?
    var active: Bool?

    init(_ row: UnsafeBufferPointer<RecordCell>, _ table: RecordsTable) {
        @inline(__always) func int(_ c: RecordCell) -> Int? { if case .int(let v) = c { return v } else { return nil } }
        @inline(__always) func double(_ c: RecordCell) -> Double? { if case .double(let v) = c { return v } else { return nil } }
        @inline(__always) func text(_ c: RecordCell) -> String? { if case .text(let k) = c { return table.string(k) } else { return nil } }
        @inline(__always) func bool(_ c: RecordCell) -> Bool? { if case .bool(let v) = c { return v } else { return nil } }
        id = int(row[0]) ?? 0
        account = int(row[1]); quantity = int(row[2]); store = int(row[3]); flags = int(row[4]); year = int(row[5])
        price = double(row[6]); discount = double(row[7]); tax = double(row[8]); weight = double(row[9]); score = double(row[10])
        country = text(row[11]); currency = text(row[12]); status = text(row[13]); channel = text(row[14])
        category = text(row[15]); created = text(row[16]); updated = text(row[17])
        active = bool(row[18])
    }
}
