//===----------------------------------------------------------------------===//
//
// Command.swift: the `slotted-bench` command line.
//
//===----------------------------------------------------------------------===//

import ArgumentParser
import Foundation

/// Measures Slotted against the article's CPython programs and native Swift,
/// and prints the report.
@main
struct SlottedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slotted-bench",
        abstract: "Measure Slotted's __slots__ object model against native Swift and CPython.",
        discussion: """
            Reproduces the article's two programs (one PointDict against one PointSlots; \
            N EventDict against N EventSlots with tracemalloc's peak) on Slotted's arena, \
            sweeps N to show the cost per instance stays flat, times typed and by-name \
            access, construction and release beside native Swift baselines, runs the same \
            programs in CPython when python3 is on PATH, and judges the project's targets \
            (PASS/MISS). The table goes to stdout, progress to stderr.
            """)

    @Option(help: "Events per class in the memory-at-scale experiment and the access working set (the article's N).")
    var n: Int = 100_000

    @Option(
        name: .customLong("max-n"),
        help: "Largest N of the scaling sweep: powers of ten from 1,000 up to it (at most 10,000,000).")
    var maxN: Int = 1_000_000

    @Option(help: "Timed runs per access measurement (the median is reported), and CPython's timeit repeats.")
    var runs: Int = 7

    @Option(help: "Threads of the threads section's N-thread runs (default: the number of cores).")
    var threads: Int?

    @Flag(help: "Print one JSON object (snake_case keys) instead of the table.")
    var json = false

    @Option(
        name: .customLong("svg"),
        help: ArgumentHelp("Write an SVG line chart of bytes per instance against N to FILE.", valueName: "FILE"))
    var svgPath: String?

    @Option(
        name: .customLong("python"),
        help: ArgumentHelp("The Python interpreter for the CPython comparison (default: python3 on PATH).", valueName: "PATH"))
    var python: String?

    @Flag(name: .customLong("no-python"), help: "Skip the CPython comparison.")
    var noPython = false

    @Flag(name: .shortAndLong, help: "No progress lines on stderr.")
    var quiet = false

    static let largestN = 10_000_000

    func validate() throws {
        guard (1...Self.largestN).contains(n) else {
            throw ValidationError("--n must be between 1 and \(Self.largestN.grouped).")
        }
        guard (1...Self.largestN).contains(maxN) else {
            throw ValidationError("--max-n must be between 1 and \(Self.largestN.grouped).")
        }
        guard (1...1_000).contains(runs) else {
            throw ValidationError("--runs must be between 1 and 1,000.")
        }
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must be between 1 and 256.")
        }
        if noPython && python != nil {
            throw ValidationError("--python and --no-python cannot be used together.")
        }
    }

    func run() throws {
        Progress.enabled = !quiet
        let started = ContinuousClock.now
        var environment = RunEnvironment.current(runs: runs, maxN: maxN)
        environment.pythonCommand = noPython ? nil : python ?? "python3"

        Progress.note("arena: 1,000,000 cells of 24 bytes against mallocx(24)")
        let arena = try measureArena()
        Progress.note("per instance: PointDict against PointSlots")
        let perInstance = try measurePerInstance()
        let memory = try measureMemoryAtScale(n: n)
        let scaling = try measureScaling(sizes: scalingSizes(maxN: maxN), runs: runs)
        let access = try AccessBenchmark(
            count: n,
            opsPerSample: min(max(n * 10, 20_000), 2_000_000),
            runs: runs,
            releaseCount: min(maxN, 1_000_000)
        ).run()

        let macro = try measureMacroClass(
            count: n, runs: runs, opsPerSample: min(max(n * 10, 20_000), 2_000_000))

        let records = try measureRecords(rows: n, runs: runs)

        let threadFigures = try measureThreads(
            threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
            opsPerThread: min(max(n * 10, 200_000), 2_000_000), runs: runs)

        let cpython: CPythonOutcome =
            noPython
            ? .skipped(reason: "--no-python")
            : CPythonRunner.run(interpreter: python ?? "python3", n: n, runs: runs)
        if case .skipped(let reason) = cpython {
            Progress.note("cpython: skipped (\(reason))")
        }

        var targets = judgeTargets(memory: memory, scaling: scaling, access: access, macro: macro, cpython: cpython)
        targets += judgeDictTargets(memory: memory, scaling: scaling, perInstance: perInstance, access: access)
        targets += judgeThreadTargets(threadFigures)
        targets += judgeRecordsTargets(records)
        environment.totalSeconds = nanoseconds(since: started) / 1e9
        let report = BenchReport(
            environment: environment, arena: arena, perInstance: perInstance, memory: memory, scaling: scaling,
            access: access, macro: macro, threads: threadFigures, records: records, cpython: cpython, targets: targets)

        if let svgPath {
            try SVGChart(points: scaling).write(to: svgPath)
            Progress.note("wrote \(svgPath)")
        }
        print(json ? try report.jsonText() : report.text())
    }
}
