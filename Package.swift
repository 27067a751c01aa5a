// swift-tools-version: 6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "vmib",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vmib", targets: ["vmib"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "VMIBCore", swiftSettings: swiftSettings),
        .target(name: "VMIBStore",
                dependencies: ["VMIBCore", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: swiftSettings),
        .target(name: "VMIBTransfer",
                dependencies: ["VMIBCore", "CCurl", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swiftSettings),
        .target(name: "VMIBReplication",
                dependencies: ["VMIBCore", "VMIBStore", "VMIBTransfer"],
                swiftSettings: swiftSettings),
        .target(name: "VMIBBuild",
                dependencies: ["VMIBCore", "VMIBTransfer"],
                swiftSettings: swiftSettings),
        .target(name: "VMIBService",
                dependencies: ["VMIBCore", "VMIBStore", "VMIBTransfer", "VMIBReplication", "VMIBBuild"],
                swiftSettings: swiftSettings),
        .target(name: "VMIBCLI",
                dependencies: ["VMIBService", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swiftSettings),
        .executableTarget(name: "vmib", dependencies: ["VMIBCLI"], swiftSettings: swiftSettings),
        .executableTarget(name: "vmib-bench",
                          dependencies: ["VMIBService", "VMIBTransfer", "VMIBReplication", "VMIBStore"],
                          swiftSettings: swiftSettings),
        .target(name: "VMIBTestSupport", dependencies: ["VMIBTransfer"], path: "Tests/VMIBTestSupport",
                swiftSettings: swiftSettings),
        .testTarget(name: "VMIBCoreTests", dependencies: ["VMIBCore"], swiftSettings: swiftSettings),
        .testTarget(name: "VMIBStoreTests", dependencies: ["VMIBStore"], swiftSettings: swiftSettings),
        .testTarget(name: "VMIBTransferTests", dependencies: ["VMIBTransfer", "VMIBTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "VMIBBuildTests", dependencies: ["VMIBBuild", "VMIBTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "VMIBReplicationTests", dependencies: ["VMIBReplication", "VMIBTransfer", "VMIBTestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "VMIBCLITests", dependencies: ["VMIBService", "VMIBTransfer", "VMIBTestSupport"],
                    swiftSettings: swiftSettings),
    ]
)
