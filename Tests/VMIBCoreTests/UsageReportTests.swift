import Foundation
import Testing
@testable import VMIBCore

@Suite struct UsageReportTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let gib = Int64(1) << 30

    func ref(_ image: String = "I", _ version: String = "1.0.0") -> VersionRef {
        VersionRef(image: ImageRef(gallery: GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "G"), image: image),
                   version: try! VersionNumber(parsing: version))
    }

    func transfer(_ from: String, _ to: String, _ bytes: Int64, at offset: TimeInterval = 0, image: String = "I") -> UsageEvent {
        .transfer(at: t0 + offset, version: ref(image), from: from, to: to, storageAccountType: .Standard_LRS, bytes: bytes, requests: 3)
    }

    @Test func sumsBytesPerLinkAndCountsInRegionCopiesApart() {
        let events = [transfer("origin", "eastus", 100), transfer("eastus", "eastus", 100), transfer("origin", "westus", 100),
                      transfer("eastus", "eastus", 100)]
        let r = UsageReport.make(events: events, stored: [], since: nil, by: .region, prices: nil)
        #expect(r.links.map { "\($0.from)>\($0.to):\($0.transfers):\($0.bytes):\($0.inRegion)" }
                == ["eastus>eastus:2:200:true", "origin>eastus:1:100:false", "origin>westus:1:100:false"])
        #expect(r.movedBytes == 200)
        #expect(r.inRegionBytes == 200)
        #expect(r.requests.map { "\($0.region)=\($0.requests)" } == ["eastus=9", "westus=3"])
        let eastus = try! #require(r.groups.first { $0.key == "eastus" })
        #expect(eastus.movedBytes == 100 && eastus.inRegionBytes == 200 && eastus.requests == 9)
        #expect(r.estimate == nil)
    }

    @Test func storedBytesAreSummedPerRegionAndStorageType() {
        let stored = [StoredBytes(region: "eastus", storageAccountType: "Standard_LRS", resourceGroup: "rg", gallery: "G", image: "I", replicas: 2, bytes: 200),
                      StoredBytes(region: "eastus", storageAccountType: "Standard_LRS", resourceGroup: "rg", gallery: "G", image: "J", replicas: 1, bytes: 50),
                      StoredBytes(region: "eastus", storageAccountType: "Premium_LRS", resourceGroup: "rg", gallery: "G", image: "I", replicas: 1, bytes: 100)]
        let r = UsageReport.make(events: [], stored: stored, since: nil, by: .image, prices: nil)
        #expect(r.storage.map { "\($0.region)/\($0.storageAccountType)=\($0.replicas)x\($0.bytes)" }
                == ["eastus/Premium_LRS=1x100", "eastus/Standard_LRS=3x250"])
        #expect(r.groups.map { "\($0.key)=\($0.storedBytes)" } == ["rg/G/I=300", "rg/G/J=50"])
        #expect(r.storedBytes == 350)
    }

    @Test func sinceCountsOnlyLaterMovesAndRunsButStorageIsAlwaysNow() {
        let key = TemplateKey(subscription: "s", resourceGroup: "rg", name: "T")
        let events = [transfer("origin", "eastus", 100, at: 0), transfer("origin", "eastus", 7, at: 3600),
                      .build(template: key, runID: "old", start: t0 - 600, end: t0),
                      .build(template: key, runID: "new", start: t0 + 3600, end: t0 + 3600 + 90)]
        let stored = [StoredBytes(region: "eastus", storageAccountType: "Standard_LRS", resourceGroup: "rg", gallery: "G", image: "I", replicas: 1, bytes: 107)]
        let r = UsageReport.make(events: events, stored: stored, since: t0 + 1, by: .template, prices: nil)
        #expect(r.movedBytes == 7)
        #expect(r.builds.map(\.runID) == ["new"])
        #expect(r.buildMinutes == 1.5)
        #expect(r.storedBytes == 107)
        #expect(r.groups.map { "\($0.key):\($0.runs):\($0.buildMinutes)" } == ["rg/T:1:1.5"])
    }

    @Test func priceSheetTurnsFiguresIntoALabelledEstimate() {
        let prices = PriceSheet(currency: "EUR",
                                storagePerGiBMonth: ["Standard_LRS": ["default": 0.05, "westus": 0.10]],
                                transferPerGiB: ["default": 0.02, "inRegion": 0.001, "origin->eastus": 0.01],
                                buildPerMinute: 0.5)
        let stored = [StoredBytes(region: "eastus", storageAccountType: "Standard_LRS", resourceGroup: "rg", gallery: "G", image: "I", replicas: 2, bytes: 2 * gib),
                      StoredBytes(region: "westus", storageAccountType: "Standard_LRS", resourceGroup: "rg", gallery: "G", image: "I", replicas: 1, bytes: gib),
                      StoredBytes(region: "westus", storageAccountType: "Premium_LRS", resourceGroup: "rg", gallery: "G", image: "I", replicas: 1, bytes: gib)]
        let events = [transfer("origin", "eastus", gib), transfer("eastus", "eastus", gib), transfer("origin", "westus", 2 * gib),
                      .build(template: TemplateKey(subscription: "s", resourceGroup: "rg", name: "T"), runID: "r", start: t0, end: t0 + 240)]
        let r = UsageReport.make(events: events, stored: stored, since: nil, by: .region, prices: prices)
        let e = try! #require(r.estimate)
        #expect(e.label == "estimate")
        #expect(e.currency == "EUR")
        #expect(abs(e.storagePerMonth - (2 * 0.05 + 0.10)) < 1e-9)
        #expect(abs(e.transfers - (0.01 + 0.001 + 2 * 0.02)) < 1e-9)
        #expect(abs(e.builds - 4 * 0.5) < 1e-9)
        #expect(abs(e.total - (e.storagePerMonth + e.transfers + e.builds)) < 1e-9)
        #expect(e.unpriced == ["storage Premium_LRS in westus"])
        #expect(e.note.contains("estimate"))
        // The rows share out the storage and moves (runs have no region here: no build region recorded).
        let westus = try! #require(r.groups.first { $0.key == "westus" })
        #expect(abs(westus.estimate! - (0.10 + 2 * 0.02)) < 1e-9)
    }

    @Test func linkPriceFallsBackFromTheLinkToInRegionToDefault() {
        let p = PriceSheet(transferPerGiB: ["default": 3, "inRegion": 1, "eastus->westus": 2])
        #expect(p.transferPrice(UsageLink(from: "eastus", to: "westus")) == 2)
        #expect(p.transferPrice(UsageLink(from: "westus", to: "westus")) == 1)
        #expect(p.transferPrice(UsageLink(from: "origin", to: "westus")) == 3)
        #expect(PriceSheet().transferPrice(UsageLink(from: "origin", to: "westus")) == nil)
    }
}

@Suite struct TopologyPriceSheetTests {
    let catalog = RegionCatalog(regions: ["eastus", "westus"].map {
        CatalogRegion(name: $0, displayName: $0.uppercased(), geography: "x", latitude: 0, longitude: 0, pairedRegion: nil, buildRegion: true)
    })

    func topology(prices: String) throws -> DeploymentTopology {
        try TopologyParser.parse("""
            {"name": "t", "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "e"}}}],
             "prices": \(prices)}
            """, catalog: catalog)
    }

    @Test func readsAPriceSheet() throws {
        let t = try topology(prices: """
            {"currency": "USD", "storagePerGiBMonth": {"Standard_LRS": {"default": 0.05, "eastus": 0.045}},
             "transferPerGiB": {"default": 0.02, "inRegion": 0, "origin->eastus": 0.01, "eastus->westus": 0.02},
             "buildPerMinute": 0.0016}
            """)
        let p = try #require(t.prices)
        #expect(p.storagePrice(type: "Standard_LRS", region: "eastus") == 0.045)
        #expect(p.storagePrice(type: "Standard_LRS", region: "westus") == 0.05)
        #expect(p.transferPrice(UsageLink(from: "origin", to: "eastus")) == 0.01)
        #expect(p.buildPerMinute == 0.0016)
        #expect(try topology(prices: "{}").prices == PriceSheet())
    }

    @Test(arguments: [
        (#"{"buildPerMinute": -1}"#, "prices.buildPerMinute", "-1"),
        (#"{"buildPerMinute": "cheap"}"#, "prices.buildPerMinute", "string"),
        (#"{"storagePerGiBMonth": {"Standard_LRS": {"eastus": -0.01}}}"#, "prices.storagePerGiBMonth.Standard_LRS.eastus", "-0.01"),
        (#"{"storagePerGiBMonth": {"Standard_LRS": {"default": "0.05"}}}"#, "prices.storagePerGiBMonth.Standard_LRS.default", "string"),
        (#"{"transferPerGiB": {"origin->eastus": -2}}"#, "prices.transferPerGiB.origin->eastus", "-2"),
        (#"{"transferPerGiB": {"inRegion": null}}"#, "prices.transferPerGiB.inRegion", "null"),
        (#"{"storagePerGiBMonth": {"Ultra_LRS": {"default": 1}}}"#, "prices.storagePerGiBMonth.Ultra_LRS", "storage account type"),
        (#"{"transferPerGiB": {"eastus->mars": 1}}"#, "prices.transferPerGiB.eastus->mars", "unknown region"),
        (#"{"perHour": 1}"#, "prices.perHour", "allowed"),
    ])
    func refusesABadPriceNamingTheField(prices: String, field: String, says: String) throws {
        let e = try #require(throws: DomainError.self) { try topology(prices: prices) }
        #expect(e.field == .named("topology: \(field)"), "\(e)")
        #expect(e.message.contains(says), "\(e.message)")
    }
}

extension TopologyPriceSheetTests {
    /// The example in topology/ parses against the real catalog, prices and all.
    @Test func theExamplePriceSheetInTopologyParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let catalog = try RegionCatalog(json: Data(contentsOf: root.appendingPathComponent("topology/azure-public.json")))
        let t = try TopologyParser.parse(try String(contentsOf: root.appendingPathComponent("topology/prices-example.json"), encoding: .utf8),
                                         catalog: catalog)
        let p = try #require(t.prices)
        #expect(p.storagePrice(type: "Standard_LRS", region: "westeurope") == 0.055)
        #expect(p.transferPrice(UsageLink(from: "eastus", to: "westeurope")) == 0.02)
        #expect(p.buildPerMinute == 0.0016)
    }
}
