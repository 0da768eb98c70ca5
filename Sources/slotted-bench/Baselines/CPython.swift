//===----------------------------------------------------------------------===//
//
// CPython.swift: running the article's programs in CPython.
//
//===----------------------------------------------------------------------===//

import Foundation

/// CPython's figures for the same experiments (see ``cpythonProgram``).
struct CPythonFigures: Codable {
    var version: String
    var implementation: String
    var executable: String
    var n: Int
    /// `sys.getsizeof(PointDict(1.0, 2.0))`: the object without its dict.
    var pointDictBytes: Int
    /// `sys.getsizeof(p_dict.__dict__)`.
    var pointDictDictBytes: Int
    var pointSlotsBytes: Int
    var pointDictHasDict: Bool
    var pointSlotsHasDict: Bool
    var attributeError: String
    /// tracemalloc's peak for N `EventDict` (the list included).
    var dictPeakBytes: Int
    var slotsPeakBytes: Int
    var savingPercent: Double
    /// `timeit` of `p.x` on a `PointSlots`, ns per statement (loop overhead
    /// included, as timeit reports it).
    var slotsAttrReadNs: Double
    var dictAttrReadNs: Double
    /// `timeit` of `getattr(p, 'x')`.
    var slotsGetattrNs: Double
    var dictGetattrNs: Double
    var slotsAttrWriteNs: Double
    var slotsSetattrNs: Double
    var dictSetattrNs: Double
    var constructSlotsNs: Double
    var constructDictNs: Double
    /// `timeit` of `pass`: the per-statement overhead inside the figures above.
    var loopOverheadNs: Double
}

/// How the CPython comparison went.
enum CPythonOutcome {
    case measured(CPythonFigures)
    case skipped(reason: String)

    var figures: CPythonFigures? {
        if case .measured(let figures) = self { return figures }
        return nil
    }
}

/// Finds and runs a Python interpreter.
enum CPythonRunner {
    /// The interpreter to use: `requested` as a path if it has a slash, else
    /// looked up on `PATH`.
    static func locate(_ requested: String) -> URL? {
        let fileManager = FileManager.default
        if requested.contains("/") {
            return fileManager.isExecutableFile(atPath: requested) ? URL(fileURLWithPath: requested) : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/" + requested
            if fileManager.isExecutableFile(atPath: candidate) {
                return URL(fileURLWithPath: candidate)
            }
        }
        return nil
    }

    /// Runs ``cpythonProgram`` with `n` events and `runs` timeit repeats.
    static func run(interpreter requested: String, n: Int, runs: Int) -> CPythonOutcome {
        guard let executable = locate(requested) else {
            return .skipped(reason: "no Python interpreter \"\(requested)\" found")
        }
        Progress.note("cpython: running the article's programs in \(executable.path) (N = \(n.grouped))")
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-c", cpythonProgram, String(n), String(runs)]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .skipped(reason: "could not start \(executable.path): \(error)")
        }
        // Read both pipes to the end before waiting, so neither can fill up.
        let errorData = readInBackground(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = String(decoding: errorData(), as: UTF8.self)

        guard process.terminationStatus == 0 else {
            let tail = errorText.split(separator: "\n").suffix(3).joined(separator: " | ")
            return .skipped(reason: "\(executable.path) exited with \(process.terminationStatus): \(tail)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return .measured(try decoder.decode(CPythonFigures.self, from: outputData))
        } catch {
            return .skipped(reason: "could not read CPython's output: \(error)")
        }
    }

    /// Reads a pipe to its end on another thread; the returned closure waits
    /// for and returns the data.
    private static func readInBackground(_ handle: FileHandle) -> () -> Data {
        final class Box: @unchecked Sendable {
            var data = Data()
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.data = handle.readDataToEndOfFile()
            done.signal()
        }
        return {
            done.wait()
            return box.data
        }
    }
}
