// swift-tools-version: 6.1
//
// Slotted's package-benchmark suites, kept in a package of their own so that the
// library does not depend on the benchmark package and its malloc interposer.
//
//   swift package --package-path Benchmarks benchmark                 # run every benchmark
//   swift package --package-path Benchmarks benchmark --filter Read   # a few of them
//   swift package --package-path Benchmarks benchmark thresholds check  # against Thresholds/

import PackageDescription

/// SwiftPM names a path dependency after its directory: the identity of "../" is the
/// checkout's folder name, whatever the clone is called.
let slottedPackage =
    Context.packageDirectory.split(separator: "/").dropLast().last.map { $0.lowercased() } ?? "slotted"

let package = Package(
    name: "SlottedBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SlottedBenchmarks",
            dependencies: [
                .product(name: "Slotted", package: slottedPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SlottedBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
