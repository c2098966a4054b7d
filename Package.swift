// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "trefoil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "trefoil", targets: ["trefoil"]),
        .library(name: "TrefoilCore", targets: ["TrefoilCore"]),
        .library(name: "OneBotV11", targets: ["OneBotV11"]),
        .library(name: "TrefoilServer", targets: ["TrefoilServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // Storage core: group file tree, blobs, config. No HTTP, no OneBot names.
        .target(
            name: "TrefoilCore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // OneBot 11 face: envelopes, params, action table, events. Never imports GRDB or Hummingbird.
        .target(
            name: "OneBotV11",
            dependencies: ["TrefoilCore"]
        ),
        // Transports and wiring: HTTP, WebSocket, lifecycle.
        .target(
            name: "TrefoilServer",
            dependencies: [
                "TrefoilCore",
                "OneBotV11",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "trefoil",
            dependencies: [
                "TrefoilServer",
                "TrefoilCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "TrefoilCoreTests", dependencies: ["TrefoilCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "OneBotV11Tests", dependencies: ["OneBotV11"]),
        .testTarget(
            name: "TrefoilServerTests",
            dependencies: [
                "TrefoilServer",
                // The tests run the real executable as a child process.
                "trefoil",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
