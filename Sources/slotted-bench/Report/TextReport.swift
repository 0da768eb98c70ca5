//===----------------------------------------------------------------------===//
//
// TextReport.swift: the report as the readable table printed on stdout: the
// heading, then each section (its text is in the section's folder).
//
//===----------------------------------------------------------------------===//

extension BenchReport {
    /// The report as text, section by section.
    func text() -> String {
        var out: [String] = []
        let python = cpython.figures
        let pythonName = python.map { "CPython \($0.version)" } ?? "CPython"

        out.append("Slotted benchmark: Python's __slots__ object model in Swift, over a private arena")
        out.append(
            "  build \(environment.build), allocator \(environment.allocatorBackend), "
                + "N = \(n.grouped), sweep up to \(environment.maxN.grouped), "
                + "\(environment.runs) runs per timing (median), \(environment.processors) cores")
        out.append("  processor: \(environment.cpu)")
        if let python {
            // The command as given, not the interpreter's absolute path (which is in the JSON).
            let command = environment.pythonCommand ?? python.executable
            out.append("  \(pythonName): \(command)\(command.contains("/") ? "" : ", found on the PATH")")
        } else {
            out.append("  CPython: skipped (\(cpythonSkipped ?? "not run"))")
        }
        out.append("")

        out.append(arenaSection())
        out.append(perInstanceSection(python: python, pythonName: pythonName))
        out.append(memorySection(python: python, pythonName: pythonName))
        out.append(scalingSection())
        out.append(accessSection(python: python, pythonName: pythonName))
        out.append(threadsSection())
        out.append(recordsSection())
        out.append(targetsSection())
        out.append("Total time: \(fixed(environment.totalSeconds, 1)) s")
        return out.joined(separator: "\n")
    }
}
