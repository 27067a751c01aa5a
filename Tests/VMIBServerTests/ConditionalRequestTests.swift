import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer
@testable import VMIBService

/// ETags and conditional requests: a change based on a stale read is refused (412) and
/// changes nothing; region edits merged by the server lose nothing.
@Suite struct ConditionalRequestTests {
    let f: ServerFixture
    let b = ServerFixture.base()
    var v: String { "\(b)/g1/images/i1/versions" }
    var ref: VersionRef {
        ServerFixture.image.version(VersionNumber(1, 0, 0))
    }

    init() throws { f = try ServerFixture() }

    func regions(_ reply: Reply) -> [String] {
        let pp = ((reply.json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any]) ?? [:]
        return ((pp["targetRegions"] as? [[String: Any]]) ?? []).map { "\($0["name"]!)=\($0["regionalReplicaCount"]!)" }.sorted()
    }

    func setUp(_ client: some TestClientProtocol) async throws {
        try await client.putGalleryAndImage()
        let created = try await client.call(.put, "\(v)/1.0.0", body: f.versionBody())
        #expect(created.status == 201, "\(created.text)")
    }

    @Test func twoWritersWithTheSameETagOneWinsOneGets412() async throws {
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await setUp(client)
            let etag = try #require(try await client.call(.get, "\(v)/1.0.0").headers[.eTag])
            let west = #"{"properties":{"vmib":{"targetRegionChanges":{"set":[{"name":"westus","regionalReplicaCount":1}]}}}}"#
            let europe = #"{"properties":{"vmib":{"targetRegionChanges":{"set":[{"name":"westeurope","regionalReplicaCount":1}]}}}}"#
            let first = try await client.call(.patch, "\(v)/1.0.0", body: west, headers: ["If-Match": etag])
            #expect(first.status == 200, "\(first.text)")
            #expect(first.headers[.eTag] != etag)
            let second = try await client.call(.patch, "\(v)/1.0.0", body: europe, headers: ["If-Match": etag])
            #expect(second.status == 412)
            #expect(second.errorCode == "PreconditionFailed")
            #expect(second.errorTarget == "If-Match")
            let now = try await client.call(.get, "\(v)/1.0.0")
            #expect(regions(now) == ["eastus=2", "westus=1"])
            #expect(now.headers[.eTag] == first.headers[.eTag])
        }
    }

    /// Without If-Match, two region edits made one after the other from the same stale
    /// view both survive: the server merges each into what the version holds then.
    @Test func mergedRegionChangesFromStaleViewsBothSurvive() async throws {
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await setUp(client)
            let west = #"{"properties":{"vmib":{"targetRegionChanges":{"set":[{"name":"westus","regionalReplicaCount":1}]}}}}"#
            let europe = #"{"properties":{"vmib":{"targetRegionChanges":{"set":[{"name":"West Europe","regionalReplicaCount":3}],"excludeFromLatest":["westeurope"]}}}}"#
            #expect(try await client.call(.patch, "\(v)/1.0.0", body: west).status == 200)
            let second = try await client.call(.patch, "\(v)/1.0.0", body: europe)
            #expect(second.status == 200, "\(second.text)")
            #expect(regions(second) == ["eastus=2", "westeurope=3", "westus=1"])
            let d = try f.service.versions.details(ref).version
            #expect(d.target("westeurope")?.excludeFromLatest == true)
            #expect(d.provisioningState == .Updating)
        }
    }

    @Test func staleConditionsChangeNothing() async throws {
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await setUp(client)
            let before = try f.service.versions.details(ref).version
            let patch = #"{"properties":{"publishingProfile":{"excludeFromLatest":true}}}"#
            let stale = try await client.call(.patch, "\(v)/1.0.0", body: patch, headers: ["If-Match": "\"999\""])
            #expect(stale.status == 412)
            let delete = try await client.call(.delete, "\(v)/1.0.0", headers: ["If-Match": "\"999\""])
            #expect(delete.status == 412)
            let put = try await client.call(.put, "\(v)/1.0.0", body: f.versionBody(), headers: ["If-None-Match": "*"])
            #expect(put.status == 412)
            #expect(put.errorTarget == "If-None-Match")
            let gallery = try await client.call(.put, "\(b)/g1", body: ServerFixture.galleryBody, headers: ["If-None-Match": "*"])
            #expect(gallery.status == 412)
            let missing = try await client.call(.patch, "\(v)/9.9.9", body: patch, headers: ["If-Match": "*"])
            #expect(missing.status == 412 || missing.status == 404)
            #expect(try f.service.versions.details(ref).version == before)
            // A matching condition goes through, and a new gallery with If-None-Match: * is created.
            let etag = try #require(try await client.call(.get, "\(v)/1.0.0").headers[.eTag])
            #expect(try await client.call(.patch, "\(v)/1.0.0", body: patch, headers: ["If-Match": "W/\(etag)"]).status == 200)
            #expect(try f.service.versions.details(ref).version.publishingProfile.excludeFromLatest)
            #expect(try await client.call(.put, "\(b)/g2", body: ServerFixture.galleryBody, headers: ["If-None-Match": "*"]).status == 201)
        }
    }

    /// A provisioningState the controller wrote is not moved by a change that does not
    /// touch replicas, and tags move the ETag.
    @Test func flagChangesKeepTheControllersStateAndTagsMoveTheETag() async throws {
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await setUp(client)
            _ = try await f.service.versions.reconcile(ref)
            #expect(try f.service.versions.details(ref).version.provisioningState == .Succeeded)
            let e1 = try #require(try await client.call(.get, "\(v)/1.0.0").headers[.eTag])
            let flagged = try await client.call(.patch, "\(v)/1.0.0", body: #"{"properties":{"publishingProfile":{"excludeFromLatest":true}}}"#)
            #expect((flagged.json["properties"] as? [String: Any])?["provisioningState"] as? String == "Succeeded")
            let e2 = try #require(flagged.headers[.eTag])
            #expect(e2 != e1)
            let tagged = try await client.call(.patch, "\(v)/1.0.0", body: #"{"tags":{"team":"a"}}"#)
            #expect(tagged.headers[.eTag] != e2)
            let gallery = try await client.call(.get, "\(b)/g1")
            let retagged = try await client.call(.patch, "\(b)/g1", body: #"{"tags":{"x":"y"}}"#)
            #expect(retagged.headers[.eTag] != nil && retagged.headers[.eTag] != gallery.headers[.eTag])
        }
    }

    @Test func badRegionChangesAreRefusedNamingThePath() async throws {
        defer { f.removeAll() }
        try await f.application().test(.router) { client in
            try await setUp(client)
            let before = try f.service.versions.details(ref).version
            for (body, target) in [
                (#"{"properties":{"vmib":{"targetRegionChanges":{"set":"westus"}}}}"#, "properties.vmib.targetRegionChanges.set"),
                (#"{"properties":{"vmib":{"targetRegionChanges":{"drop":["westus"]}}}}"#, "properties.vmib.targetRegionChanges"),
                (#"{"properties":{"vmib":{"targetRegionChanges":{"remove":["mars"]}}}}"#, "properties.vmib.targetRegionChanges.remove"),
                (#"{"properties":{"vmib":{"targetRegionChanges":{"set":[{"name":"westus","regionalReplicaCount":101}]}}}}"#, nil),
                (#"{"properties":{"publishingProfile":{"targetRegions":[{"name":"eastus"}]},"vmib":{"targetRegionChanges":{"remove":["eastus"]}}}}"#, nil),
            ] as [(String, String?)] {
                let r = try await client.call(.patch, "\(v)/1.0.0", body: body)
                #expect(r.status == 400, "\(body): \(r.text)")
                if let target { #expect(r.errorTarget?.hasPrefix(target) == true, "\(body): \(r.text)") }
            }
            #expect(try f.service.versions.details(ref).version == before)
        }
    }
}
