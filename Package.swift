// swift-tools-version: 6.1
import PackageDescription

// The hot path (sessions, codec, recorder, script runner) lives in classes and structs touched by one event loop at
// a time; dynamic exclusivity checks there cost ~2% of client CPU and guard nothing, so release builds drop them.
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "pgswarm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pgswarm", targets: ["pgswarm"]),
        .library(name: "PGWire", targets: ["PGWire"]),
        .library(name: "Workload", targets: ["Workload"]),
        .library(name: "Stats", targets: ["Stats"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "LocalCluster", targets: ["LocalCluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The protocol: messages, framing, authentication. Knows nothing about workloads.
        .target(
            name: "PGWire",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotPathSettings
        ),
        // Workload files compiled into an immutable plan. Pure: no sockets.
        .target(
            name: "Workload",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: hotPathSettings
        ),
        // Histograms, the HdrHistogram V2 encoding and .hlog files, summaries.
        .target(
            name: "Stats",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: hotPathSettings
        ),
        // Runs a plan: sessions on event loops, feeding Stats.
        .target(
            name: "Engine",
            dependencies: [
                "PGWire", "Workload", "Stats", "CDirectIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: hotPathSettings
        ),
        // epoll and eventfd for the direct event loop (Swift's Glibc module leaves them out).
        .target(name: "CDirectIO"),
        // compare, merge, HTML report.
        .target(name: "Report", dependencies: ["Stats"]),
        // Throwaway PostgreSQL (and PgBouncer) clusters from the machine's binaries: tests and --temp-postgres.
        .target(name: "LocalCluster"),
        .executableTarget(
            name: "pgswarm",
            dependencies: [
                "Engine", "Report", "LocalCluster", "Workload", "Stats", "PGWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Micro-benchmarks of the per-transaction work that is not I/O: `swift run -c release pgswarm-microbench`.
        .executableTarget(name: "pgswarm-microbench", dependencies: ["Stats"], swiftSettings: hotPathSettings),
        .testTarget(
            name: "PGWireTests",
            dependencies: [
                "PGWire", "LocalCluster",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "WorkloadTests", dependencies: ["Workload", "LocalCluster"]),
        // Resources/: HdrHistogram test vectors, read by path. decode_hlog.py: the Python (hdrh) interop reader.
        .testTarget(name: "StatsTests", dependencies: ["Stats"], exclude: ["Resources", "decode_hlog.py"]),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "LocalCluster", "Stats", "Workload", "PGWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Stats", "Engine", "LocalCluster"]),
        .testTarget(name: "LocalClusterTests", dependencies: ["LocalCluster"]),
        // The portable binary, completions, manual, container recipe and CI files (docs/install.md, docs/ci.md).
        .testTarget(name: "PackagingTests", dependencies: ["LocalCluster"]),
    ],
    swiftLanguageModes: [.v6]
)
