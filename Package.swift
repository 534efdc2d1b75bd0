// swift-tools-version: 6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 mode comes from the tools version,
/// warnings are errors in our own code only, and imports are explicit about what they leak.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// The statusd binary carries the Swift runtime and Foundation in itself, in every build: the binary the
/// tests run is the one the package ships (scripts/package.sh), needing only the system's libraries.
/// `swift build --static-swift-stdlib` would do it for the release build alone, and cannot build the
/// tests (the static SDK has no Testing module); so the executable alone is linked with `-static-stdlib`
/// and the libraries static Foundation names (what `swift-autolink-extract` reads from
/// swift_static/linux/libFoundation*.a; FoundationNetworking adds its libcurl shim), which modules
/// compiled against the shared Foundation do not name.
let staticRuntime = [
    "-static-stdlib", "-lCoreFoundation", "-lFoundationEssentials", "-lFoundationInternationalization",
    "-l_FoundationCShims", "-l_FoundationCollections", "-l_FoundationICU", "-lswiftSynchronization",
    "-lswiftDispatch", "-lswift_RegexParser", "-lswift_StringProcessing", "-lBlocksRuntime", "-lutil",
    "-l_CFURLSessionInterface", "-lcurl",
]

let package = Package(
    name: "statusd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "statusd", targets: ["statusd"]),
        .executable(name: "statusbench", targets: ["Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSLCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // libcurl, for mail (Sources/Server/Mail/SMTPTransport.swift says why); the header wraps its
        // variadic option setters, which Swift cannot call.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CPlatform"),
        .target(
            name: "Engine",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Persistence",
            dependencies: [
                "Engine",
                "CLZ4",
                "CPlatform",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        // The server, one target per concern under Sources/Server (docs/ARCHITECTURE.md): each depends
        // only on those above it in this list, so a wrong-way reference is a compile error.
        .target(
            name: "Wire",
            dependencies: [
                "Engine",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            path: "Sources/Server/Wire",
            swiftSettings: strictSettings
        ),
        .target(
            name: "Outbound",
            dependencies: [
                "Engine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Server/Outbound",
            swiftSettings: strictSettings
        ),
        // The guarded HTTP client on AsyncHTTPClient, apart from the addresses and the policy it checks
        // (Outbound), which the fuzz build links without an HTTP and TLS stack.
        .target(
            name: "OutboundClient",
            dependencies: [
                "Outbound",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Server/OutboundClient",
            swiftSettings: strictSettings
        ),
        // The event log on PostgreSQL (cluster mode): its own target, so that Persistence never imports
        // a database client.
        .target(
            name: "PostgresLog",
            dependencies: [
                "Engine", "Persistence",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Server/PostgresLog",
            resources: [
                .embedInCode("Resources/schema-v1.sql"), .embedInCode("Resources/schema-v2.sql"),
                .embedInCode("Resources/schema-v3.sql"), .embedInCode("Resources/schema-v4.sql"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Auth",
            dependencies: [
                "Engine", "Wire", "CPlatform", "COpenSSLCrypto",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            path: "Sources/Server/Auth",
            swiftSettings: strictSettings
        ),
        .target(
            name: "Live",
            dependencies: [
                "Engine", "Wire", "Auth",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Sources/Server/Live",
            swiftSettings: strictSettings
        ),
        .target(
            name: "Lifecycle",
            dependencies: [
                "Engine", "Persistence", "Auth", "Live", "PostgresLog", "CPlatform",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            path: "Sources/Server/Lifecycle",
            swiftSettings: strictSettings
        ),
        // Mail: messages as RFC 5322 and MIME write them, and an SMTP transport (libcurl).
        .target(
            name: "Mail",
            dependencies: [
                "CCurl", "CPlatform",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Server/Mail",
            swiftSettings: strictSettings
        ),
        // Telling subscribers: the deliverer, its messages (Statuspage's webhook shape, Slack, Teams,
        // Discord) and how they leave (the guarded client).
        .target(
            name: "Notify",
            dependencies: [
                "Engine", "Wire", "Auth", "OutboundClient", "Mail", "CPlatform",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Server/Notify",
            resources: [
                .embedInCode("Resources/mail-notice.txt.mustache"),
                .embedInCode("Resources/mail-notice.html.mustache"),
                .embedInCode("Resources/mail-subscription.txt.mustache"),
                .embedInCode("Resources/mail-subscription.html.mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HTTP",
            dependencies: [
                "Engine", "Persistence", "Wire", "Outbound", "OutboundClient", "Auth", "Live", "Lifecycle",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Server/HTTP",
            // Pages, styles, scripts and templates as files a person and their tools can read, compiled
            // into the binary (statusd ships as one file with nothing to install).
            resources: [
                .embedInCode("Resources/status.css"),
                .embedInCode("Resources/status.js"),
                .embedInCode("Resources/dashboard.html"),
                .embedInCode("Resources/dashboard.css"),
                .embedInCode("Resources/dashboard.js"),
                .embedInCode("Resources/docs.html"),
                .embedInCode("Resources/docs.css"),
                .embedInCode("Resources/docs.js"),
                .embedInCode("Resources/page-head.mustache"),
                .embedInCode("Resources/page-foot.mustache"),
                .embedInCode("Resources/page-incident.mustache"),
                .embedInCode("Resources/page-maintenance.mustache"),
                .embedInCode("Resources/page-status.mustache"),
                .embedInCode("Resources/page-history.mustache"),
                .embedInCode("Resources/page-permalink.mustache"),
                .embedInCode("Resources/page-subscription.mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "StatuspageCompat",
            dependencies: [
                "Engine", "Persistence", "Wire", "Auth", "HTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            path: "Sources/Server/StatuspageCompat",
            resources: [
                .embedInCode("Resources/embed.js"), .embedInCode("Resources/badge.svg.mustache"),
                .embedInCode("Resources/feed.rss.mustache"), .embedInCode("Resources/feed.atom.mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "statusd",
            dependencies: [
                "Engine", "Persistence", "Wire", "Outbound", "OutboundClient", "Auth", "Live", "Lifecycle", "HTTP",
                "StatuspageCompat", "PostgresLog", "Notify", "Mail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Sources/Server/statusd",
            swiftSettings: strictSettings,
            linkerSettings: [.unsafeFlags(staticRuntime, .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Engine",
                "Persistence",
                "PostgresLog",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                "CPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "TestSupport", .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PersistenceTests",
            dependencies: [
                "Persistence", "Engine", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        // End-to-end tests spawn the statusd binary and talk to it over real sockets; they link
        // nothing of ours, so a test can only see what a client sees.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "TestSupport",
                // To sign the OpenID Connect tokens the tests present (keys the test makes).
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            // The Python clients the tests run (live_client.py), read from the source tree.
            exclude: ["Scripts", "Schemas", "Fixtures"],
            swiftSettings: strictSettings
        ),
        // A unit test target per server target with logic worth testing below the process level.
        .testTarget(
            name: "WireTests",
            dependencies: ["Wire", "Engine", .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: strictSettings),
        .testTarget(
            name: "OutboundTests", dependencies: ["Outbound", "OutboundClient"], swiftSettings: strictSettings),
        .testTarget(
            name: "PostgresLogTests",
            dependencies: [
                "PostgresLog", "Engine", "Persistence", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "HashTreeCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "Engine"], swiftSettings: strictSettings),
        .testTarget(
            name: "NotifyTests",
            dependencies: [
                "Notify", "Mail", "Engine", "Persistence", "Auth", "TestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "LiveTests",
            dependencies: [
                "Live", "Engine", "Wire", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSettings),
    ]
)

// The libFuzzer harness (Tests/Fuzz), only in the fuzz build: `scripts/fuzz.sh` sets STATUSD_FUZZ and
// builds it with -sanitize=fuzzer,address in .build-fuzz. libFuzzer brings its own `main`, so the
// target exists nowhere else (an ordinary build could not link it).
if Context.environment["STATUSD_FUZZ"] != nil {
    package.products.append(.executable(name: "statusd-fuzz", targets: ["Fuzz"]))
    package.targets.append(
        .executableTarget(
            name: "Fuzz",
            dependencies: [
                "Engine", "Persistence", "Wire", "Outbound", .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/Fuzz",
            exclude: ["Corpus"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}
