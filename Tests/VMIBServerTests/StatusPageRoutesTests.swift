import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VMIBServer

/// The region coordinates the status page's map reads from the locations list.
@Suite struct StatusPageRoutesTests {
    /// The map places regions by the catalog's coordinates, as Resource Manager writes them
    /// in a location's metadata (strings).
    @Test func locationsCarryTheCatalogsCoordinates() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            let r = try await client.call(.get, "/subscriptions/\(ServerFixture.subscription)/locations", token: "reader-token",
                                          apiVersion: "2022-12-01")
            #expect(r.status == 200)
            let value = r.json["value"] as? [[String: Any]] ?? []
            let eastus = try #require(value.first { $0["name"] as? String == "eastus" })
            let metadata = eastus["metadata"] as? [String: Any] ?? [:]
            #expect(metadata["latitude"] as? String == "37.3719" && metadata["longitude"] as? String == "-79.8164", "\(metadata)")
            for region in value {
                let m = region["metadata"] as? [String: Any] ?? [:]
                let lat = Double(m["latitude"] as? String ?? ""), lon = Double(m["longitude"] as? String ?? "")
                #expect(lat.map { (-90...90).contains($0) } == true && lon.map { (-180...180).contains($0) } == true, "\(region["name"] ?? "?")")
            }
        }
    }
}
