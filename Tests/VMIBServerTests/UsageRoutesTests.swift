import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer

/// The usage figures on /metrics and at …/providers/Microsoft.Compute/vmibUsage, after a
/// real replication into the default topology's directory regions.
@Suite struct UsageRoutesTests {
    static let versions = ServerFixture.base() + "/g1/images/i1/versions"
    static let usage = "/subscriptions/\(ServerFixture.subscription)/providers/Microsoft.Compute/vmibUsage"
    static let size = 200_000  // ServerFixture's disk

    func replicate(_ client: some TestClientProtocol, _ f: ServerFixture) async throws {
        try await client.putGalleryAndImage()
        let regions = #"[{"name":"eastus","regionalReplicaCount":2},{"name":"westus","regionalReplicaCount":1}]"#
        let created = try await client.call(.put, "\(Self.versions)/1.0.0", body: f.versionBody(regions: regions))
        #expect(created.status == 201, "\(created.text)")
        _ = try await f.service.versions.reconcile(ServerFixture.image.version(VersionNumber(1, 0, 0)))
    }

    /// The sample line of `name` whose labels include every one of `labels`, and its value.
    func sample(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard labels.allSatisfy({ line.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    @Test func metricsShowStoredAndMovedBytes() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await replicate(client, f)
            let text = try await client.call(.get, "/metrics", token: nil, apiVersion: nil).text
            let size = Double(Self.size)
            #expect(sample(text, "vmib_usage_stored_bytes", ["region": "eastus", "storage_account_type": "Standard_LRS"]) == 2 * size, "\(text)")
            #expect(sample(text, "vmib_usage_stored_replicas", ["region": "westus"]) == 1)
            #expect(sample(text, "vmib_usage_moved_bytes", ["from": "origin", "to": "eastus", "in_region": "false"]) == size)
            #expect(sample(text, "vmib_usage_moved_bytes", ["from": "eastus", "to": "eastus", "in_region": "true"]) == size)
            #expect(sample(text, "vmib_usage_moved_bytes", ["from": "origin", "to": "westus"]) == size)
            #expect((sample(text, "vmib_usage_storage_operations", ["region": "eastus"]) ?? 0) >= 4)
            // No price sheet in the default topology: no estimate.
            #expect(!text.contains("vmib_usage_estimate"))
        }
    }

    @Test func aReaderReadsItsScopesFiguresOnly() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await replicate(client, f)
            let reader = try await client.call(.get, Self.usage + "?by=image", token: "reader-token")
            #expect(reader.status == 200, "\(reader.text)")
            let storage = reader.json["storage"] as? [[String: Any]] ?? []
            #expect(storage.first { $0["region"] as? String == "eastus" }?["bytes"] as? Int == 2 * Self.size, "\(reader.text)")
            let groups = reader.json["groups"] as? [[String: Any]] ?? []
            #expect(groups.map { $0["key"] as? String } == ["rg1/g1/i1"])
            #expect(groups.first?["movedBytes"] as? Int == 2 * Self.size)

            // rg2's caller, on the subscription's path or its own group's, sees none of rg1's figures.
            for path in [Self.usage, "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg2/providers/Microsoft.Compute/vmibUsage"] {
                let other = try await client.call(.get, path, token: "rg2-token")
                #expect(other.status == 200, "\(other.text)")
                #expect((other.json["storage"] as? [[String: Any]])?.isEmpty == true, "\(other.text)")
                #expect((other.json["links"] as? [[String: Any]])?.isEmpty == true, "\(other.text)")
            }
            let outside = try await client.call(.get, "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg1/providers/Microsoft.Compute/vmibUsage",
                                                token: "rg2-token")
            #expect(outside.status == 403)
        }
    }

    @Test func badQueryParametersAreRefusedByName() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            let by = try await client.call(.get, Self.usage + "?by=galaxy", token: "reader-token")
            #expect(by.status == 400)
            #expect(by.errorTarget == "by" && by.text.contains("region, image, template"), "\(by.text)")
            let since = try await client.call(.get, Self.usage + "?since=yesterday", token: "reader-token")
            #expect(since.status == 400)
            #expect(since.errorTarget == "since", "\(since.text)")
        }
    }
}
