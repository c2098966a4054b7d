// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "trefoil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "trefoil", targets: ["trefoil"]),
        .library(name: "TrefoilCore", targets: ["TrefoilCore"]),
        .library(name: "TrefoilJSON", targets: ["TrefoilJSON"]),
        .library(name: "TrefoilConfiguration", targets: ["TrefoilConfiguration"]),
        .library(name: "OneBotV11", targets: ["OneBotV11"]),
        .library(name: "TrefoilMultipart", targets: ["TrefoilMultipart"]),
        .library(name: "TrefoilFaceKit", targets: ["TrefoilFaceKit"]),
        .library(name: "TrefoilServer", targets: ["TrefoilServer"]),
        .library(name: "TrefoilImaging", targets: ["TrefoilImaging"]),
        .library(name: "TrefoilMedia", targets: ["TrefoilMedia"]),
        .library(name: "EasemobFace", targets: ["EasemobFace"]),
        .library(name: "QiniuFace", targets: ["QiniuFace"]),
        .library(name: "TrefoilMetrics", targets: ["TrefoilMetrics"]),
        .library(name: "TrefoilConsole", targets: ["TrefoilConsole"]),
        .library(name: "TrefoilS3", targets: ["TrefoilS3"]),
        .library(name: "TrefoilS3Blobs", targets: ["TrefoilS3Blobs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        // Hummingbird's request and response types; declared because the faces and transports name them directly.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // HS256 user tokens of the Qiniu IM face (JWTs an app's own server signs).
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        // `/metrics`: the faces and transports record through swift-metrics' API; each gateway's own Prometheus
        // registry renders the text format.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The web console's server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // The S3 client's HTTP (TrefoilS3).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Base64 decoded and encoded in memory the caller gives (a fragment straight into a reused page-aligned
        // buffer, a range straight into its frame), which Foundation's `Data(base64Encoded:)` and
        // `base64EncodedData()` cannot do; TrefoilJSON's Base64Codec leaves it the tails, padding and errors.
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
    ],
    targets: [
        // Linux calls Swift's Glibc module does not reach (openat2, O_PATH, renameat2).
        .target(name: "CTrefoilLinux"),
        // Base64 of whole blocks with AVX2 (TrefoilJSON's Base64Codec does the rest); base64.c says why by hand.
        .target(name: "CTrefoilBase64"),
        // JSON for every face and the config file: one value type, one parser (fast frames; documents in order with
        // line and column), one writer, and the base64 that large strings carry. Nothing of the store or the
        // transports, so any face may use it.
        .target(
            name: "TrefoilJSON",
            dependencies: ["CTrefoilBase64", .product(name: "ExtrasBase64", package: "swift-extras-base64")]),
        // The config file: its keys, their rules and defaults, environment overrides, one line per problem. It
        // names the transports and faces it configures, so it lives outside the core, which never sees it.
        .target(name: "TrefoilConfiguration", dependencies: ["TrefoilJSON"]),
        // Storage core: file tree, blobs, signing, events. No HTTP, no protocol names, no config file.
        .target(
            name: "TrefoilCore",
            dependencies: [
                "CTrefoilLinux",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What more than one target records (uploads and downloads by face and source), with swift-metrics' API and
        // the factory each gateway hands down; the core records nothing and imports none of it.
        .target(
            name: "TrefoilMetrics", dependencies: [.product(name: "CoreMetrics", package: "swift-metrics")]),
        // The OneBot 11 action catalog: names, aliases, params. No dependencies, so that the docs tool
        // built for the plugin stays tiny.
        .target(name: "OneBotSpec"),
        // OneBot 11 face: envelopes, params, action table, events. Never imports GRDB or Hummingbird.
        .target(
            name: "OneBotV11",
            dependencies: [
                "TrefoilCore", "TrefoilConfiguration", "TrefoilJSON", "OneBotSpec", "TrefoilMetrics",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Streaming multipart/form-data scanning: bytes in, part events out. No dependencies, so any face may use it.
        .target(name: "TrefoilMultipart"),
        // The seam between the transports and the faces: the `Face` protocol, what a face is given, and the transport
        // services every face calls (upload streaming, download routes served by the shared sendfile pipeline). A face
        // target imports this, the core, the config target and Hummingbird, and never another face.
        .target(
            name: "TrefoilFaceKit",
            dependencies: [
                "TrefoilCore",
                "TrefoilConfiguration",
                "TrefoilMultipart",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ]
        ),
        // libvips, the image library the thumbnails are made with (Debian's libvips-dev; `.ci/run` installs it).
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        // Non-variadic wrappers of the few libvips calls Swift cannot make itself (variadic C functions and VIPS_INIT).
        .target(name: "CTrefoilVips", dependencies: ["CVips"]),
        // Image headers and thumbnails (JPEG, PNG, GIF, WebP in; JPEG or PNG out), decoded off the cooperative pool
        // within a pixel bound. Protocol-free and store-free: a face hands it a file path.
        .target(name: "TrefoilImaging", dependencies: ["CVips", "CTrefoilVips"]),
        // Video covers and voice transcoding (AMR, MP3) with Debian's ffmpeg run as a child process (`.ci/run` installs
        // it), within a time, memory and output bound. Protocol-free and store-free: a face hands it file paths.
        .target(name: "TrefoilMedia", dependencies: ["CTrefoilLinux"]),
        // Transports and wiring: the listener, WebSocket, outbound clients, lifecycle; hosts the OneBot 11 face.
        .target(
            name: "TrefoilServer",
            dependencies: [
                "TrefoilCore",
                "TrefoilConfiguration",
                "TrefoilFaceKit",
                "TrefoilJSON",
                "OneBotV11",
                "TrefoilMetrics",
                "TrefoilS3",
                "TrefoilS3Blobs",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The Easemob / Agora Chat REST face: app tokens, chat files with secrets and thumbnails, group share files
        // and announcements. A face: the seam, the core, the config, JSON and imaging; never another face.
        .target(
            name: "EasemobFace",
            dependencies: [
                "TrefoilCore",
                "TrefoilConfiguration",
                "TrefoilFaceKit",
                "TrefoilJSON",
                "TrefoilMetrics",
                "TrefoilImaging",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The Qiniu IM (MaxIM) file face: upload tickets, forwarding, downloads with thumbnails, covers and voice
        // formats, avatars. A face: the seam, the core, the config, JSON, imaging and media; never another face.
        .target(
            name: "QiniuFace",
            dependencies: [
                "TrefoilCore",
                "TrefoilConfiguration",
                "TrefoilFaceKit",
                "TrefoilJSON",
                "TrefoilMetrics",
                "TrefoilImaging",
                "TrefoilMedia",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The web console for admins at /console/ (docs/console.md): Mustache pages, one script and one style sheet,
        // shipped as resources. A face: the seam, the core and the config; never another face.
        .target(
            name: "TrefoilConsole",
            dependencies: [
                "TrefoilCore",
                "TrefoilConfiguration",
                "TrefoilFaceKit",
                "TrefoilJSON",
                "TrefoilMetrics",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        // A small client of S3-compatible object storage: AWS Signature Version 4 (headers and presigned URLs) and the
        // object and multipart calls the blob store makes, over async-http-client. Written
        // here because no maintained S3 SDK is among the packages this project may use. Store-free and face-free.
        .target(
            name: "TrefoilS3",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]),
        // The S3 blob backend: the core's `BlobBackend` over TrefoilS3's client (issue 17). Knows the store's seam and
        // the client, nothing of faces or transports.
        .target(
            name: "TrefoilS3Blobs",
            dependencies: [
                "TrefoilCore", "TrefoilS3",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "trefoil",
            dependencies: [
                "EasemobFace",
                "QiniuFace",
                "TrefoilConsole",
                "TrefoilServer",
                "TrefoilCore",
                "TrefoilConfiguration",
                "TrefoilFaceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The benchmark (issue 5): starts the real `trefoil` binary and drives it over HTTP and WebSocket.
        .executableTarget(
            name: "trefoil-bench",
            dependencies: [
                // The gateway's base64 codec for the fragment client, so that the client does not limit those rows.
                "TrefoilJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Renders docs/actions.md; depends on the catalog alone so that the plugin builds little.
        .executableTarget(name: "trefoil-docgen", dependencies: ["OneBotSpec"]),
        .plugin(
            name: "ActionDocs",
            capability: .command(
                intent: .custom(verb: "generate-action-docs", description: "Regenerate docs/actions.md"),
                permissions: [.writeToPackageDirectory(reason: "writes docs/actions.md")]),
            dependencies: ["trefoil-docgen"]
        ),
        // What every test target shares: deterministic test bytes, their digests, temp directories, config text.
        .target(
            name: "TrefoilTestSupport",
            dependencies: ["TrefoilConfiguration", "CTrefoilLinux", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/TrefoilTestSupport"),
        .testTarget(
            name: "TrefoilCoreTests",
            dependencies: [
                "TrefoilCore", "CTrefoilLinux", "TrefoilTestSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        .testTarget(name: "TrefoilJSONTests", dependencies: ["TrefoilJSON"]),
        // The published Signature Version 4 test suite is in Vectors/ (see its README).
        .testTarget(
            name: "TrefoilS3Tests",
            dependencies: ["TrefoilS3", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Vectors")]),
        // The config machinery is tested with the sections real faces declare (OneBot 11's, Easemob's).
        .testTarget(
            name: "TrefoilConfigurationTests",
            dependencies: [
                "TrefoilConfiguration", "OneBotV11", "EasemobFace", "QiniuFace", "TrefoilConsole", "TrefoilTestSupport",
            ]),
        .testTarget(name: "TrefoilMultipartTests", dependencies: ["TrefoilMultipart"]),
        // The test images are made with libvips itself, through CVips.
        .testTarget(name: "TrefoilImagingTests", dependencies: ["TrefoilImaging", "CVips", "TrefoilTestSupport"]),
        // The test clips are made with ffmpeg itself, from its built-in sources (lavfi).
        .testTarget(name: "TrefoilMediaTests", dependencies: ["TrefoilMedia", "TrefoilTestSupport"]),
        .testTarget(
            name: "OneBotV11Tests",
            dependencies: ["OneBotV11", "OneBotSpec", "TrefoilCore", "TrefoilJSON", "TrefoilTestSupport"]),
        .testTarget(
            name: "TrefoilServerTests",
            dependencies: [
                "TrefoilServer",
                "TrefoilCore",
                "TrefoilConfiguration",
                "TrefoilFaceKit",
                "TrefoilTestSupport",
                // The tests run the real executable as a child process.
                "trefoil",
                "EasemobFace",
                "QiniuFace",
                "TrefoilConsole",
                "OneBotV11",
                "TrefoilJSON",
                "TrefoilS3",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
