// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

// The doors (server, CLI) see only what they import: with MemberImportVisibility a member of a module
// they link transitively (the store, through the application layer) does not compile there.
let door: [SwiftSetting] = strict + [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "overdue",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "overdue", targets: ["overdue"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        .target(
            name: "OverdueCore",
            swiftSettings: strict
        ),
        .target(
            name: "OverdueLanguage",
            dependencies: ["OverdueCore"],
            swiftSettings: strict
        ),
        .target(
            name: "OverdueMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OverdueStore",
            dependencies: [
                "OverdueCore",
                .product(name: "SQLKit", package: "sql-kit"),
                // For its bundled SQLite (module VaporCSQLite), which `SQLiteDB` drives directly.
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OverdueChannels",
            dependencies: [
                "OverdueCore", "OverdueMail",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OverdueAgents",
            dependencies: [
                "OverdueCore", "OverdueStore", "OverdueChannels", "OverdueLanguage", "OverdueMail",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OverdueUseCases",
            dependencies: [
                "OverdueCore", "OverdueStore", "OverdueAgents", "OverdueChannels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OverdueServer",
            dependencies: [
                "OverdueCore", "OverdueAgents", "OverdueChannels", "OverdueUseCases",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Resources/openapi.json")],
            swiftSettings: door
        ),
        .executableTarget(
            name: "overdue",
            dependencies: [
                "OverdueCore", "OverdueAgents", "OverdueServer", "OverdueChannels", "OverdueLanguage", "OverdueMail", "OverdueUseCases",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: door
        ),
        .target(name: "OverdueTestSupport", dependencies: ["OverdueStore", "OverdueCore"], swiftSettings: strict),
        .testTarget(name: "OverdueCoreTests", dependencies: ["OverdueCore"], swiftSettings: strict),
        .testTarget(name: "OverdueLanguageTests", dependencies: ["OverdueLanguage", "OverdueCore"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(
            name: "OverdueMailTests",
            dependencies: [
                "OverdueMail", "OverdueCore", .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "OverdueStoreTests", dependencies: ["OverdueStore", "OverdueCore", "OverdueTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "OverdueAgentsTests",
            dependencies: [
                "OverdueAgents", "OverdueStore", "OverdueCore", "OverdueChannels", "OverdueTestSupport", "OverdueMail", "OverdueUseCases",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OverdueUseCasesTests", dependencies: ["OverdueUseCases", "OverdueAgents", "OverdueStore", "OverdueCore", "OverdueTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "OverdueServerTests",
            dependencies: [
                "OverdueServer", "OverdueAgents", "OverdueStore", "OverdueCore", "OverdueChannels", "OverdueTestSupport", "OverdueUseCases",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OverdueCLITests",
            dependencies: [
                "OverdueCore", "OverdueStore", "OverdueChannels", "OverdueTestSupport", "OverdueMail",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ], exclude: ["Golden"], swiftSettings: strict),
    ]
)
