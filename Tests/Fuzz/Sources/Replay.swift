// Two builds of one target:
//   - normal: replays corpus files or directories given as arguments (CI does this);
//   - with `-Xswiftc -DSLOTTED_FUZZ -Xswiftc -sanitize=fuzzer,address`: libFuzzer's main
//     drives LLVMFuzzerTestOneInput (see Tests/Fuzz/README.md).
#if SLOTTED_FUZZ
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    runProgram(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's entry point as `<target>_main`; hand control to libFuzzer.
@_cdecl("slotted_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}
#else
import Foundation

@main
struct Replay {
    static func main() throws {
        var files: [String] = []
        for arg in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: arg, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("slotted-fuzz: no such file: \(arg)\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: arg).sorted()
                files += names.filter { !$0.hasPrefix(".") }.map { arg + "/" + $0 }
            } else {
                files.append(arg)
            }
        }
        for file in files {
            runProgram(Array(FileManager.default.contents(atPath: file) ?? Data()))
        }
        print("slotted-fuzz: replayed \(files.count) inputs, no finding")
    }
}
#endif
