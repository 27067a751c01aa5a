import Foundation
import HummingbirdTesting
import Testing
import VMIBCore
import VMIBServer
import VMIBService

/// Replication modes through the API: Full and Shallow (one replica in the home region, a
/// reference to the origin copy, Completed at once); what Shallow cannot be is refused by
/// the member at fault and changes nothing; the mode never changes after create; Azure's
/// extended locations are refused by name.
@Suite struct ReplicationModeTests {
    static let v = ServerFixture.base() + "/g1/images/i1/versions"

    /// The fixture's version body with `extra` members in its publishingProfile.
    static func body(_ f: ServerFixture, _ extra: String, regions: String? = nil) -> String {
        let base = regions.map { f.versionBody(regions: $0) } ?? f.versionBody()
        return base.replacingOccurrences(of: #""publishingProfile":{"#, with: #""publishingProfile":{\#(extra),"#)
    }

    /// Every regular file under the state directory's regions (where replicas are written).
    static func regionFiles(_ f: ServerFixture) -> [String] {
        let root = f.service.configuration.stateDirectory + "/regions"
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { p in
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &dir) && !dir.boolValue
        }
    }

    @Test func shallowIsCompletedAtOnceInTheHomeRegionWithNoBytesCopied() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            let put = try await client.call(.put, "\(Self.v)/1.0.0",
                                            body: Self.body(f, #""replicationMode":"shallow""#, regions: #"[{"name":"eastus","regionalReplicaCount":1}]"#))
            #expect(put.status == 201, "\(put.text)")
            let props = put.json["properties"] as? [String: Any]
            #expect(props?["provisioningState"] as? String == "Succeeded", "usable at once: \(put.text)")
            #expect((props?["publishingProfile"] as? [String: Any])?["replicationMode"] as? String == "Shallow", "as stored: \(put.text)")

            let get = try await client.call(.get, "\(Self.v)/1.0.0?$expand=ReplicationStatus")
            let status = (get.json["properties"] as? [String: Any])?["replicationStatus"] as? [String: Any]
            #expect(status?["aggregatedState"] as? String == "Completed", "\(get.text)")
            let summary = status?["summary"] as? [[String: Any]] ?? []
            #expect(summary.map { $0["region"] as? String } == ["eastus"])
            #expect(summary.first?["state"] as? String == "Completed")
            #expect((summary.first?["details"] as? String ?? "").contains("shallow"), "honest about it: \(get.text)")

            // The controller has nothing to copy for it: no region holds any of its bytes.
            let ref = ServerFixture.image.version(VersionNumber(1, 0, 0))
            let outcome = try await f.service.versions.reconcile(ref)
            #expect(outcome.state == .Succeeded)
            #expect(Self.regionFiles(f).isEmpty, "\(Self.regionFiles(f))")
            // A verify finds nothing to check (there is no object) and changes nothing.
            let report = try await f.service.versions.verify(ref, deep: true)
            #expect(report.findings.isEmpty && report.outcome.state == .Succeeded)
            #expect(try f.service.versions.details(ref).replicas.map(\.state) == [.Completed])
            // Latest in its region, like any Completed version; not where it has no replica.
            #expect(try f.service.versions.latest(of: ServerFixture.image, region: "eastus").ref == ref)
            #expect(throws: DomainError.self) { try f.service.versions.latest(of: ServerFixture.image, region: "westus") }

            // Without targetRegions, its one region is the home region.
            let bare = try await client.call(.put, "\(Self.v)/1.0.1",
                                             body: Self.body(f, #""replicationMode":"Shallow""#).replacingOccurrences(
                                                of: #","targetRegions":[{"name":"East US","regionalReplicaCount":2}]"#, with: ""))
            #expect(bare.status == 201, "\(bare.text)")
            let regions = ((bare.json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any])?["targetRegions"] as? [[String: Any]]
            #expect(regions?.map { $0["name"] as? String } == ["eastus"] && regions?.first?["regionalReplicaCount"] as? Int == 1, "\(bare.text)")

            // Full replicates as before, and shows so.
            let full = try await client.call(.put, "\(Self.v)/2.0.0", body: Self.body(f, #""replicationMode":"Full","targetExtendedLocations":[]"#))
            #expect(full.status == 201, "\(full.text)")
            let plain = try await client.call(.put, "\(Self.v)/2.0.1", body: f.versionBody())
            let plainMode = ((plain.json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any])?["replicationMode"] as? String
            #expect(plainMode == "Full", "\(plain.text)")
            _ = try await f.service.versions.reconcile(ServerFixture.image.version(VersionNumber(2, 0, 0)))
            #expect(!Self.regionFiles(f).isEmpty, "a Full version's replicas are copies")
        }
    }

    @Test func whatShallowCannotBeIsRefusedByMemberAndNothingIsRecorded() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            let shallow = #""replicationMode":"Shallow""#
            for (regions, extra, target, says) in [
                (#"[{"name":"westus","regionalReplicaCount":1}]"#, shallow, "properties.publishingProfile.targetRegions[0].name", "'westus' is not allowed"),
                (#"[{"name":"eastus","regionalReplicaCount":2}]"#, shallow, "properties.publishingProfile.targetRegions[0].regionalReplicaCount", "2 is not allowed"),
                (#"[{"name":"eastus"},{"name":"westeurope"}]"#, shallow, "properties.publishingProfile.targetRegions[1].name", "'westeurope' is not allowed"),
                (#"[{"name":"eastus"}]"#, shallow + #","replicaCount":3"#, "properties.publishingProfile.replicaCount", "allowed: 1"),
                (#"[{"name":"eastus"}]"#, #""replicationMode":"Deep""#, "properties.publishingProfile.replicationMode", "allowed: Full, Shallow"),
                (#"[{"name":"eastus"}]"#, #""targetExtendedLocations":[{"name":"losangeles","extendedLocation":{"name":"microsoftlosangeles1","type":"EdgeZone"}}]"#,
                 "properties.publishingProfile.targetExtendedLocations", "no extended locations"),
            ] {
                let r = try await client.call(.put, "\(Self.v)/1.0.0", body: Self.body(f, extra, regions: regions))
                #expect(r.status == 400 && r.errorTarget == target, "\(regions) \(extra): \(r.text)")
                #expect(r.isARMError && r.errorCode == "InvalidParameter", "\(r.text)")
                #expect(r.text.contains(says), "\(regions) \(extra): \(r.text)")
                if target.contains("targetRegions") {
                    #expect(r.text.contains("source region 'eastus'"), "says what is allowed: \(r.text)")
                }
            }
            #expect(try f.service.versions.list(of: ServerFixture.image).isEmpty, "nothing was recorded")
            #expect(Self.regionFiles(f).isEmpty)
        }
    }

    @Test func theModeIsNotUpdatableAndAShallowVersionKeepsItsOneRegion() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            let oneEast = #"[{"name":"eastus","regionalReplicaCount":1}]"#
            #expect(try await client.call(.put, "\(Self.v)/1.0.0", body: Self.body(f, #""replicationMode":"Shallow""#, regions: oneEast)).status == 201)
            #expect(try await client.call(.put, "\(Self.v)/2.0.0", body: f.versionBody()).status == 201)
            let shallowRef = ServerFixture.image.version(VersionNumber(1, 0, 0))
            let fullRef = ServerFixture.image.version(VersionNumber(2, 0, 0))
            let before = try [f.service.versions.details(shallowRef).version, f.service.versions.details(fullRef).version]

            let changes: [(String, String, String, Int, String)] = [
                ("2.0.0", #"{"properties":{"publishingProfile":{"replicationMode":"Shallow"}}}"#, "properties.publishingProfile.replicationMode", 409, "not updatable"),
                ("1.0.0", #"{"properties":{"publishingProfile":{"replicationMode":"Full"}}}"#, "properties.publishingProfile.replicationMode", 409, "not updatable"),
                ("1.0.0", #"{"properties":{"publishingProfile":{"targetRegions":[{"name":"eastus","regionalReplicaCount":1},{"name":"westus","regionalReplicaCount":1}]}}}"#,
                 "properties.publishingProfile.targetRegions[1].name", 400, "'westus' is not allowed"),
                ("1.0.0", #"{"properties":{"publishingProfile":{"targetRegions":[{"name":"eastus","regionalReplicaCount":3}]}}}"#,
                 "properties.publishingProfile.targetRegions[0].regionalReplicaCount", 400, "3 is not allowed"),
                ("1.0.0", #"{"properties":{"vmib":{"targetRegionChanges":{"set":[{"name":"westus"}]}}}}"#,
                 "properties.vmib.targetRegionChanges.set[0].name", 400, "'westus' is not allowed"),
                ("1.0.0", #"{"properties":{"vmib":{"targetRegionChanges":{"set":[{"name":"eastus","storageAccountType":"Premium_LRS"}]}}}}"#,
                 "properties.vmib.targetRegionChanges.set[0].storageAccountType", 400, "cannot change"),
            ]
            for (version, body, target, status, says) in changes {
                let r = try await client.call(.patch, "\(Self.v)/\(version)", body: body)
                #expect(r.status == status && r.errorTarget == target, "\(body): \(r.text)")
                #expect(r.text.contains(says), "\(body): \(r.text)")
            }
            // A PUT of the existing version with the other mode: the same refusal.
            let put = try await client.call(.put, "\(Self.v)/2.0.0", body: Self.body(f, #""replicationMode":"Shallow""#))
            #expect(put.status == 409 && put.errorTarget == "properties.publishingProfile.replicationMode" && put.errorCode == "PropertyChangeNotAllowed",
                    "\(put.text)")
            let after = try [f.service.versions.details(shallowRef).version, f.service.versions.details(fullRef).version]
            #expect(after == before, "nothing changed")

            // Giving the mode it has, and changing what a Shallow version may change, is fine.
            let same = try await client.call(.patch, "\(Self.v)/1.0.0",
                                             body: #"{"properties":{"publishingProfile":{"replicationMode":"Shallow","excludeFromLatest":true}}}"#)
            #expect(same.status == 200, "\(same.text)")
            let get = try await client.call(.get, "\(Self.v)/1.0.0")
            let profile = (get.json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any]
            #expect(profile?["replicationMode"] as? String == "Shallow" && profile?["excludeFromLatest"] as? Bool == true, "\(get.text)")
        }
    }

    @Test func deletingAShallowVersionKeepsTheOriginWhileAnotherVersionNeedsItAndThenLeavesNothing() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            let oneEast = #"[{"name":"eastus","regionalReplicaCount":1}]"#
            #expect(try await client.call(.put, "\(Self.v)/1.0.0", body: Self.body(f, #""replicationMode":"Shallow""#, regions: oneEast)).status == 201)
            #expect(try await client.call(.put, "\(Self.v)/1.0.1", body: Self.body(f, #""replicationMode":"Shallow""#, regions: oneEast)).status == 201)
            let a = ServerFixture.image.version(VersionNumber(1, 0, 0)), b = ServerFixture.image.version(VersionNumber(1, 0, 1))
            let origin = try f.service.versions.originDisk(of: a)
            #expect(FileManager.default.fileExists(atPath: origin))

            try f.service.versions.beginDelete(a, force: false)
            try await f.service.versions.purge(a)
            #expect(FileManager.default.fileExists(atPath: origin), "1.0.1 is served from the same origin copy")
            #expect(try f.service.versions.details(b).status.aggregatedState == .Completed)

            try f.service.versions.beginDelete(b, force: false)
            try await f.service.versions.purge(b)
            #expect(!FileManager.default.fileExists(atPath: origin), "the last version on the disk took its origin copy with it")
            #expect(try f.service.versions.list(of: ServerFixture.image).isEmpty)
            #expect(Self.regionFiles(f).isEmpty)
        }
    }
}
