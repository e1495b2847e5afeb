// swift-tools-version: 6.1
// A libFuzzer harness for PGWire's backend decoder, kept out of the main package so that its
// sanitizer build never touches the main build. Build and run it with Scripts/fuzz-decoder.sh.
import PackageDescription

let package = Package(
    name: "pgswarm-fuzz",
    dependencies: [
        // Named explicitly: a path dependency is otherwise known by its directory name.
        .package(name: "pgswarm", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzBackendDecoder",
            dependencies: [
                .product(name: "PGWire", package: "pgswarm"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
