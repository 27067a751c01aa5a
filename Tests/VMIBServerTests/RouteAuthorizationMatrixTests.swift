import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing
@testable import VMIBServer

/// The authorization matrix generated from the router's registered routes, so a route added
/// tomorrow is covered without anyone listing it: every route × no token, an unknown token,
/// a Reader of rg1, a Contributor of rg2, and a Contributor of rg1 (in scope).
@Suite struct RouteAuthorizationMatrixTests {
    /// Routes that answer without a token, by design: probes, Prometheus, and the status
    /// page's static files (no data: the page reads the API with the person's token).
    static let unauthenticated: Set<String> = ["/healthz", "/readyz", "/metrics", "/ui", "/ui/app.js", "/ui/app.css", "/ui/world.js"]

    /// A route's path with its parameters filled in for rg1's resources.
    static func concrete(_ path: String) -> String {
        let values = ["subscriptionId": ServerFixture.subscription, "resourceGroupName": "rg1", "galleryName": "g1",
                      "galleryImageName": "i1", "galleryImageVersionName": "1.0.0", "imageTemplateName": "t1",
                      "location": "eastus", "runOutputName": "out"]
        return "/" + path.split(separator: "/").map { segment -> String in
            var name = String(segment)
            if name.hasPrefix(":") { name.removeFirst() } else if name.hasPrefix("{") && name.hasSuffix("}") { name = String(name.dropFirst().dropLast()) } else { return name }
            return values[name] ?? "x"
        }.joined(separator: "/")
    }

    @Test func everyRegisteredRouteEnforcesTokensRolesAndScopes() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let router = VMIBServer.router(api: f.api, tokens: try TokenFile(json: ServerFixture.tokensJSON), ready: ReadyFlag())
        let routes = router.routes.map { (method: $0.method, path: "\($0.path)") }
        #expect(routes.count > 30, "the router lists its routes: \(routes.count)")
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.putGalleryAndImage()
            var checked = 0
            for route in routes {
                let path = Self.concrete(route.path)
                let label = "\(route.method) \(route.path)"
                let apiVersion = path.contains("Microsoft.VirtualMachineImages") ? "2025-10-01" : "2025-03-03"
                let body: String? = [.put, .patch, .post].contains(route.method) ? "{}" : nil
                func call(_ token: String?) async throws -> Int {
                    try await client.call(route.method, path, token: token, body: body, apiVersion: apiVersion).status
                }
                if Self.unauthenticated.contains(path) {
                    #expect(try await call(nil) != 401, "\(label) answers without a token")
                    #expect(route.method == .get, "\(label): an open route only reads")
                    continue
                }
                checked += 1
                #expect(try await call(nil) == 401, "\(label) without a token")
                #expect(try await call("not-a-token") == 401, "\(label) with an unknown token")
                let write = route.method != .get && route.method != .head
                let resourceGroupLevel = path.contains("/resourceGroups/")
                let reader = try await call("reader-token")
                if write { #expect(reader == 403, "\(label): a Reader may not write (got \(reader))") }
                else { #expect(reader != 401 && reader != 403, "\(label): a Reader of rg1 may read (got \(reader))") }
                let other = try await call("rg2-token")
                if resourceGroupLevel || write && !path.contains("/operations/") {
                    #expect(other == 403, "\(label): rg2's Contributor is outside rg1 (got \(other))")
                } else {
                    #expect(other != 401, "\(label): rg2's Contributor is authenticated (got \(other))")
                }
                let inScope = try await call("rg1-token")
                if resourceGroupLevel {
                    #expect(inScope != 401 && inScope != 403, "\(label): rg1's Contributor is in scope (got \(inScope))")
                }
            }
            #expect(checked == routes.count - Self.unauthenticated.count, "every other route was checked")
            // A route outside /subscriptions answers without a token: it must be listed here on purpose.
            #expect(Set(routes.map(\.path).filter { !$0.hasPrefix("/subscriptions/") }) == Self.unauthenticated)
            #expect(AuthMiddleware.openPaths == Self.unauthenticated, "the middleware opens exactly these paths")
        }
    }
}
