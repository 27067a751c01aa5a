import Foundation
import Testing
@testable import VMIBCore

@Suite struct TopologyParserTests {
    let catalog = RegionCatalog(regions: ["eastus", "eastus2", "westus", "westeurope"].map {
        CatalogRegion(name: $0, displayName: $0.uppercased(), geography: "x", latitude: 0, longitude: 0,
                      pairedRegion: nil, buildRegion: true)
    })

    @Test func keepsTheStorageOrderSoTheFirstTypeIsTheDefault() throws {
        let t = try TopologyParser.parse("""
            {"name": "t", "defaults": {"limits": {"concurrentTransfers": 2}},
             "regions": [{"name": "eastus", "storage": {
                 "Premium_LRS": {"kind": "s3", "endpoint": "http://127.0.0.1:9101", "bucket": "b",
                                 "accessKeyEnv": "K", "secretKeyEnv": "S", "payloadSigning": "never"},
                 "Standard_LRS": {"kind": "directory", "path": "regions/eastus"}},
               "limits": {"bytesPerSecond": 8000000}}]}
            """, catalog: catalog)
        let r = try #require(t["eastus"])
        #expect(r.defaultStorageType == .Premium_LRS)
        #expect(r.offeredTypes == [.Premium_LRS, .Standard_LRS])
        #expect(r.limits == RegionLimits(concurrentTransfers: 2, bytesPerSecond: 8_000_000, requestsPerSecond: 0))
        guard case .s3(let s3)? = r.spec(for: .Premium_LRS) else { Issue.record("not s3"); return }
        #expect(s3.payloadSigning == "never")
    }

    /// The shared origin of several servers: an s3 bucket; anything else is refused, naming the member.
    @Test func theSharedOriginIsAnS3Bucket() throws {
        let regions = #""regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "r"}}}]"#
        let t = try TopologyParser.parse("""
            {"origin": {"kind": "s3", "endpoint": "http://127.0.0.1:9", "bucket": "o", "accessKeyEnv": "K", "secretKeyEnv": "S"}, \(regions)}
            """, catalog: catalog)
        #expect(t.origin?.bucket == "o")
        #expect(try TopologyParser.parse("{\(regions)}", catalog: catalog).origin == nil)
        for (origin, field) in [(#"{"kind": "directory", "path": "/mnt/o"}"#, "topology: origin.kind"),
                                (#"{"kind": "s3", "bucket": "o", "accessKeyEnv": "K", "secretKeyEnv": "S"}"#, "topology: origin.endpoint"),
                                (#""o""#, "topology: origin")] {
            do {
                _ = try TopologyParser.parse("{\"origin\": \(origin), \(regions)}", catalog: catalog)
                Issue.record("accepted \(origin)")
            } catch let e as DomainError {
                #expect(e.field == .named(field), "\(e)")
            }
        }
    }

    /// Samples ask for Premium_LRS and Standard_ZRS: the default topology offers them all,
    /// Standard_LRS (the default) first, each type in a directory of its own.
    @Test func theLocalTopologyOffersEveryStorageAccountType() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let catalog = try RegionCatalog(json: Data(contentsOf: root.appendingPathComponent("topology/azure-public.json")))
        let t = try TopologyParser.parse(try String(contentsOf: root.appendingPathComponent("topology/local.json"), encoding: .utf8),
                                         catalog: catalog)
        #expect(t.regions.map(\.name) == ["eastus", "eastus2", "westcentralus", "westus", "westus2", "northeurope", "westeurope"])
        var paths: Set<String> = []
        for r in t.regions {
            #expect(r.offeredTypes == [.Standard_LRS, .Standard_ZRS, .Premium_LRS])
            #expect(r.spec(for: .Standard_LRS) == .directory(path: "regions/\(r.name)"))
            for type in r.offeredTypes { if case .directory(let p)? = r.spec(for: type) { paths.insert(p) } }
        }
        #expect(paths.count == 21)
    }

    @Test func scrubScheduleComesFromTheRegionOverTheDefaultsOverTheBuiltIn() throws {
        let t = try TopologyParser.parse("""
            {"defaults": {"scrub": {"intervalSeconds": 600}},
             "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "e"}},
                          "scrub": {"deepIntervalSeconds": 0}},
                         {"name": "westus", "storage": {"Standard_LRS": {"kind": "directory", "path": "w"}}}]}
            """, catalog: catalog)
        #expect(t["eastus"]?.scrub == ScrubSchedule(intervalSeconds: 600, deepIntervalSeconds: 0))
        #expect(t["westus"]?.scrub == ScrubSchedule(intervalSeconds: 600, deepIntervalSeconds: 86_400))
        let builtIn = try TopologyParser.parse(#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "e"}}}]}"#,
                                               catalog: catalog)
        #expect(builtIn["eastus"]?.scrub == ScrubSchedule(intervalSeconds: 3600, deepIntervalSeconds: 86_400))
    }

    @Test(arguments: [
        ("{", "not valid JSON"),
        (#"{"regions": []}"#, "regions"),
        (#"{"regions": [{"name": "eastsu", "storage": {"Standard_LRS": {"kind": "directory", "path": "x"}}}]}"#, "eastus"),
        (#"{"regions": [{"name": "eastus", "storage": {"Fast": {"kind": "directory", "path": "x"}}}]}"#, "Standard_LRS, Standard_ZRS, Premium_LRS"),
        (#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "ftp"}}}]}"#, "directory, s3"),
        (#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "x"}}, "limits": {"concurrentTransfers": 0}}]}"#, "regions[0].limits.concurrentTransfers"),
        (#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "s3", "endpoint": "http://h", "bucket": "b", "accessKeyEnv": "A", "secretKeyEnv": "B", "secretKey": "leak"}}}]}"#, "credentials may not be written"),
        (#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "s3", "endpoint": "http://h", "bucket": "b", "accessKeyEnv": "A", "secretKeyEnv": "B", "payloadSigning": "sometimes"}}}]}"#, "regions[0].storage.Standard_LRS.payloadSigning"),
        (#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "x"}}, "scrub": {"intervalSeconds": -1}}]}"#, "regions[0].scrub.intervalSeconds"),
        (#"{"defaults": {"scrub": {"deepIntervalSeconds": "daily"}}, "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "x"}}}]}"#, "defaults.scrub.deepIntervalSeconds"),
        (#"{"regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "x"}}, "scrub": 60}]}"#, "regions[0].scrub"),
    ])
    func malformedTopologiesNameTheField(text: String, expected: String) {
        do {
            _ = try TopologyParser.parse(text, catalog: catalog)
            Issue.record("accepted \(text)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test func templateFetchesFromPrivateNetworksAreOffOnlyWhenSaid() throws {
        let region = #"[{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "x"}}}]"#
        #expect(try TopologyParser.parse(#"{"regions": \#(region)}"#, catalog: catalog).fetchFromPrivateNetworks == false)
        #expect(try TopologyParser.parse(#"{"templates": {"fetchFromPrivateNetworks": true}, "regions": \#(region)}"#,
                                         catalog: catalog).fetchFromPrivateNetworks)
        for (bad, field) in [(#"{"templates": {"fetchFromPrivateNetworks": "yes"}, "regions": \#(region)}"#, "templates.fetchFromPrivateNetworks"),
                             (#"{"templates": {"fetchEverything": true}, "regions": \#(region)}"#, "templates.fetchEverything"),
                             (#"{"templates": [], "regions": \#(region)}"#, "templates")] {
            let error = #expect(throws: DomainError.self) { try TopologyParser.parse(bad, catalog: catalog) }
            #expect(error?.field?.description.hasSuffix(field) == true, "\(bad): \(String(describing: error))")
        }
    }

    @Test func chunkSizeIsOneMiBUnlessAPowerOfTwoFrom64KiBTo64MiBIsGiven() throws {
        let region = #"[{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "r"}}}]"#
        #expect(try TopologyParser.parse(#"{"regions": \#(region)}"#, catalog: catalog).chunkSize == 1 << 20)
        #expect(try TopologyParser.parse(#"{"chunkSizeBytes": 65536, "regions": \#(region)}"#, catalog: catalog).chunkSize == 1 << 16)
        for bad in ["3145728", "32768", "134217728", "\"1MiB\"", "1048576.5"] {
            let error = #expect(throws: DomainError.self) {
                try TopologyParser.parse(#"{"chunkSizeBytes": \#(bad), "regions": \#(region)}"#, catalog: catalog)
            }
            #expect(error?.field?.description.hasSuffix("chunkSizeBytes") == true, "\(bad): \(String(describing: error))")
        }
    }

    @Test func parsesStrictJSONKeepingOrder() throws {
        let v = try JSONParser.parse(#"{"b": [1, 2.5, "x\u00e9\n"], "a": {"z": null, "y": true}}"#)
        guard case .object(let members) = v else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a"])
        #expect(v["b"] == .array([.number(1), .number(2.5), .string("xé\n")]))
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(#"{"a": 1,}"#) }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("[1] 2") }
    }
}
