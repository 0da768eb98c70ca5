// swift-tools-version:6.1
//
// Slotted: Python's __slots__ object model for Swift, over a private jemalloc arena.
//
// Compile-time switches this manifest reads from the environment:
//   SLOTTED_DISABLE_JEMALLOC=1  build CSlotArena on the system allocator (mmap'ed slabs,
//                               malloc'ed blocks) instead of Debian's libjemalloc. The
//                               sanitizer runs use it: Debian's jemalloc is unprefixed and
//                               replaces malloc beside the sanitizers' own allocators.
//   SLOTTED_INTERNAL_CHECKS=1   compile Slotted's invariant checks (`_checkInvariants()`)
//                               into every build, not only debug ones.
// Compilation conditions used in the sources:
//   SLOTTED_INTERNAL_CHECKS     (Swift) invariant checks, on in debug builds and with the
//                               variable above.
//   SLOTARENA_USE_JEMALLOC      (C) the jemalloc backend.
//   SLOTARENA_DEBUG_HOOKS       (C) the fail-next-allocation hook, debug builds only.

import CompilerPluginSupport
import PackageDescription

let useJemalloc = Context.environment["SLOTTED_DISABLE_JEMALLOC"] == nil
let forceChecks = Context.environment["SLOTTED_INTERNAL_CHECKS"] != nil

// MARK: - C arena

var arenaCSettings: [CSetting] = [
    .define("SLOTARENA_DEBUG_HOOKS", to: "1", .when(configuration: .debug)),
]
var arenaLinkerSettings: [LinkerSetting] = []
if useJemalloc {
    arenaCSettings.append(.define("SLOTARENA_USE_JEMALLOC", to: "1"))
    arenaLinkerSettings.append(.linkedLibrary("jemalloc"))
}

// MARK: - Swift settings

var slottedSwiftSettings: [SwiftSetting] = [
    .define("SLOTTED_INTERNAL_CHECKS", .when(configuration: .debug)),
]
if forceChecks {
    slottedSwiftSettings = [.define("SLOTTED_INTERNAL_CHECKS")]
}

// MARK: - Package

let package = Package(
    name: "Slotted",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Slotted", targets: ["Slotted"]),
        // `@SlotClass`: the macro declarations; the runtime library above does not
        // depend on swift-syntax, only this product does.
        .library(name: "SlottedMacros", targets: ["SlottedMacros"]),
        .executable(name: "slotted-bench", targets: ["slotted-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.1"),
    ],
    targets: [
        .target(
            name: "CSlotArena",
            path: "CSupport",
            publicHeadersPath: "include",
            cSettings: arenaCSettings,
            linkerSettings: arenaLinkerSettings
        ),
        .target(
            name: "Slotted",
            dependencies: ["CSlotArena"],
            swiftSettings: slottedSwiftSettings
        ),
        // MARK: - @SlotClass macro
        .macro(
            name: "SlottedMacrosPlugin",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
            ]
        ),
        .target(
            name: "SlottedMacros",
            dependencies: ["Slotted", "SlottedMacrosPlugin"]
        ),
        .testTarget(
            name: "SlottedMacrosTests",
            dependencies: [
                "SlottedMacrosPlugin",
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosTestSupport", package: "swift-syntax"),
            ]
        ),
        .testTarget(
            name: "SlottedMacrosRuntimeTests",
            dependencies: ["SlottedMacros", "Slotted"]
        ),
        // MARK: -
        .executableTarget(
            name: "slotted-bench",
            dependencies: [
                "Slotted",
                "SlottedMacros",
                "CSlotArena",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Races the library promises to survive, run for a while: `.ci/run` runs it for a
        // minute, `--minutes 10` is the soak (see Sources/slotted-stress/main.swift).
        .executableTarget(
            name: "slotted-stress",
            dependencies: ["Slotted", "CSlotArena"]
        ),
        // Fuzzing: replays corpus files in a normal build; with -DSLOTTED_FUZZ and
        // -sanitize=fuzzer it is a libFuzzer target (see Tests/Fuzz/README.md).
        .executableTarget(
            name: "slotted-fuzz",
            dependencies: ["Slotted"],
            path: "Tests/Fuzz/Sources"
        ),
        // Performs one misuse named by its argument; `.ci/release-traps` builds it optimized and
        // checks that each misuse stops with Slotted's message.
        .executableTarget(
            name: "slotted-trap-check",
            dependencies: ["Slotted"],
            path: "Tests/ReleaseTraps"
        ),
        .testTarget(
            name: "CSlotArenaTests",
            dependencies: ["CSlotArena"]
        ),
        .testTarget(
            name: "SlottedTests",
            dependencies: ["Slotted", "CSlotArena"]
        ),
        .testTarget(
            name: "BenchReportTests",
            dependencies: ["slotted-bench"]
        ),
        .testTarget(
            name: "StressTests",
            dependencies: ["slotted-stress", "Slotted"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
