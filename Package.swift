// swift-tools-version: 6.1
import PackageDescription

// The hot path (sessions, codec, recorder, script runner) lives in classes and structs touched by one event loop at
// a time; dynamic exclusivity checks there cost client CPU and guard nothing, so release builds drop them.
let hotPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Modules and the directions they may depend on one another (an arrow points at what a module imports; nothing
// points back up):
//
//   pgswarm (the CLI) ──> PgbenchCLI ──> PoolerChecks ──> Engine ──> DirectIO ──> Connection ──> PGWire
//                    └──> Report ──> Stats             Engine ──> Workload, Stats, Connection, PGWire
//   LocalCluster stands alone (throwaway servers for tests and --temp-postgres).
//
// New run companions (telemetry, metrics) are modules beside PoolerChecks: they import Engine, and the CLI
// registers them. docs/ARCHITECTURE.md says what each module holds.
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
        // Reaching a server: libpq-style resolution of the connection parameters (URI, key=value, environment,
        // .pgpass), the NIO connector with TLS, and the admin connection (one request at a time).
        .target(
            name: "Connection",
            dependencies: [
                "PGWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: hotPathSettings
        ),
        // The direct I/O driver: pgswarm's own epoll event loops and nonblocking sockets (Linux).
        .target(
            name: "DirectIO",
            dependencies: [
                "PGWire", "Connection", "CDirectIO",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: hotPathSettings
        ),
        // Runs a plan: sessions on event loops, feeding Stats.
        .target(
            name: "Engine",
            dependencies: [
                "PGWire", "Workload", "Stats", "Connection", "DirectIO", "CDirectIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: hotPathSettings
        ),
        // Run companions that stress and check a pooler: connect storms, idle hordes, the state-leak check, the
        // correctness probes, the pooler's own statistics.
        .target(
            name: "PoolerChecks",
            dependencies: [
                "Engine", "Connection", "DirectIO", "PGWire", "Stats", "Workload",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // pgbench's command line: its option table and parsing, the dry run, `pgbench -i`.
        .target(
            name: "PgbenchCLI",
            dependencies: ["Engine", "PoolerChecks", "Connection", "Workload", "Stats", "PGWire"]
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
                "Engine", "PgbenchCLI", "PoolerChecks", "Connection", "Report", "LocalCluster", "Workload", "Stats", "PGWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Micro-benchmarks of the per-transaction work that is not I/O: `swift run -c release pgswarm-microbench`.
        .executableTarget(name: "pgswarm-microbench", dependencies: ["Stats"], swiftSettings: hotPathSettings),
        .testTarget(
            name: "PGWireTests",
            dependencies: [
                "PGWire", "LocalCluster", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "WorkloadTests", dependencies: ["Workload", "LocalCluster", "TestSupport"]),
        // Resources/: HdrHistogram test vectors, read by path. decode_hlog.py: the Python (hdrh) interop reader.
        .testTarget(name: "StatsTests", dependencies: ["Stats"], exclude: ["Resources", "decode_hlog.py"]),
        // What the integration tests share: the throwaway server and pooler of the test process, pgbench's tables
        // in it, the pgswarm executable run as a user would, a TLS server.
        .target(
            name: "TestSupport",
            dependencies: [
                "LocalCluster", "Engine", "Connection", "PgbenchCLI", "Workload", "Stats",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "ConnectionTests",
            dependencies: [
                "Connection", "TestSupport", "LocalCluster", "PGWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "DirectIOTests",
            dependencies: ["DirectIO", "Connection", "PGWire", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "TestSupport", "PgbenchCLI", "PoolerChecks", "Connection", "DirectIO", "LocalCluster",
                "Stats", "Workload", "PGWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PoolerChecksTests",
            dependencies: [
                "PoolerChecks", "TestSupport", "Engine", "PgbenchCLI", "Connection", "LocalCluster", "Stats",
                "Workload", "PGWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PgbenchCLITests",
            dependencies: ["PgbenchCLI", "TestSupport", "Engine", "PoolerChecks", "Connection", "Workload", "Stats"]
        ),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Stats", "TestSupport", "LocalCluster"]),
        .testTarget(name: "LocalClusterTests", dependencies: ["LocalCluster", "TestSupport"]),
        .testTarget(name: "PackagingTests", dependencies: ["LocalCluster", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
