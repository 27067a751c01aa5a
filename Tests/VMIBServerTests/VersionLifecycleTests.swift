import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer
@testable import VMIBService

/// A version through the API: 201 Creating with an operation that finishes when replication
/// does, PATCH of desired state in place, publish from another version, 202 delete.
@Suite struct VersionLifecycleTests {
    @Test func publishesPatchesCopiesAndDeletesThroughLongRunningOperations() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let ref = ServerFixture.image
            .version(VersionNumber(1, 0, 0))
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            let created = try await client.call(.put, "\(v)/1.0.0", body: f.versionBody())
            #expect(created.status == 201)
            #expect((created.json["properties"] as? [String: Any])?["provisioningState"] as? String == "Creating")
            #expect(created.headers[.init("Retry-After")!] == "1")
            let op = try #require(created.headers[.init("Azure-AsyncOperation")!])
            let opPath = String(op[op.range(of: "/subscriptions/")!.lowerBound...])
            #expect(try await client.call(.get, opPath, apiVersion: nil).json["status"] as? String == "InProgress")

            _ = try await f.service.versions.reconcile(ref)
            #expect(try await client.call(.get, opPath, apiVersion: nil).json["status"] as? String == "Succeeded")
            let shown = try await client.call(.get, "\(v)/1.0.0?$expand=ReplicationStatus").json
            let status = try #require((shown["properties"] as? [String: Any])?["replicationStatus"] as? [String: Any])
            #expect(status["aggregatedState"] as? String == "Completed")
            #expect((status["summary"] as? [[String: Any]])?.map { $0["progress"] as? Int } == [100])
            // A browser writes `$` as %24: the same query.
            let encoded = try await client.call(.get, "\(v)/1.0.0?%24expand=ReplicationStatus").json
            #expect((encoded["properties"] as? [String: Any])?["replicationStatus"] != nil, "\(encoded)")

            let patch = #"{"properties":{"publishingProfile":{"targetRegions":[{"name":"eastus","regionalReplicaCount":3},{"name":"westeurope","regionalReplicaCount":1,"excludeFromLatest":true}],"excludeFromLatest":true}}}"#
            let patched = try await client.call(.patch, "\(v)/1.0.0", body: patch)
            #expect(patched.status == 200)
            let pp = ((patched.json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any]) ?? [:]
            #expect(pp["excludeFromLatest"] as? Bool == true)
            #expect((pp["targetRegions"] as? [[String: Any]])?.map { "\($0["name"]!)=\($0["regionalReplicaCount"]!)/\($0["excludeFromLatest"]!)" }
                    == ["eastus=3/0", "westeurope=1/1"])
            #expect((patched.json["properties"] as? [String: Any])?["provisioningState"] as? String == "Updating")
            _ = try await f.service.versions.reconcile(ref)
            #expect(try f.service.versions.details(ref).replicas.filter { $0.state == .Completed }.count == 4)

            // Publish 2.0.0 from 1.0.0's disk.
            let copy = #"{"location":"eastus","properties":{"storageProfile":{"source":{"id":"\#(ref.id)"}}}}"#
            let copied = try await client.call(.put, "\(v)/2.0.0", body: copy)
            #expect(copied.status == 201, "\(copied.text)")
            let two = try f.service.versions.details(ref.image.version(VersionNumber(2, 0, 0))).version
            #expect(two.storageProfile.sha256 == (try f.service.versions.details(ref).version.storageProfile.sha256))

            let deleted = try await client.call(.delete, "\(v)/1.0.0")
            #expect(deleted.status == 202)
            #expect(deleted.headers[.location] != nil && deleted.headers[.init("Azure-AsyncOperation")!] != nil)
            try await f.service.versions.purge(ref)
            let delOp = try #require(deleted.headers[.init("Azure-AsyncOperation")!])
            #expect(try await client.call(.get, String(delOp[delOp.range(of: "/subscriptions/")!.lowerBound...]), apiVersion: nil)
                .json["status"] as? String == "Succeeded")
            #expect(try await client.call(.get, "\(v)/1.0.0").status == 404)
            #expect(try await client.call(.delete, "\(v)/1.0.0").status == 204)
        }
    }

    /// vmib's own version operations, which the CLI uses in client mode: replica counts from
    /// expected deployments, reconcile (failed replicas tried again), deprecate, forced delete.
    @Test func expectedDeploymentsReconcileDeprecateAndForceDeletion() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        let ref = ServerFixture.image
            .version(VersionNumber(1, 0, 0))
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            func body(_ expected: String) -> String {
                f.versionBody(regions: #"[{"name":"eastus"}]"#)
                    .replacingOccurrences(of: #""storageProfile""#, with: #""vmib":{"expectedDeployments":\#(expected)},"storageProfile""#)
            }
            // Out of range and wrong type: 400 naming the member, and no version.
            let zero = try await client.call(.put, "\(v)/1.0.0", body: body(#"{"westeurope":0}"#))
            #expect(zero.status == 400 && zero.errorTarget == "properties.vmib.expectedDeployments", "\(zero.text)")
            let text = try await client.call(.put, "\(v)/1.0.0", body: body(#"{"westeurope":"many"}"#))
            #expect(text.status == 400 && text.errorTarget == "properties.vmib.expectedDeployments.westeurope", "\(text.text)")
            let unknown = try await client.call(.put, "\(v)/1.0.0", body: body(#"{"westeurope":5},"colour":"red""#))
            #expect(unknown.status == 400 && unknown.errorTarget == "properties.vmib.colour", "\(unknown.text)")
            #expect(try await client.call(.get, "\(v)/1.0.0").status == 404)

            // 50 expected deployments at 1 replica per 20: 3 replicas.
            let created = try await client.call(.put, "\(v)/1.0.0", body: body(#"{"westeurope":50}"#))
            #expect(created.status == 201, "\(created.text)")
            func counts() throws -> [String] {
                try f.service.versions.details(ref).version.publishingProfile.targetRegions.map { "\($0.name)=\($0.regionalReplicaCount)" }
            }
            #expect(try counts() == ["eastus=1", "westeurope=3"])
            let patched = try await client.call(.patch, "\(v)/1.0.0", body: #"{"properties":{"vmib":{"expectedDeployments":{"eastus":100}}}}"#)
            #expect(patched.status == 200, "\(patched.text)")
            #expect(try counts() == ["eastus=5", "westeurope=3"])
            _ = try await f.service.versions.reconcile(ref)

            // A failed replica: reconcile requeues it for the server's controller.
            var replica = try #require(try f.service.versions.details(ref).replicas.first)
            replica.state = .Failed; replica.lastError = "injected"
            try f.service.store.saveReplica(replica, of: ref)
            try f.service.store.setProvisioningState(.Failed, of: ref)
            let reconcile = try await client.call(.post, "\(v)/1.0.0/reconcile")
            #expect(reconcile.status == 202 && reconcile.headers[.init("Azure-AsyncOperation")!] != nil, "\(reconcile.text)")
            let after = try f.service.versions.details(ref)
            #expect(after.version.provisioningState == .Updating)
            #expect(after.replicas.first { $0.region == replica.region && $0.index == replica.index }?.state == .Pending)
            #expect(try await f.service.versions.reconcile(ref).state == .Succeeded)

            _ = try await client.call(.put, "\(v)/1.1.0", body: f.versionBody())
            _ = try await f.service.versions.reconcile(ref.image.version(VersionNumber(1, 1, 0)))
            _ = try f.service.images.rollback(ref.image, to: "1.0.0", region: nil, principal: "t")
            // Deprecate: a bad state or replacement is a 400 naming it and changes nothing.
            for (bad, target) in [(#"{"state":"Retired"}"#, "state"), (#"{"state":"Deprecated","replacement":"9.9.9"}"#, "replacement"),
                                  (#"{"state":7}"#, "state"), (#"{"replacement":"1.1.0"}"#, "state")] {
                let r = try await client.call(.post, "\(v)/1.1.0/deprecate", body: bad)
                #expect(r.status == 400 && r.errorTarget == target, "\(bad): \(r.text)")
            }
            #expect(try f.service.versions.details(ref.image.version(VersionNumber(1, 1, 0))).version.lifecycle.state == .Active)
            let deprecated = try await client.call(.post, "\(v)/1.1.0/deprecate", body: #"{"state":"Deprecated"}"#)
            #expect(deprecated.status == 200)
            #expect(try f.service.versions.details(ref.image.version(VersionNumber(1, 1, 0))).version.lifecycle.state == .Deprecated)

            // The target of the latest rollback needs forceDeletion=true.
            let refused = try await client.call(.delete, "\(v)/1.0.0")
            #expect(refused.status == 409, "\(refused.text)")
            let bad = try await client.call(.delete, "\(v)/1.0.0?forceDeletion=maybe")
            #expect(bad.status == 400 && bad.errorTarget == "forceDeletion")
            #expect(try f.service.versions.details(ref).version.provisioningState == .Succeeded)
            #expect(try await client.call(.delete, "\(v)/1.0.0?forceDeletion=true").status == 202)
            #expect(try f.service.versions.details(ref).version.provisioningState == .Deleting)
        }
    }
}
