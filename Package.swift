// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Tollgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tollgate-gateway", targets: ["tollgate-gateway"]),
        .executable(name: "tollgate-auth", targets: ["tollgate-auth"]),
        .executable(name: "tollgate-billing", targets: ["tollgate-billing"]),
        .executable(name: "tollgate-webhook", targets: ["tollgate-webhook"]),
        .executable(name: "tollgate-notifier", targets: ["tollgate-notifier"]),
        .executable(name: "tollgate-credentials", targets: ["tollgate-credentials"]),
        .executable(name: "tollgate-stripe-sandbox", targets: ["tollgate-stripe-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.24.0"),
    ],
    targets: [
        // C libraries, found through pkg-config.
        .systemLibrary(
            name: "CNats", path: "Shared/CNats", pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"]), .brew(["cnats"])]),
        .systemLibrary(
            name: "CArgon2", path: "Shared/CArgon2", pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"]), .brew(["argon2"])]),

        // Shared building blocks.
        .target(
            name: "TollgateMessaging", dependencies: ["CNats", .product(name: "Logging", package: "swift-log")],
            path: "Shared/Messaging", swiftSettings: swiftSettings),
        .target(
            name: "TollgateContracts", dependencies: [],
            path: "Shared/Contracts", swiftSettings: swiftSettings),
        .target(
            name: "TollgateConfig", dependencies: [],
            path: "Shared/Config", swiftSettings: swiftSettings),
        .target(
            name: "TollgateSecurity",
            dependencies: [
                "CArgon2", "TollgateContracts",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/Security", swiftSettings: swiftSettings),
        .target(
            name: "TollgateBusAccess", dependencies: ["TollgateContracts", "TollgateConfig", "TollgateSecurity"],
            path: "Shared/BusAccess", swiftSettings: swiftSettings),
        .target(
            name: "TollgatePersistence",
            dependencies: [
                "TollgateMessaging", "TollgateContracts", "TollgateConfig", "TollgateSecurity",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Persistence", swiftSettings: swiftSettings),
        .target(
            name: "TollgateServiceKit",
            dependencies: [
                "TollgateMessaging", "TollgateContracts", "TollgateConfig", "TollgateSecurity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/ServiceKit", swiftSettings: swiftSettings),

        // The public HTTP listeners' shared parts (gateway and Webhook): slow-client deadlines, security headers.
        .target(
            name: "TollgateHTTPServer",
            dependencies: [
                "TollgateConfig",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            path: "Shared/HTTPServer", swiftSettings: swiftSettings),

        // Services: a library with the logic and a thin executable each.
        .target(
            name: "GatewayService",
            dependencies: [
                "TollgateServiceKit", "TollgateSecurity", "TollgateHTTPServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Services/Gateway/Sources", swiftSettings: swiftSettings),
        .executableTarget(
            name: "tollgate-gateway",
            dependencies: ["GatewayService", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Gateway/Main", swiftSettings: swiftSettings),
        .target(
            name: "AuthService",
            dependencies: [
                "TollgateServiceKit", "TollgateSecurity", "TollgatePersistence",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Services/Auth/Sources", resources: [.copy("Passwords/common-passwords.txt")],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tollgate-auth",
            dependencies: ["AuthService", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Auth/Main", swiftSettings: swiftSettings),
        .target(
            name: "BillingService",
            dependencies: [
                "TollgateServiceKit", "TollgatePersistence", .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Services/Billing/Sources", swiftSettings: swiftSettings),
        .executableTarget(
            name: "tollgate-billing",
            dependencies: ["BillingService", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Billing/Main", swiftSettings: swiftSettings),
        .target(
            name: "WebhookService",
            dependencies: [
                "TollgateServiceKit", "TollgateSecurity", "TollgateHTTPServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Services/Webhook/Sources", swiftSettings: swiftSettings),
        .executableTarget(
            name: "tollgate-webhook",
            dependencies: ["WebhookService", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Webhook/Main", swiftSettings: swiftSettings),
        .target(
            name: "NotifierService",
            dependencies: [
                "TollgateServiceKit", "TollgatePersistence",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ],
            path: "Services/Notifier/Sources",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "tollgate-notifier",
            dependencies: ["NotifierService", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Notifier/Main", swiftSettings: swiftSettings),
        // Makes and rotates the deployment's NATS identities, the email key and the server's permissions.
        .executableTarget(
            name: "tollgate-credentials",
            dependencies: ["TollgateBusAccess", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Services/Credentials/Main", swiftSettings: swiftSettings),

        // Development and CI only: a Stripe that speaks Stripe's wire format, for `make run` without
        // Stripe keys and for the tests (one implementation for both).
        .target(
            name: "StripeSandbox",
            dependencies: [
                "TollgateContracts", "TollgateSecurity", "TollgateConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Services/StripeSandbox/Sources", resources: [.copy("stripe-params.json")], swiftSettings: swiftSettings),
        .executableTarget(
            name: "tollgate-stripe-sandbox",
            dependencies: [
                "StripeSandbox", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Services/StripeSandbox/Main", swiftSettings: swiftSettings),

        // Tests.
        .target(
            name: "TollgateTestSupport",
            dependencies: [
                "GatewayService", "AuthService", "BillingService", "WebhookService", "NotifierService", "TollgateBusAccess",
                "StripeSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport", exclude: ["smtp_sink.py"], swiftSettings: swiftSettings),
        // `make bench`'s Stripe: the sandbox with paid subscriptions made up front, their events posted at once.
        .executableTarget(
            name: "tollgate-stripe-stand-in",
            dependencies: ["TollgateTestSupport", "StripeSandbox", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/StripeStandInMain", swiftSettings: swiftSettings),
        // `make bench`'s upstream app, for the route to an HTTP upstream.
        .executableTarget(
            name: "tollgate-bench-upstream",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/BenchUpstreamMain", swiftSettings: swiftSettings),
        .testTarget(
            name: "SharedTests",
            dependencies: ["TollgateTestSupport", .product(name: "FluentKit", package: "fluent-kit")],
            path: "Tests/SharedTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["TollgateTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/GatewayTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "BillingTests",
            dependencies: ["TollgateTestSupport", "StripeSandbox", .product(name: "HummingbirdTesting", package: "hummingbird")],
            path: "Tests/BillingTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "WebhookTests",
            dependencies: ["TollgateTestSupport"],
            path: "Tests/WebhookTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "NotifierTests",
            dependencies: ["TollgateTestSupport"],
            path: "Tests/NotifierTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "AuthTests",
            dependencies: ["TollgateTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/AuthTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "TollgateTestSupport", "StripeSandbox", .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/EndToEndTests", swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
