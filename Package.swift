// swift-tools-version:6.0
import PackageDescription
import Foundation

// Our own targets use the Swift 5 language mode: the runtime is built from
// blocking C libraries (libpq, libcurl) driven from plain threads, and strict
// Sendable checking would only add ceremony there.
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let allTargets: [Target] = [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // Byte-level text helpers shared by the core and the drivers (which know nothing of each other).
        .target(name: "ETLBytes", swiftSettings: swift5),
        .target(name: "ETLCore", dependencies: ["ETLBytes"], swiftSettings: swift5),
        .target(name: "ETLExpr", dependencies: ["ETLCore", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swift5),
        .target(name: "ETLConfig", dependencies: ["ETLCore", "ETLExpr", "CYAML"], swiftSettings: swift5),
        .target(name: "ETLPostgres", dependencies: ["CLibPQ", "ETLBytes"], swiftSettings: swift5),
        .target(name: "ETLHTTP", dependencies: ["CCurl", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swift5),
        .target(name: "ETLConnectors", dependencies: ["ETLBytes", "ETLCore", "ETLExpr", "ETLPostgres", "ETLHTTP"], swiftSettings: swift5),
        .target(name: "ETLRunner", dependencies: ["ETLCore", "ETLExpr", "ETLConfig", "ETLPostgres", "ETLConnectors"], swiftSettings: swift5),
        // `etl serve`: webhooks into the pipelines' inboxes, and the workers that drain them.
        .target(name: "ETLServe", dependencies: [
            "ETLRunner", "ETLConfig", "ETLCore", "ETLPostgres", "ETLConnectors",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: swift5),
        .executableTarget(name: "etl", dependencies: ["ETLRunner", "ETLServe", "ETLCore", "ETLConfig", "ETLPostgres", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: swift5),
        .executableTarget(name: "etl-bench-json", dependencies: ["ETLCore"], path: "Sources/BenchJSON", swiftSettings: swift5),
        .executableTarget(name: "etl-bench-expr", dependencies: ["ETLExpr"], path: "Sources/BenchExpr", swiftSettings: swift5),

        // Real loopback peers (HTTP, SMTP) shared by the test targets.
        .target(name: "ETLTestSupport", path: "Tests/ETLTestSupport", swiftSettings: swift5),
        .testTarget(name: "ETLCoreTests", dependencies: ["ETLCore"], swiftSettings: swift5),
        .testTarget(name: "ETLExprTests", dependencies: ["ETLExpr"], swiftSettings: swift5),
        // The loader is tested against the real built-in connectors' declarations.
        .testTarget(name: "ETLConfigTests", dependencies: ["ETLConfig", "ETLConnectors"], exclude: ["Fixtures"], swiftSettings: swift5),
        .testTarget(name: "ETLPostgresTests", dependencies: ["ETLPostgres", "ETLTestSupport"], swiftSettings: swift5),
        .testTarget(name: "ETLHTTPTests", dependencies: ["ETLHTTP", "ETLTestSupport"], swiftSettings: swift5),
        .testTarget(name: "ETLConnectorsTests", dependencies: ["ETLConnectors", "ETLRunner", "ETLTestSupport"], swiftSettings: swift5),
        .testTarget(name: "ETLRunnerTests", dependencies: ["ETLRunner", "ETLTestSupport"], swiftSettings: swift5),
        .testTarget(name: "ETLServeTests", dependencies: ["ETLServe", "ETLConfig", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swift5),
        .testTarget(name: "EndToEndTests", dependencies: ["ETLCore", "ETLTestSupport"], swiftSettings: swift5),
]

/// libFuzzer targets, built only by `scripts/fuzz` (which sets ETL_FUZZ=1 and
/// `-sanitize=fuzzer`, without which they would not link).
let fuzzTargets: [Target] = [
        .target(name: "FuzzDriver", path: "Sources/FuzzDriver"),
] + [
        ("etl-fuzz-pipeline", "FuzzPipeline", ["ETLCore", "ETLConfig", "ETLRunner"]),
        ("etl-fuzz-expr", "FuzzExpr", ["ETLCore", "ETLExpr"]),
        ("etl-fuzz-json", "FuzzJSON", ["ETLCore"]),
        ("etl-fuzz-csv", "FuzzCSV", ["ETLCore"]),
].map { name, folder, deps in
    .executableTarget(name: name, dependencies: ["FuzzDriver"] + deps.map { .target(name: $0) }, path: "Sources/\(folder)",
                      swiftSettings: swift5)
}

/// `ETL_ONLY=ETLHTTP swift test` builds just that module, its dependencies and its
/// tests: lets one module be worked on while another is half-written.
@MainActor func selectedTargets() -> [Target] {
    if ProcessInfo.processInfo.environment["ETL_FUZZ"] == "1" { return allTargets + fuzzTargets }
    guard let only = ProcessInfo.processInfo.environment["ETL_ONLY"], !only.isEmpty else { return allTargets }
    let byName = Dictionary(uniqueKeysWithValues: allTargets.map { ($0.name, $0) })
    var keep = Set<String>()
    func visit(_ name: String) {
        guard let t = byName[name], keep.insert(name).inserted else { return }
        for case .targetItem(let dep, _) in t.dependencies { visit(dep) }
        for case .byNameItem(let dep, _) in t.dependencies { visit(dep) }
    }
    for name in only.split(separator: ",").map(String.init) { visit(name); visit(name + "Tests") }
    return allTargets.filter { keep.contains($0.name) }
}

let package = Package(
    name: "etl",
    platforms: [.macOS(.v13)],
    products: ProcessInfo.processInfo.environment["ETL_ONLY"].map { _ in [] } ?? [
        .executable(name: "etl", targets: ["etl"]),
        .library(name: "ETLCore", targets: ["ETLCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: selectedTargets()
)
