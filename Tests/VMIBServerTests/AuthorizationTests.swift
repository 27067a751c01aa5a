import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer

/// The authorization matrix (no token, unknown token, Reader, Contributor, wrong scope) on
/// every route family.
@Suite struct AuthorizationTests {
    enum Family: String, CaseIterable {
        case gallery, image, version, operation, list, template, templateList, templateRun, templateOperation, imageLifecycle
        case versionLifecycle, templateInspection
    }

    @Test(arguments: Family.allCases)
    func enforcesTokensRolesAndScopes(family: Family) async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.put, "\(b)/g1", body: ServerFixture.galleryBody).status == 201)
            #expect(try await client.call(.put, "\(b)/g1/images/i1", body: ServerFixture.imageBody).status == 201)
            let created = try await client.call(.put, "\(b)/g1/images/i1/versions/1.0.0", body: f.versionBody())
            #expect(created.status == 201)
            let opURL = try #require(created.headers[.init("Azure-AsyncOperation")!])
            let opPath = String(opURL[opURL.range(of: "/subscriptions/")!.lowerBound...])

            let t = "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg1/providers/Microsoft.VirtualMachineImages/imageTemplates"
            #expect(try await client.call(.put, "\(t)/t1", body: TemplateRoutesTests.body(), apiVersion: "2025-10-01").status == 201)
            // (read path, its twin that does not exist, write request)
            let read: String, missing: String, write: (HTTPRequest.Method, String, String)?
            switch family {
            case .gallery: read = "\(b)/g1"; missing = "\(b)/nope"; write = (.put, "\(b)/g2", ServerFixture.galleryBody)
            case .image: read = "\(b)/g1/images/i1"; missing = "\(b)/g1/images/nope"; write = (.put, "\(b)/g1/images/i2", ServerFixture.imageBody)
            case .version:
                read = "\(b)/g1/images/i1/versions/1.0.0?$expand=ReplicationStatus"; missing = "\(b)/g1/images/i1/versions/9.9.9"
                write = (.patch, "\(b)/g1/images/i1/versions/1.0.0", #"{"properties":{"publishingProfile":{"excludeFromLatest":true}}}"#)
            case .operation: read = opPath; missing = opPath.replacingOccurrences(of: "/operations/", with: "/operations/x"); write = nil
            case .list: read = "\(b)/g1/images/i1/versions"; missing = "\(b)/g1/images/nope/versions"; write = nil
            case .template:
                read = "\(t)/t1"; missing = "\(t)/nope"; write = (.put, "\(t)/t2", TemplateRoutesTests.body())
            case .imageLifecycle:
                // vmib's own routes (latest, resolve, rollback, history); a rollback write is
                // checked for 401/403 below, its success in ClientModeTests.
                read = "\(b)/g1/images/i1/rollbackHistory"; missing = "\(b)/g1/images/nope/rollbackHistory"; write = nil
                for token in ["reader-token", "rg2-token"] {
                    #expect(try await client.call(.post, "\(b)/g1/images/i1/rollback", token: token, body: "{}").status == 403)
                }
                #expect(try await client.call(.post, "\(b)/g1/images/i1/rollback", token: nil, body: "{}").status == 401)
            case .versionLifecycle:
                // vmib's own POSTs on a version (deprecate, reconcile); the read is the version.
                read = "\(b)/g1/images/i1/versions/1.0.0"; missing = "\(b)/g1/images/i1/versions/9.9.9"
                write = (.post, "\(b)/g1/images/i1/versions/1.0.0/deprecate", #"{"state":"Deprecated"}"#)
                for token in ["reader-token", "rg2-token"] {
                    #expect(try await client.call(.post, "\(b)/g1/images/i1/versions/1.0.0/reconcile", token: token).status == 403)
                }
                #expect(try await client.call(.post, "\(b)/g1/images/i1/versions/1.0.0/reconcile", token: nil).status == 401)
            case .templateInspection:
                // vmib's own reads of a template (plan, logs): the last run's log.
                _ = try await client.call(.post, "\(t)/t1/run", apiVersion: "2025-10-01")
                try await TemplateRoutesTests.waitForRunEnd(client, "\(t)/t1")
                read = "\(t)/t1/logs"; missing = "\(t)/nope/logs"; write = nil
            case .templateList: read = t; missing = t; write = (.delete, "\(t)/t1", "")
            case .templateRun: read = "\(t)/t1/runOutputs"; missing = "\(t)/nope/runOutputs"; write = (.post, "\(t)/t1/run", "")
            case .templateOperation:
                let run = try await client.call(.post, "\(t)/t1/run", apiVersion: "2025-10-01")
                let url = try #require(run.headers[.init("Azure-AsyncOperation")!])
                read = String(url[url.range(of: "/subscriptions/")!.lowerBound...]); missing = read.replacingOccurrences(of: "/operations/", with: "/operations/x")
                write = nil
            }
            var v: String? = family == .operation || family == .templateOperation ? nil : "2025-03-03"
            if [.template, .templateList, .templateRun, .templateInspection].contains(family) { v = "2025-10-01" }

            for token in [nil, "not-a-token"] as [String?] {
                let r = try await client.call(.get, read, token: token, apiVersion: v)
                #expect(r.status == 401 && r.isARMError, "\(family) read with token \(token ?? "none")")
                #expect(r.headers[.wwwAuthenticate] != nil)
                if let (m, p, body) = write { #expect(try await client.call(m, p, token: token, body: body, apiVersion: v).status == 401) }
            }
            let readerRead = try await client.call(.get, read, token: "reader-token", apiVersion: v)
            #expect(readerRead.status == 200, "\(family): \(readerRead.text.prefix(300))")
            if let (m, p, body) = write {
                let denied = try await client.call(m, p, token: "reader-token", body: body, apiVersion: v)
                #expect(denied.status == 403 && denied.errorCode == "AuthorizationFailed")
            }
            // Outside the caller's scope: 403, and the same answer whether the resource exists or not.
            let outside = try await client.call(.get, read, token: "rg2-token", apiVersion: v)
            let outsideMissing = try await client.call(.get, missing, token: "rg2-token", apiVersion: v)
            #expect(outside.status == 403 && outside.isARMError)
            if family != .operation && family != .templateOperation { #expect(outside.text == outsideMissing.text) }
            #expect(!outside.text.contains("eastus") && !outside.text.contains("1.0.0"))
            if let (m, p, body) = write {
                #expect(try await client.call(m, p, token: "rg2-token", body: body, apiVersion: v).status == 403)
                let ok = try await client.call(m, p, token: "rg1-token", body: body, apiVersion: v)
                #expect((200...204).contains(ok.status), "\(ok.text)")
            }
            try await TemplateRoutesTests.waitForRunEnd(client, "\(t)/t1")
        }
    }

    @Test func subscriptionWideListShowsOnlyTheCallersResourceGroups() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.put, "\(ServerFixture.base("rg1"))/g1", body: ServerFixture.galleryBody).status == 201)
            #expect(try await client.call(.put, "\(ServerFixture.base("rg2"))/g2", body: ServerFixture.galleryBody).status == 201)
            let path = "/subscriptions/\(ServerFixture.subscription)/providers/Microsoft.Compute/galleries"
            func names(_ token: String) async throws -> [String] {
                let r = try await client.call(.get, path, token: token)
                return (r.json["value"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
            }
            #expect(try await names("admin-token") == ["g1", "g2"])
            #expect(try await names("rg2-token") == ["g2"])
            #expect(try await names("reader-token") == ["g1"])
            // A resource-group-scoped caller may not write at subscription scope.
            let other = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg1/providers/Microsoft.Compute/galleries/g1"
            #expect(try await client.call(.get, other, token: "rg1-token").status == 403)
        }
    }

    /// The locations list says nothing about resources: any principal of the subscription
    /// reads it; no token is 401 and another subscription 403.
    @Test func locationsAreReadableByEveryPrincipalOfTheSubscription() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            let path = "/subscriptions/\(ServerFixture.subscription)/locations"
            for token in ["admin-token", "reader-token", "rg2-token"] {
                let r = try await client.call(.get, path, token: token, apiVersion: "2022-12-01")
                #expect(r.status == 200, "\(token): \(r.text.prefix(200))")
                let names = (r.json["value"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                #expect(names.contains("eastus") && names.count == f.service.regions().count, "\(names)")
            }
            for token in [nil, "not-a-token"] as [String?] {
                #expect(try await client.call(.get, path, token: token, apiVersion: "2022-12-01").status == 401)
            }
            let other = try await client.call(.get, "/subscriptions/11111111-1111-1111-1111-111111111111/locations",
                                              token: "rg1-token", apiVersion: "2022-12-01")
            #expect(other.status == 403 && other.errorCode == "AuthorizationFailed")
            let wrongVersion = try await client.call(.get, path, apiVersion: "2025-03-03")
            #expect(wrongVersion.status == 400 && wrongVersion.errorCode == "InvalidApiVersionParameter" && wrongVersion.text.contains("2022-12-01"))
        }
    }
}
