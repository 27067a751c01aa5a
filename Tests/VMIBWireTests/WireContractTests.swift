import Foundation
import Testing
import VMIBCore
@testable import VMIBWire

/// One rendering of each resource and one set of request bodies, shared by the server's
/// routes, the CLI's client and the CLI's --output json.
@Suite struct WireContractTests {
    let version: ImageVersion = {
        let ref = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i").version(VersionNumber(1, 2, 3))
        var v = ImageVersion(ref: ref,
                             publishingProfile: PublishingProfile(
                                 targetRegions: [TargetRegion(name: "eastus", regionalReplicaCount: 2, storageAccountType: .Premium_LRS)],
                                 replicaCount: 1, excludeFromLatest: false, endOfLifeDate: nil,
                                 publishedDate: Date(timeIntervalSince1970: 1_700_000_000)),
                             storageProfile: StorageProfile(sourcePath: "/d/disk.raw", sizeBytes: 3 << 30, sha256: "abc", md5: "m"),
                             provisioningState: .Succeeded)
        v.generation = 7
        return v
    }()

    func object(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: WireJSON.encoder(pretty: false).encode(value)) as? [String: Any])
    }

    @Test func theCLIPrintsTheAPIsRenderingWithoutTheEnvelopeAndVmibsRecord() throws {
        let replicas = [Replica(region: "eastus", index: 1, storageAccountType: .Premium_LRS, state: .Completed, updatedAt: Date())]
        let details = VersionDetails(version: version, replicas: replicas)
        var api = try object(VersionResource(version, for: .api(ResourceEnvelope(location: "eastus", tags: ["a": "b"])), details: details))
        let cli = try object(VersionResource(version, for: .cli, details: details))
        #expect(api["location"] as? String == "eastus" && (api["tags"] as? [String: String]) == ["a": "b"])
        var properties = try #require(api["properties"] as? [String: Any])
        let record = try #require(properties.removeValue(forKey: "vmib") as? [String: Any])
        #expect((record["replicas"] as? [Any])?.count == 1, "the API's record carries the replicas when expanded")
        api["properties"] = properties
        api.removeValue(forKey: "location"); api.removeValue(forKey: "tags")
        #expect(NSDictionary(dictionary: api).isEqual(to: cli), "the same rendering apart from location, tags and properties.vmib")
        let profile = try #require((cli["properties"] as? [String: Any])?["publishingProfile"] as? [String: Any])
        #expect(profile["storageAccountType"] as? String == "Premium_LRS")
        #expect(cli["etag"] as? String == "\"7\"")
    }

    @Test func theClientReadsBackWhatTheServerRendered() throws {
        let details = VersionDetails(version: version, replicas: [])
        let data = try WireJSON.encoder(pretty: false).encode(VersionResource(version, for: .api(ResourceEnvelope(location: "eastus")), details: details))
        let decoded = try WireJSON.decoder.decode(VersionResource.self, from: data)
        #expect(decoded.details?.version == version)
        let cli = try WireJSON.decoder.decode(VersionResource.self, from: WireJSON.encoder(pretty: true).encode(VersionResource(version, for: .cli)))
        #expect(cli.details == nil, "the CLI's rendering has no record to read back")
    }

    @Test func anUpdateIsSentAsAMergeAndReadBackAsTheSameUpdate() throws {
        var r = UpdateRequest(ref: version.ref)
        r.setRegions = [TargetRegionRequest(name: "westus", regionalReplicaCount: 3)]
        r.removeRegions = ["eastus"]
        r.excludeRegionsFromLatest = ["westus"]
        r.endOfLifeDate = "none"
        r.expectedDeployments = [("westeurope", 40), ("eastus2", 10)]
        r.blockDeletionBeforeEndOfLife = false
        let body = try ResourcePayload<VersionProperties>(properties: VersionProperties(update: r)).encoded()
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(#""endOfLifeDate":null"#), "\"none\" is a JSON null, which clears it: \(text)")
        #expect(text.contains(#""expectedDeployments":{"westeurope":40,"eastus2":10}"#), "in the order given: \(text)")
        #expect(text.range(of: "westeurope")!.lowerBound < text.range(of: "eastus2")!.lowerBound, "expected deployments keep their order")
        #expect(!text.contains("targetRegions"), "regions go as a merge, never as a whole list")
        let read = try WireJSON.decoder.decode(ResourcePayload<VersionProperties>.self, from: body)
        let props = try #require(read.properties)
        var back = UpdateRequest(ref: version.ref)
        props.applyChanges(to: &back)
        #expect(back.setRegions == r.setRegions && back.removeRegions == r.removeRegions)
        #expect(back.excludeRegionsFromLatest == ["westus"] && back.includeRegionsInLatest.isEmpty)
        #expect(props.publishingProfile?.endOfLifeDate == .cleared)
        // (The server reads the regions' order from the body itself; JSONDecoder does not keep it.)
        #expect(props.vmib?.expectedDeployments?.items.map(\.region).sorted() == ["eastus2", "westeurope"])
        #expect(props.safetyProfile?.blockDeletionBeforeEndOfLife == false && props.safetyProfile?.allowDeletionOfReplicatedLocations == nil)
    }

    @Test func aPublishNamesTheDiskAndKeepsTheProfileDefaultsForTheServer() throws {
        let image = version.ref.image
        let r = PublishRequest(image: image, version: "1.2.3", disk: "/d/disk.raw",
                               targetRegions: [TargetRegionRequest(name: "eastus", storageAccountType: "Premium_LRS", excludeFromLatest: true)])
        let props = VersionProperties(publish: r, diskPath: "/d/disk.raw")
        #expect(props.storageProfile?.source?.uri == "file:///d/disk.raw")
        #expect(props.publishingProfile?.replicaCount == nil, "not given: the server's default")
        #expect(props.targetRegionRequests == [TargetRegionRequest(name: "eastus", storageAccountType: "Premium_LRS", excludeFromLatest: true)])
        #expect(props.vmib == nil)
    }

    @Test func everyMemberAPayloadEncodesIsOneItAllows() throws {
        var r = UpdateRequest(ref: version.ref)
        r.setRegions = [TargetRegionRequest(name: "westus", regionalReplicaCount: 3, storageAccountType: "Standard_LRS")]
        r.removeRegions = ["a"]; r.excludeRegionsFromLatest = ["b"]; r.includeRegionsInLatest = ["c"]
        r.excludeFromLatest = true; r.endOfLifeDate = "2030-01-01"; r.expectedDeployments = [("x", 1)]
        r.allowDeletionOfReplicatedLocations = true; r.blockDeletionBeforeEndOfLife = true
        let props = try object(VersionProperties(update: r))
        #expect(Set(props.keys).isSubset(of: VersionProperties.members))
        #expect(Set(try #require(props["publishingProfile"] as? [String: Any]).keys).isSubset(of: VersionProperties.PublishingProfile.members))
        #expect(Set(try #require(props["safetyProfile"] as? [String: Any]).keys).isSubset(of: VersionProperties.SafetyProfile.members))
        let vmib = try #require(props["vmib"] as? [String: Any])
        #expect(Set(vmib.keys).isSubset(of: VersionProperties.Extension.members))
        #expect(Set(try #require(vmib["targetRegionChanges"] as? [String: Any]).keys).isSubset(of: VersionProperties.TargetRegionChanges.members))
        #expect(Set(try object(RollbackPayload(to: "1.0.0", region: "eastus", undo: true)).keys) == RollbackPayload.members)
        #expect(Set(try object(DeprecatePayload(state: "Deprecated", replacement: "2.0.0")).keys) == DeprecatePayload.members)
    }
}
