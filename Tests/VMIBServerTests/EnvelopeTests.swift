import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VMIBCore
@testable import VMIBServer

/// A resource reports the location and tags its PUT gave (not the server's home region),
/// cannot move, and keeps its tags across GET, list, PATCH and a restart of the store.
@Suite struct EnvelopeTests {
    @Test func locationAndTagsAreRecordedPerResourceAndCannotMove() async throws {
        let f = try ServerFixture()   // the server's home region is eastus
        defer { f.removeAll() }
        let b = ServerFixture.base()
        let v = "\(b)/g1/images/i1/versions"
        try await f.application().test(.router) { (client: any TestClientProtocol) async throws in
            func envelope(_ r: Reply) -> String {
                let tags = (r.json["tags"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                return "\(r.json["location"] as? String ?? "-") [\(tags.joined(separator: ","))]"
            }
            // "West Europe" reads as westeurope; tags are kept.
            let g = try await client.call(.put, "\(b)/g1", body: #"{"location":"West Europe","tags":{"team":"images","env":"prod"}}"#)
            #expect(g.status == 201 && envelope(g) == "westeurope [env=prod,team=images]", "\(g.text)")
            #expect(envelope(try await client.call(.get, "\(b)/g1")) == "westeurope [env=prod,team=images]")
            let image = ServerFixture.imageBody.replacingOccurrences(of: #""location":"eastus""#, with: #""location":"westeurope","tags":{"os":"linux"}"#)
            #expect(try await client.call(.put, "\(b)/g1/images/i1", body: image).status == 201)
            let version = f.versionBody(regions: #"[{"name":"eastus"}]"#)
                .replacingOccurrences(of: #""location":"eastus""#, with: #""location":"westeurope","tags":{"build":"42"}"#)
            #expect(try await client.call(.put, "\(v)/1.0.0", body: version).status == 201)
            // No targetRegions: the version replicates to its own location, as Azure does.
            let bare = #"{"location":"northeurope","properties":{"storageProfile":{"source":{"uri":"file://\#(f.disk)"}}}}"#
            let second = try await client.call(.put, "\(v)/2.0.0", body: bare)
            #expect(second.status == 201, "\(second.text)")
            let targets = ((second.json["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any])?["targetRegions"] as? [[String: Any]]
            #expect(targets?.compactMap { $0["name"] as? String } == ["northeurope"])

            #expect(envelope(try await client.call(.get, "\(b)/g1/images/i1")) == "westeurope [os=linux]")
            #expect(envelope(try await client.call(.get, "\(v)/1.0.0?$expand=ReplicationStatus")) == "westeurope [build=42]")
            let list = try await client.call(.get, v)
            let listed = (list.json["value"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? "")@\($0["location"] ?? "")" }
            #expect(Set(listed) == ["1.0.0@westeurope", "2.0.0@northeurope"], "\(listed)")
            let galleries = try await client.call(.get, "/subscriptions/\(ServerFixture.subscription)/providers/Microsoft.Compute/galleries")
            #expect((galleries.json["value"] as? [[String: Any]])?.first?["location"] as? String == "westeurope")

            // Moving is a 409 naming location; an unknown region or a bad tag a 400; nothing changes.
            let moved = try await client.call(.put, "\(b)/g1", body: #"{"location":"eastus"}"#)
            #expect(moved.status == 409 && moved.errorCode == "InvalidResourceLocation" && moved.errorTarget == "location", "\(moved.text)")
            let mars = try await client.call(.put, "\(b)/g2", body: #"{"location":"mars"}"#)
            #expect(mars.status == 400 && mars.errorTarget == "location", "\(mars.text)")
            #expect(try await client.call(.get, "\(b)/g2").status == 404)
            let badTag = try await client.call(.patch, "\(v)/1.0.0", body: #"{"tags":{"a/b":"x"}}"#)
            #expect(badTag.status == 400 && badTag.errorTarget == "tags.a/b", "\(badTag.text)")
            let long = try await client.call(.patch, "\(b)/g1", body: #"{"tags":{"k":"\#(String(repeating: "v", count: 257))"}}"#)
            #expect(long.status == 400 && long.errorCode == "InvalidTag")
            #expect(envelope(try await client.call(.get, "\(b)/g1")) == "westeurope [env=prod,team=images]")

            // PATCH replaces the tags it names and keeps them when it names none; PUT replaces.
            let patched = try await client.call(.patch, "\(v)/1.0.0", body: #"{"tags":{"build":"43"},"properties":{"publishingProfile":{"excludeFromLatest":true}}}"#)
            #expect(patched.status == 200 && envelope(patched) == "westeurope [build=43]", "\(patched.text)")
            let untouched = try await client.call(.patch, "\(v)/1.0.0", body: #"{"properties":{"publishingProfile":{"excludeFromLatest":false}}}"#)
            #expect(envelope(untouched) == "westeurope [build=43]")
            let put = try await client.call(.put, "\(b)/g1", body: #"{"location":"westeurope"}"#)
            #expect(put.status == 200 && envelope(put) == "westeurope []", "\(put.text)")

            // A resource the CLI made has no envelope: it reports the server's home region.
            _ = try f.service.galleries.create(GalleryRef(subscription: ServerFixture.subscription, resourceGroup: "rg1", gallery: "cli"))
            #expect(envelope(try await client.call(.get, "\(b)/cli")) == "eastus []")
            // Nothing recorded is nothing to move from: its first PUT records the body's location.
            let adopted = try await client.call(.put, "\(b)/cli", body: #"{"location":"westus","tags":{"owner":"api"}}"#)
            #expect(adopted.status == 200 && envelope(adopted) == "westus [owner=api]", "\(adopted.text)")
            #expect(try await client.call(.put, "\(b)/cli", body: #"{"location":"eastus"}"#).status == 409)

            // Deleting a resource forgets its envelope: the same name can be made elsewhere.
            #expect(try await client.call(.delete, "\(b)/cli").status == 200)
            _ = try await client.call(.delete, "\(v)/2.0.0")
            try await f.service.versions.purge(ServerFixture.image
                .version(VersionNumber(2, 0, 0)))
            let again = try await client.call(.put, "\(v)/2.0.0", body: bare.replacingOccurrences(of: "northeurope", with: "westus"))
            #expect(again.status == 201 && envelope(again) == "westus []", "\(again.text)")
        }
        // The envelope lives in the store, under the resource id in any case.
        let envelope = try f.service.envelope(of: "\(b)/G1/images/I1")
        #expect(envelope?.location == "westeurope" && envelope?.tags == ["os": "linux"])
    }
}
