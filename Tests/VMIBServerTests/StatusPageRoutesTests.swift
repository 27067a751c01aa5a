import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VMIBServer

/// The status page's files: served without a token, the same whatever the store holds (no
/// data in them), only this server's own script and style allowed to run; and the region
/// coordinates its map reads from the locations list.
@Suite struct StatusPageRoutesTests {
    @Test func servesThePageAndItsFilesWithoutATokenAndWithoutData() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            let types = ["/ui": "text/html", "/ui/app.js": "text/javascript", "/ui/app.css": "text/css", "/ui/world.js": "text/javascript"]
            var before: [String: String] = [:]
            for (path, type) in types {
                let r = try await client.call(.get, path, token: nil, apiVersion: nil)
                #expect(r.status == 200, "\(path)")
                #expect(r.headers[.contentType]?.hasPrefix(type) == true, "\(path): \(r.headers[.contentType] ?? "")")
                let csp = r.headers[.contentSecurityPolicy] ?? ""
                #expect(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"), "\(path): \(csp)")
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                #expect(!r.text.isEmpty)
                before[path] = r.text
            }
            // Nothing from elsewhere: the page works with no internet.
            let html = try #require(before["/ui"])
            #expect(!html.contains("://"), "the page loads only this server's files")
            #expect(html.contains(#"src="/ui/app.js""#) && html.contains(#"href="/ui/app.css""#) && html.contains(#"src="/ui/world.js""#))
            #expect(!(before["/ui/app.css"] ?? "").contains("url("))

            // The files are the same after resources exist: the data comes only through the API.
            try await client.putGalleryAndImage()
            for path in types.keys {
                #expect(try await client.call(.get, path, token: nil, apiVersion: nil).text == before[path], "\(path)")
            }
            // Only these exact paths are open.
            for path in ["/ui/", "/ui/index.html", "/ui/app.js/x", "/uix"] {
                #expect(try await client.call(.get, path, token: nil, apiVersion: nil).status == 401, "\(path)")
            }
        }
    }

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
