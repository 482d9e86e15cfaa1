// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "conecta-runbook",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "runbook", targets: ["runbook"]),
        .executable(name: "etl-core", targets: ["etl-core"]),
        .library(name: "RunbookCore", targets: ["RunbookCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The console: templates with escaping on by default, and the Prometheus text format.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The one parser of PostgreSQL URLs (and their PostgresNIO configurations), shared by
        // the runbook's drivers and ledger and by etl-core.
        .target(
            name: "PostgresURLKit",
            dependencies: [
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The pure core: model, parser, validator, expressions, planner, executor, audit, reports.
        .target(
            name: "RunbookCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Step drivers: shell (swift-subprocess), SQL (PostgresNIO), HTTP (AsyncHTTPClient),
        // notify (AsyncHTTPClient for webhooks, SwiftNIO + NIOSSL for SMTP).
        .target(
            name: "RunbookDrivers",
            dependencies: [
                "RunbookCore",
                "PostgresURLKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The team's ledger: audit records, runs, checkpoints in PostgreSQL (PostgresNIO).
        .target(
            name: "RunbookLedger",
            dependencies: [
                "RunbookCore",
                "RunbookDrivers",
                "PostgresURLKit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The web console (`runbook serve`): pages, JSON API, server-sent events and /metrics
        // over the ledger.
        .target(
            name: "RunbookConsole",
            dependencies: [
                "RunbookCore",
                "RunbookDrivers",
                "RunbookLedger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
        ),
        // A run as a library (the orchestration `runbook run` and the runner both drive), and
        // the team's runner: signed run requests over HTTP, streamed back (DESIGN.md, "Team
        // mode: the runner").
        .target(
            name: "RunbookRunner",
            dependencies: [
                "RunbookCore",
                "RunbookDrivers",
                "RunbookLedger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The ETL service the runbooks drive, as a library.
        .target(
            name: "ETLCore",
            dependencies: [
                "PostgresURLKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "runbook",
            dependencies: [
                "RunbookCore",
                "RunbookDrivers",
                "RunbookLedger",
                "RunbookConsole",
                "RunbookRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "etl-core",
            dependencies: [
                "ETLCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RunbookCoreTests", dependencies: ["RunbookCore"]),
        .testTarget(name: "RunbookLedgerTests", dependencies: ["RunbookLedger", "RunbookCore"]),
        .testTarget(name: "PostgresURLKitTests", dependencies: ["PostgresURLKit", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(
            name: "RunbookDriversTests",
            dependencies: [
                "RunbookDrivers", "RunbookCore", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "ETLCoreTests",
            dependencies: [
                "ETLCore", "PostgresURLKit",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The CLI tests run the built binary; the incident tests reuse the notify tests' HTTP
        // receiver (Tests/RunbookCLITests/TestNotifyReceiver.swift links to it).
        .testTarget(
            name: "RunbookCLITests",
            dependencies: [
                "RunbookCore", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)

// Strict settings for every target, in one loop (as swift-log does).
for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    // The runbook engine's own targets: an import is internal unless it says `public import`,
    // and a member is visible only where its module is imported. The compiler keeps the
    // core's API free of Yams and Crypto, and every file names what it uses.
    if ["PostgresURLKit", "RunbookCore", "RunbookDrivers", "RunbookLedger", "RunbookConsole", "RunbookRunner", "runbook"].contains(target.name) {
        settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
        settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    }
    target.swiftSettings = settings
}
