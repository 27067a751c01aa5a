import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer

/// A version through the API: 201 Creating with an operation that finishes when replication
/// does, PATCH of desired state in place, publish from another version, 202 delete.
@Suite struct VersionLifecycleTests {
    @Test func publishesPatchesCopiesAndDeletesThroughLongRunningOperations() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let ref = GalleryRef(subscription: ServerFixture.subscription, resourceGroup: "rg1", gallery: "g1").image("i1")
            .version(VersionNumber(1, 0, 0))
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            _ = try await client.call(.put, "\(b)/g1", body: ServerFixture.galleryBody)
            _ = try await client.call(.put, "\(b)/g1/images/i1", body: ServerFixture.imageBody)
            let created = try await client.call(.put, "\(v)/1.0.0", body: f.versionBody())
            #expect(created.status == 201)
            #expect((created.json["properties"] as? [String: Any])?["provisioningState"] as? String == "Creating")
            #expect(created.headers[.init("Retry-After")!] == "1")
            let op = try #require(created.headers[.init("Azure-AsyncOperation")!])
            let opPath = String(op[op.range(of: "/subscriptions/")!.lowerBound...])
            #expect(try await client.call(.get, opPath, apiVersion: nil).json["status"] as? String == "InProgress")

            _ = try await f.service.reconcile(ref)
            #expect(try await client.call(.get, opPath, apiVersion: nil).json["status"] as? String == "Succeeded")
            let shown = try await client.call(.get, "\(v)/1.0.0?$expand=ReplicationStatus").json
            let status = try #require((shown["properties"] as? [String: Any])?["replicationStatus"] as? [String: Any])
            #expect(status["aggregatedState"] as? String == "Completed")
            #expect((status["summary"] as? [[String: Any]])?.map { $0["progress"] as? Int } == [100])

            let patch = #"{"properties":{"publishingProfile":{"targetRegions":[{"name":"eastus","regionalReplicaCount":3},{"name":"westeurope","regionalReplicaCount":1,"excludeFromLatest":true}],"excludeFromLatest":true}}}"#
            let patched = try await client.call(.patch, "\(v)/1.0.0", body: patch)
            #expect(patched.status == 200)
            let pp = ((patched.json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any]) ?? [:]
            #expect(pp["excludeFromLatest"] as? Bool == true)
            #expect((pp["targetRegions"] as? [[String: Any]])?.map { "\($0["name"]!)=\($0["regionalReplicaCount"]!)/\($0["excludeFromLatest"]!)" }
                    == ["eastus=3/0", "westeurope=1/1"])
            #expect((patched.json["properties"] as? [String: Any])?["provisioningState"] as? String == "Updating")
            _ = try await f.service.reconcile(ref)
            #expect(try f.service.details(ref).replicas.filter { $0.state == .Completed }.count == 4)

            // Publish 2.0.0 from 1.0.0's disk.
            let copy = #"{"location":"eastus","properties":{"storageProfile":{"source":{"id":"\#(ref.id)"}}}}"#
            let copied = try await client.call(.put, "\(v)/2.0.0", body: copy)
            #expect(copied.status == 201, "\(copied.text)")
            let two = try f.service.details(ref.image.version(VersionNumber(2, 0, 0))).version
            #expect(two.storageProfile.sha256 == (try f.service.details(ref).version.storageProfile.sha256))

            let deleted = try await client.call(.delete, "\(v)/1.0.0")
            #expect(deleted.status == 202)
            #expect(deleted.headers[.location] != nil && deleted.headers[.init("Azure-AsyncOperation")!] != nil)
            try await f.service.purge(ref)
            let delOp = try #require(deleted.headers[.init("Azure-AsyncOperation")!])
            #expect(try await client.call(.get, String(delOp[delOp.range(of: "/subscriptions/")!.lowerBound...]), apiVersion: nil)
                .json["status"] as? String == "Succeeded")
            #expect(try await client.call(.get, "\(v)/1.0.0").status == 404)
            #expect(try await client.call(.delete, "\(v)/1.0.0").status == 204)
        }
    }
}
