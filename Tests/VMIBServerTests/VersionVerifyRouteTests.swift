import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer
@testable import VMIBService

/// POST …/versions/{v}/verify: the server's controller checks every Completed replica and
/// re-makes what is missing; the version reads Updating until it has.
@Suite struct VersionVerifyRouteTests {
    @Test func verifyIsAcceptedAndTheServersControllerRemakesAMissingReplica() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let ref = ServerFixture.image
            .version(VersionNumber(1, 0, 0))
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            #expect(try await client.call(.put, "\(v)/1.0.0", body: f.versionBody()).status == 201)
            #expect(try await f.service.versions.reconcile(ref).state == .Succeeded)

            // Bad input: 400 naming `deep`, 404 for an unknown version; nothing changes.
            let bad = try await client.call(.post, "\(v)/1.0.0/verify?deep=maybe")
            #expect(bad.status == 400 && bad.errorTarget == "deep", "\(bad.text)")
            #expect(try await client.call(.post, "\(v)/9.9.9/verify").status == 404)
            #expect(try f.service.versions.details(ref).version.provisioningState == .Succeeded)

            let region = try #require(f.service.topology["eastus"])
            let blobs = try f.service.blobStore(region.storage[0].spec, region: "eastus")
            try await blobs.delete(ref.replicaKey(index: 1))

            let verify = try await client.call(.post, "\(v)/1.0.0/verify?deep=true")
            #expect(verify.status == 202 && verify.headers[.init("Azure-AsyncOperation")!] != nil, "\(verify.text)")
            #expect(try f.service.versions.details(ref).version.provisioningState == .Updating)
            // The server's controller (here run by hand, as its daemon would) takes the request.
            #expect(try await f.service.versions.reconcile(ref).state == .Succeeded)
            let replica = try #require(try f.service.versions.details(ref).replicas.first { $0.index == 1 })
            #expect(replica.state == .Completed && replica.attempts == 1 && replica.lastVerifiedAt != nil)
            #expect(try await blobs.head(ref.replicaKey(index: 1)) != nil)
        }
    }
}
