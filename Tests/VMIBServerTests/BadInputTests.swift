import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import VMIBServer

/// Bad input is a 400/404/409 in Azure's error shape naming the field, never a 500, and
/// changes nothing.
@Suite struct BadInputTests {
    @Test func badRequestsAreRefusedWithCodeAndFieldAndChangeNothing() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let tpl = "/subscriptions/\(ServerFixture.subscription)/resourceGroups/rg1/providers/Microsoft.VirtualMachineImages/imageTemplates"
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.call(.put, "\(b)/g1", body: ServerFixture.galleryBody).status == 201)
            #expect(try await client.call(.put, "\(b)/g1/images/i1", body: ServerFixture.imageBody).status == 201)
            let before = try await client.call(.get, v).text + (try await client.call(.get, "\(b)/g1/images/i1").text)

            let big = String(repeating: "x", count: ARMRequestContext.bodyLimit + 10)
            let cases: [(HTTPRequest.Method, String, String?, String?, Int, String, String?)] = [
                (.put, "\(v)/1.0.0", #"{"location": "#, "2025-03-03", 400, "InvalidRequestContent", "body"),
                (.put, "\(v)/1.0.0", "[1]", "2025-03-03", 400, "InvalidRequestContent", "body"),
                (.put, "\(v)/1.0.0", f.versionBody(regions: #"[{"name":"eastus","regionalReplicaCount":"two"}]"#), "2025-03-03",
                 400, "InvalidRequestContent", "properties.publishingProfile.targetRegions[0].regionalReplicaCount"),
                (.put, "\(v)/1.0.0", f.versionBody(regions: #"[{"name":"eastus","color":"red"}]"#), "2025-03-03",
                 400, "InvalidRequestContent", "properties.publishingProfile.targetRegions[0].color"),
                (.put, "\(v)/1.0.0", #"{"location":"eastus","properties":{"bogus":1}}"#, "2025-03-03", 400, "InvalidRequestContent", "properties.bogus"),
                (.put, "\(v)/1.0.0", #"{"properties":{}}"#, "2025-03-03", 400, "InvalidParameter", "location"),
                (.put, "\(v)/1.0.0", f.versionBody(regions: #"[{"name":"mars"}]"#), "2025-03-03",
                 400, "InvalidParameter", "properties.publishingProfile.targetRegions"),
                (.put, "\(v)/1.0.0", f.versionBody(regions: #"[{"name":"eastus","regionalReplicaCount":0}]"#), "2025-03-03",
                 400, "InvalidParameter", "properties.publishingProfile.targetRegions"),
                (.put, "\(v)/1.0.0", f.versionBody().replacingOccurrences(of: f.disk, with: "/etc/passwd"), "2025-03-03",
                 400, "InvalidParameter", "properties.storageProfile.source.uri"),
                (.put, "\(v)/1.x", f.versionBody(), "2025-03-03", 400, "InvalidParameter", "galleryImageVersionName"),
                (.put, "\(b)/bad-name!", ServerFixture.galleryBody, "2025-03-03", 400, "InvalidParameter", "galleryName"),
                (.put, "\(v)/1.0.0", f.versionBody(), nil, 400, "MissingApiVersionParameter", "api-version"),
                (.put, "\(v)/1.0.0", f.versionBody(), "1999-01-01", 400, "InvalidApiVersionParameter", "api-version"),
                (.put, "\(v)/1.0.0", big, "2025-03-03", 400, "RequestBodyTooLarge", "body"),
                (.put, "\(b)/g1/images/i1", ServerFixture.imageBody.replacingOccurrences(of: "Linux", with: "Windows"), "2025-03-03",
                 409, "PropertyChangeNotAllowed", "properties.osType"),
                (.get, "\(v)/1.0.0?$expand=Everything", nil, "2025-03-03", 400, "InvalidParameter", "$expand"),
                (.get, "\(v)/1.0.0", nil, "2025-03-03", 404, "ResourceNotFound", "galleryImageVersionName"),
                (.get, "/no/such/route", nil, "2025-03-03", 404, "NotFound", nil),
                (.get, "\(tpl)/t1", nil, "2025-03-03", 400, "InvalidApiVersionParameter", "api-version"),
                (.get, "\(tpl)/t1", nil, "2025-10-01", 404, "ResourceNotFound", "imageTemplateName"),
                (.put, "\(tpl)/bad name", #"{"location":"eastus","properties":{}}"#, "2025-10-01", 400, "InvalidParameter", "imageTemplateName"),
                (.put, "\(tpl)/t1", #"{"properties":{}}"#, "2025-10-01", 400, "InvalidParameter", "location"),
            ]
            for (method, path, body, apiVersion, status, code, target) in cases {
                let r = try await client.call(method, path, body: body, apiVersion: apiVersion)
                #expect(r.status == status, "\(method) \(path): \(r.text.prefix(300))")
                #expect(r.errorCode == code, "\(method) \(path): \(r.text.prefix(300))")
                #expect(r.errorTarget == target, "\(method) \(path): \(r.text.prefix(300))")
                #expect(r.isARMError)
            }
            let unknown = try await client.call(.get, "\(b)/g1", apiVersion: "1999-01-01")
            #expect(unknown.text.contains("2025-03-03"), "the supported versions are listed")
            let after = try await client.call(.get, v).text + (try await client.call(.get, "\(b)/g1/images/i1").text)
            #expect(before == after)
            #expect(try await client.call(.get, "\(b)/bad-name!").status == 400)
        }
    }
}
