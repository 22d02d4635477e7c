// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "custos",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Cedar", targets: ["Cedar"]),
        .library(name: "CustosCore", targets: ["CustosCore"]),
        .executable(name: "custos", targets: ["custos"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        .target(name: "Cedar", swiftSettings: swiftSettings),
        .target(name: "CustosCore", swiftSettings: swiftSettings),
        .target(
            name: "CustosIdentity",
            dependencies: [
                "CustosCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CustosPolicy", dependencies: ["Cedar", "CustosCore"], swiftSettings: swiftSettings),
        .target(
            name: "CustosGuardrails", dependencies: ["Cedar", "CustosCore", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources/injection-model.json"), .copy("Resources/given-names.txt")], swiftSettings: swiftSettings
        ),
        .target(
            name: "CustosAudit",
            dependencies: ["CustosCore", "Cedar", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CustosStore",
            dependencies: [
                "CustosCore", "CustosAudit", "CustosGuardrails", "CustosPolicy", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CustosServer",
            dependencies: [
                "Cedar", "CustosAudit", "CustosCore", "CustosGuardrails", "CustosIdentity", "CustosPolicy", "CustosStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "custos",
            dependencies: [
                "Cedar", "CustosAudit", "CustosCore", "CustosGuardrails", "CustosIdentity", "CustosPolicy", "CustosServer",
                "CustosStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CustosTestSupport", dependencies: ["CustosAudit", "CustosStore"], path: "Tests/CustosTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosServerTests",
            dependencies: [
                "CustosAudit", "CustosCore", "CustosGuardrails", "CustosIdentity", "CustosPolicy", "CustosStore", "CustosServer", "custos",
                "CustosTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosAuditTests",
            dependencies: [
                "Cedar", "CustosAudit", "CustosCore", "CustosStore", "CustosTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosPolicyTests",
            dependencies: [
                "Cedar", "CustosCore", "CustosPolicy", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosGuardrailsTests",
            dependencies: ["CustosGuardrails", "CustosTestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CedarTests",
            dependencies: [
                "Cedar", "custos", "CustosTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
