// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "runbook",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "runbook", targets: ["runbook"]),
    .library(name: "RunbookKit", targets: ["RunbookKit"]),
    .library(name: "RunbookActions", targets: ["RunbookActions"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    .package(url: "https://github.com/apple/swift-certificates", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-asn1", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.60.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"])]
    ),
    .target(name: "RunbookYAML", dependencies: ["CYAML"], exclude: ["README.md"]),
    .target(
      name: "RunbookKit",
      dependencies: ["RunbookYAML", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["README.md"]
    ),
    .target(name: "CProcessSupport", exclude: ["README.md"]),
    .target(
      name: "RunbookActions",
      dependencies: [
        "RunbookKit", "RunbookYAML", "CProcessSupport",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      exclude: ["README.md"]
    ),
    .target(
      name: "RunbookHosts",
      dependencies: ["RunbookKit", "RunbookActions", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["README.md"]
    ),
    .target(
      name: "RunbookStore",
      dependencies: ["RunbookKit", .product(name: "GRDB", package: "GRDB.swift")],
      exclude: ["README.md"]
    ),
    .executableTarget(
      name: "runbook",
      dependencies: [
        "RunbookKit", "RunbookActions", "RunbookHosts", "RunbookStore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      exclude: ["README.md"]
    ),
    .target(name: "RunbookTestSupport", dependencies: ["RunbookKit", "RunbookActions"], exclude: ["README.md"]),
    .testTarget(name: "RunbookStoreTests", dependencies: ["RunbookStore", "RunbookTestSupport"]),
    .testTarget(name: "RunbookYAMLTests", dependencies: ["RunbookYAML", "RunbookTestSupport"]),
    .testTarget(
      name: "RunbookKitTests",
      dependencies: ["RunbookKit", "RunbookActions", "RunbookTestSupport"],
      exclude: []
    ),
    .testTarget(
      name: "RunbookCLITests",
      dependencies: ["runbook", "RunbookStore", "RunbookTestSupport"],
      exclude: ["__Snapshots__", "Fixtures"]
    ),
  ]
)
