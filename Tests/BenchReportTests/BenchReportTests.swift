//===----------------------------------------------------------------------===//
//
// BenchReportTests.swift: runs the built `slotted-bench` and checks that its
// JSON report is complete and self-consistent.
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

/// Finds and runs the `slotted-bench` executable that SwiftPM built beside
/// this test bundle (the test target depends on it, so it is built first).
enum BenchExecutable {
    /// The environment variable that overrides the search.
    static let overrideVariable = "SLOTTED_BENCH"

    /// Directories the executable may be in: the test bundle's, the test
    /// runner's, then `.build/{debug,release}` under the package root.
    static func candidateDirectories() -> [URL] {
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
            if let executable = bundle.executableURL {
                directories.append(executable.deletingLastPathComponent())
            }
        }
        if let first = CommandLine.arguments.first, first.contains("/") {
            directories.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for configuration in ["debug", "release"] {
            directories.append(packageRoot.appendingPathComponent(".build/\(configuration)"))
        }
        return directories
    }

    static func locate() -> URL? {
        let fileManager = FileManager.default
        if let path = ProcessInfo.processInfo.environment[overrideVariable], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        for directory in candidateDirectories() {
            let candidate = directory.appendingPathComponent("slotted-bench")
            if fileManager.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the executable and returns its stdout.
    static func run(_ arguments: [String]) throws -> Data {
        guard let executable = locate() else {
            throw Failure(
                description: "slotted-bench not found beside the tests; build it first "
                    + "(swift build --product slotted-bench) or set \(overrideVariable)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable.path) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return data
    }

    /// The small JSON run every test reads, run once.
    static let smallReport: Result<Data, any Error> = Result {
        try run(["--json", "--n", "2000", "--max-n", "10000", "--no-python", "--runs", "3"])
    }
}

@Suite("slotted-bench --json report")
struct BenchReportTests {
    static let n = 2000

    func report() throws -> [String: Any] {
        let data = try BenchExecutable.smallReport.get()
        let object = try JSONSerialization.jsonObject(with: data)
        return try #require(object as? [String: Any], "the output is one JSON object")
    }

    func number(_ report: [String: Any], _ key: String) throws -> Double {
        let value = try #require(report[key] as? NSNumber, "\(key) is a number")
        return value.doubleValue
    }

    @Test("the report has every headline key")
    func headlineKeys() throws {
        let report = try report()
        let keys = [
            "n", "dict_bytes", "slots_bytes", "saving_percent", "slots_bytes_per_instance",
            "dict_bytes_per_instance", "native_class_bytes_per_instance", "typed_read_ns",
            "native_read_ns", "by_name_get_ns", "dict_get_ns", "construct_ns",
            "native_construct_ns", "cpython", "macro_construct_ns", "construct_bulk_ns", "struct_fill_ns",
        ]
        for key in keys {
            #expect(report[key] != nil, "missing key \(key)")
        }
    }

    @Test("n is the N asked for and CPython is null when skipped")
    func nAndSkippedPython() throws {
        let report = try report()
        #expect(try number(report, "n") == Double(Self.n))
        #expect(report["cpython"] is NSNull)
        #expect(report["cpython_skipped"] as? String == "--no-python")
    }

    @Test("saving_percent agrees with dict_bytes and slots_bytes")
    func savingAgrees() throws {
        let report = try report()
        let dict = try number(report, "dict_bytes")
        let slots = try number(report, "slots_bytes")
        let saving = try number(report, "saving_percent")
        #expect(dict > 0)
        #expect(abs(saving - (1 - slots / dict) * 100) < 1e-6)
    }

    @Test("bytes per instance are bytes divided by n")
    func perInstanceAgrees() throws {
        let report = try report()
        let n = try number(report, "n")
        #expect(abs(try number(report, "slots_bytes_per_instance") - (try number(report, "slots_bytes")) / n) < 1e-9)
        #expect(abs(try number(report, "dict_bytes_per_instance") - (try number(report, "dict_bytes")) / n) < 1e-9)
    }

    @Test("typed slots cost at most 32 bytes per instance")
    func typedSlotsAreSmall() throws {
        let report = try report()
        #expect(try number(report, "slots_bytes_per_instance") <= 32)
        let scaling = try #require(report["scaling"] as? [[String: Any]])
        let typed = scaling.filter { $0["kind"] as? String == "typed_slots" }
        #expect(!typed.isEmpty)
        for point in typed {
            let perInstance = try #require(point["bytes_per_instance"] as? NSNumber).doubleValue
            #expect(perInstance <= 32, "typed slots at N = \(point["n"] ?? "?")")
        }
    }

    @Test("the sweep stops at --max-n and every timing is positive")
    func sweepAndTimings() throws {
        let report = try report()
        let scaling = try #require(report["scaling"] as? [[String: Any]])
        let sizes = Set(scaling.compactMap { ($0["n"] as? NSNumber)?.intValue })
        #expect(sizes == [1_000, 10_000])
        for key in [
            "typed_read_ns", "native_read_ns", "by_name_get_ns", "dict_get_ns", "construct_ns", "native_construct_ns",
            "macro_construct_ns", "construct_bulk_ns", "struct_fill_ns",
        ] {
            #expect(try number(report, key) > 0, "\(key) is positive")
        }
    }

    @Test("the construction targets are judged on the headline construction keys")
    func constructionTargetsAgree() throws {
        let report = try report()
        let targets = try #require(report["targets"] as? [[String: Any]])
        func value(_ id: String) throws -> Double {
            let target = try #require(targets.first { $0["id"] as? String == id }, "target \(id)")
            return try #require(target["value"] as? NSNumber, "\(id) has a value").doubleValue
        }
        let bulk = try number(report, "construct_bulk_ns") / (try number(report, "struct_fill_ns"))
        #expect(abs(try value("bulk_construct_vs_struct_fill") - bulk) < 1e-9 * max(1, bulk))
        let typed = try number(report, "construct_ns") / (try number(report, "native_construct_ns"))
        #expect(abs(try value("construction_vs_native") - typed) < 1e-9 * max(1, typed))
        let macro = try #require(report["macro"] as? [String: Any])
        let versusNative = try #require(macro["construct_vs_native"] as? [String: Any])
        let macroNs = try #require(versusNative["ns"] as? NSNumber).doubleValue
        let nativeNs = try #require(versusNative["baseline_ns"] as? NSNumber).doubleValue
        #expect(try number(report, "macro_construct_ns") == macroNs)
        #expect(abs(try value("macro_construct_vs_native") - macroNs / nativeNs) < 1e-9 * max(1, macroNs / nativeNs))
    }

    @Test("every target has a verdict, and the CPython one is skipped")
    func targetsHaveVerdicts() throws {
        let report = try report()
        let targets = try #require(report["targets"] as? [[String: Any]])
        #expect(targets.count >= 5)
        for target in targets {
            let status = target["status"] as? String
            #expect(["PASS", "MISS", "SKIP"].contains(status ?? ""))
            if target["id"] as? String == "by_name_get_vs_cpython" {
                #expect(status == "SKIP")
            }
        }
    }

    @Test("the records keys are present and positive, and string20_bytes is an exact arena size")
    func recordsKeys() throws {
        let report = try report()
        for key in [
            "records_bytes_per_row", "records_interned_bytes_per_row", "records_struct_bytes_per_row",
            "records_construct_ns", "records_struct_construct_ns", "string20_bytes",
        ] {
            #expect(try number(report, key) > 0, "\(key) is positive")
        }
        // 20 UTF-8 bytes and an 8-byte count, rounded up to 8.
        #expect(try number(report, "string20_bytes") == 32)
        // Interning stores each distinct timestamp once: never more bytes than without.
        #expect(try number(report, "records_interned_bytes_per_row") <= number(report, "records_bytes_per_row"))
        let records = try #require(report["records"] as? [String: Any])
        #expect((records["rows"] as? NSNumber)?.intValue == Self.n)
        let ids = Set((report["targets"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        for id in ["string20_bytes", "records_interned_bytes", "records_construct"] {
            #expect(ids.contains(id), "target \(id) is judged")
        }
    }

    @Test("--help documents every option")
    func helpListsOptions() throws {
        let help = String(decoding: try BenchExecutable.run(["--help"]), as: UTF8.self)
        for option in ["--n", "--max-n", "--json", "--svg", "--python", "--no-python", "--runs"] {
            #expect(help.contains(option), "--help mentions \(option)")
        }
    }
}
