import Foundation
import HummingbirdTesting
import Testing
import VMIBCore
import VMIBServer
import VMIBService

/// What vmib does not do is refused by name, with what to give instead, and nothing is
/// recorded: Shallow replication and Azure's extended locations.
@Suite struct ReplicationModeTests {
    @Test func shallowAndExtendedLocationsAreRefusedByNameAndFullIsAccepted() async throws {
        let f = try ServerFixture()
        defer { f.removeAll() }
        let v = ServerFixture.base() + "/g1/images/i1/versions"
        let base = f.versionBody()
        let body: @Sendable (String) -> String = {
            base.replacingOccurrences(of: #""publishingProfile":{"#, with: #""publishingProfile":{\#($0),"#)
        }
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            try await client.putGalleryAndImage()
            for (extra, member, says) in [
                (#""replicationMode":"Shallow""#, "replicationMode", "Shallow replication is not supported by vmib yet"),
                (#""replicationMode":"Deep""#, "replicationMode", "allowed: Full"),
                (#""targetExtendedLocations":[{"name":"losangeles","extendedLocation":{"name":"microsoftlosangeles1","type":"EdgeZone"}}]"#,
                 "targetExtendedLocations", "no extended locations"),
            ] {
                let r = try await client.call(.put, "\(v)/1.0.0", body: body(extra))
                #expect(r.status == 400 && r.errorTarget == "properties.publishingProfile.\(member)", "\(extra): \(r.text)")
                #expect(r.text.contains(says), "\(extra): \(r.text)")
            }
            #expect(try f.service.versions.list(of: ServerFixture.image).isEmpty, "nothing was recorded")
            let full = try await client.call(.put, "\(v)/1.0.0", body: body(#""replicationMode":"Full","targetExtendedLocations":[]"#))
            #expect(full.status == 201, "\(full.text)")
        }
    }
}
