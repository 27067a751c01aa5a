import Foundation
import Testing
@testable import VMIBCore

/// The merge of a `version update` into a version, in Core (the service applies it inside
/// its compare-and-set loop; the API's PATCH and the CLI reach it the same way).
@Suite struct TargetRegionRulesTests {
    let rules: TargetRegionRules

    init() throws {
        let catalog = RegionCatalog(regions: ["eastus", "westus", "westeurope"].map {
            CatalogRegion(name: $0, displayName: $0.uppercased(), geography: "x", latitude: 0, longitude: 0, pairedRegion: nil, buildRegion: true)
        })
        let topology = try TopologyParser.parse("""
            {"name": "t", "regions": [
              {"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "e"}, "Premium_LRS": {"kind": "directory", "path": "ep"}}},
              {"name": "westus", "storage": {"Standard_LRS": {"kind": "directory", "path": "w"}}}]}
            """, catalog: catalog)
        rules = TargetRegionRules(catalog: catalog, topology: topology, deploymentsPerReplica: 20)
    }

    func version(_ targets: [TargetRegion], allowDeletion: Bool = false) -> ImageVersion {
        let ref = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i").version(VersionNumber(1, 0, 0))
        return ImageVersion(ref: ref,
                            publishingProfile: PublishingProfile(targetRegions: targets, replicaCount: 1, excludeFromLatest: false,
                                                                 endOfLifeDate: nil, publishedDate: Date(timeIntervalSince1970: 0)),
                            storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 1, sha256: "x", md5: "y"),
                            provisioningState: .Succeeded,
                            safetyProfile: SafetyProfile(allowDeletionOfReplicatedLocations: allowDeletion))
    }

    @Test func aSetRegionChangesOnlyWhatWasGivenAndKeepsTheOthers() throws {
        var v = version([TargetRegion(name: "eastus", regionalReplicaCount: 2, storageAccountType: .Premium_LRS),
                         TargetRegion(name: "westus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        var r = UpdateRequest(ref: v.ref)
        r.setRegions = [TargetRegionRequest(name: "East US", regionalReplicaCount: 5)]
        #expect(try rules.merge(r, into: &v) == true)
        #expect(v.publishingProfile.targetRegions.map(\.name) == ["eastus", "westus"])
        #expect(v.publishingProfile.targetRegions[0].regionalReplicaCount == 5)
        #expect(v.publishingProfile.targetRegions[0].storageAccountType == .Premium_LRS, "not given: kept")
        #expect(v.publishingProfile.targetRegions[0].countBasis == .explicit)
    }

    @Test func removingARegionNeedsTheSafetyProfileAndLeavesTheVersionUnchangedOtherwise() throws {
        let before = version([TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS),
                              TargetRegion(name: "westus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        var v = before
        var r = UpdateRequest(ref: v.ref)
        r.removeRegions = ["westus"]
        r.excludeFromLatest = true
        let e = #expect(throws: DomainError.self) { try rules.merge(r, into: &v) }
        #expect(e?.field == Field.removeRegions && e?.code == .refused)
        #expect(v == before, "a refused merge changes nothing")
        r.allowDeletionOfReplicatedLocations = true
        #expect(try rules.merge(r, into: &v) == true)
        #expect(v.publishingProfile.targetRegions.map(\.name) == ["eastus"])
        #expect(v.publishingProfile.excludeFromLatest && v.safetyProfile.allowDeletionOfReplicatedLocations)
    }

    @Test func flagsAndDatesDoNotChangeReplicas() throws {
        var v = version([TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        var r = UpdateRequest(ref: v.ref)
        r.excludeRegionsFromLatest = ["eastus"]
        r.endOfLifeDate = "2030-01-01"
        #expect(try rules.merge(r, into: &v) == false)
        #expect(v.publishingProfile.targetRegions[0].excludeFromLatest)
        #expect(v.publishingProfile.endOfLifeDate == ISO8601.date(from: "2030-01-01T00:00:00Z"))
        r = UpdateRequest(ref: v.ref)
        r.endOfLifeDate = "none"
        _ = try rules.merge(r, into: &v)
        #expect(v.publishingProfile.endOfLifeDate == nil, "\"none\" clears the end of life")
    }

    @Test func expectedDeploymentsSetTheCountAndItsBasis() throws {
        var v = version([TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        var r = UpdateRequest(ref: v.ref)
        r.expectedDeployments = [("westus", 100), ("eastus", 41)]
        _ = try rules.merge(r, into: &v)
        #expect(v.publishingProfile.targetRegions.map(\.name) == ["eastus", "westus"])
        #expect(v.publishingProfile.targetRegions.map(\.regionalReplicaCount) == [3, 5])
        #expect(v.publishingProfile.targetRegions[1].countBasis == .expectedDeployments(100, perReplica: 20))
    }

    @Test func refusalsNameTheFieldAndWhatIsAllowed() throws {
        var v = version([TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        var r = UpdateRequest(ref: v.ref)
        r.setRegions = [TargetRegionRequest(name: "westeurope")]
        let notServed = #expect(throws: DomainError.self) { try rules.merge(r, into: &v) }
        #expect(notServed?.field == Field.targetRegions && notServed?.message.contains("served: eastus, westus") == true)
        r.setRegions = [TargetRegionRequest(name: "westus", storageAccountType: "Premium_LRS")]
        let notOffered = #expect(throws: DomainError.self) { try rules.merge(r, into: &v) }
        #expect(notOffered?.message.contains("it offers: Standard_LRS") == true)
        r.setRegions = [TargetRegionRequest(name: "westus", regionalReplicaCount: 101)]
        let range = #expect(throws: DomainError.self) { try rules.merge(r, into: &v) }
        #expect(range?.message.contains("allowed: 1…100") == true)
        r.setRegions = []
        r.expectedDeployments = [("westus", 0)]
        let deployments = #expect(throws: DomainError.self) { try rules.merge(r, into: &v) }
        #expect(deployments?.field == Field.expectedDeployments)
    }

    @Test func aPublishRefusesARegionGivenBothWays() throws {
        let image = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i")
        let r = PublishRequest(image: image, version: "1.0.0", disk: "/d", targetRegions: [TargetRegionRequest(name: "westus")],
                               expectedDeployments: [("westus", 40)])
        let e = #expect(throws: DomainError.self) { try rules.targets(of: r, replicaCount: 1) }
        #expect(e?.field == Field.expectedDeployments)
        let ok = PublishRequest(image: image, version: "1.0.0", disk: "/d", targetRegions: [TargetRegionRequest(name: "eastus")],
                                expectedDeployments: [("westus", 40)])
        #expect(try rules.targets(of: ok, replicaCount: 2).map(\.regionalReplicaCount) == [2, 2])
    }
}
