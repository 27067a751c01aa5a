import Foundation
import Testing
@testable import VMIBCore

/// Shallow replication's rules in Core: the mode's names, the one-replica-in-the-source-region
/// rule with the member at fault, a new version's replica records, its status and `latest`.
@Suite struct ReplicationModeRuleTests {
    let rules: TargetRegionRules
    let image = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i")
    let published = Date(timeIntervalSince1970: 1_900_000_000)

    init() throws {
        let catalog = RegionCatalog(regions: ["eastus", "westus", "westeurope"].map {
            CatalogRegion(name: $0, displayName: $0.uppercased(), geography: "x", latitude: 0, longitude: 0, pairedRegion: nil, buildRegion: true)
        })
        let topology = try TopologyParser.parse("""
            {"name": "t", "regions": [
              {"name": "westus", "storage": {"Standard_LRS": {"kind": "directory", "path": "w"}}},
              {"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "e"}, "Premium_LRS": {"kind": "directory", "path": "ep"}}}]}
            """, catalog: catalog)
        rules = TargetRegionRules(catalog: catalog, topology: topology, deploymentsPerReplica: 20, sourceRegion: "eastus")
    }

    func request(_ regions: [TargetRegionRequest], replicaCount: Int? = nil, expected: [(String, Int)] = []) -> PublishRequest {
        PublishRequest(image: image, version: "1.0.0", disk: "/d", targetRegions: regions, replicaCount: replicaCount,
                       expectedDeployments: expected.map { ($0.0, $0.1) }, replicationMode: .Shallow)
    }

    func shallow(_ targets: [TargetRegion]) -> ImageVersion {
        ImageVersion(ref: image.version(VersionNumber(1, 0, 0)),
                     publishingProfile: PublishingProfile(targetRegions: targets, replicaCount: 1, excludeFromLatest: false,
                                                          endOfLifeDate: nil, publishedDate: published, replicationMode: .Shallow),
                     storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 4096, sha256: "abc", md5: "m"),
                     provisioningState: .Succeeded)
    }

    func refusal(_ body: () throws -> Any) -> DomainError? {
        do { _ = try body(); return nil } catch let e as DomainError { return e } catch { return nil }
    }

    @Test func modesParseInAnyCaseAndABadOneNamesTheAllowed() throws {
        #expect(try ReplicationMode(parsing: "shallow", field: .replicationMode) == .Shallow)
        #expect(try ReplicationMode(parsing: "FULL", field: .replicationMode) == .Full)
        let e = refusal { try ReplicationMode(parsing: "Deep", field: .replicationMode) }
        #expect(e?.field == .replicationMode && e?.message.contains("allowed: Full, Shallow") == true, "\(String(describing: e))")
    }

    @Test func shallowAllowsOnlyOneReplicaInTheSourceRegion() {
        #expect(ReplicationMode.shallowViolation(regions: [("eastus", 1)], sourceRegion: "eastus") == nil)
        #expect(ReplicationMode.shallowViolation(regions: [("EastUS", 1)], sourceRegion: "eastus") == nil)
        let other = ReplicationMode.shallowViolation(regions: [("westus", 1)], sourceRegion: "eastus")
        #expect(other?.index == 0 && other?.member == .name && other?.message.contains("'eastus'") == true)
        let second = ReplicationMode.shallowViolation(regions: [("eastus", 1), ("westeurope", 1)], sourceRegion: "eastus")
        #expect(second?.index == 1 && second?.member == .name)
        let twice = ReplicationMode.shallowViolation(regions: [("eastus", 1), ("eastus", 1)], sourceRegion: "eastus")
        #expect(twice?.index == 1 && twice?.member == .name)
        let count = ReplicationMode.shallowViolation(regions: [("eastus", 2)], sourceRegion: "eastus")
        #expect(count?.index == 0 && count?.member == .regionalReplicaCount && count?.message.contains("regionalReplicaCount: 1") == true)
    }

    @Test func aShallowPublishTakesTheSourceRegionAndRefusesAnythingElseByMember() throws {
        // Not the topology's first region: the rules' source region.
        let none = try rules.targets(of: request([]), replicaCount: 1)
        #expect(none.map(\.name) == ["eastus"] && none.map(\.regionalReplicaCount) == [1])
        #expect(try rules.targets(of: request([TargetRegionRequest(name: "East US")]), replicaCount: 1).map(\.name) == ["eastus"])
        #expect(refusal { try rules.targets(of: request([TargetRegionRequest(name: "westus")]), replicaCount: 1) }?.field == .targetRegion(0, .name))
        #expect(refusal { try rules.targets(of: request([TargetRegionRequest(name: "eastus", regionalReplicaCount: 2)]), replicaCount: 1) }?.field
                == .targetRegion(0, .regionalReplicaCount))
        #expect(refusal { try rules.targets(of: request([TargetRegionRequest(name: "eastus"), TargetRegionRequest(name: "westus")]), replicaCount: 1) }?.field
                == .targetRegion(1, .name))
        #expect(refusal { try rules.targets(of: request([], replicaCount: 2), replicaCount: 2) }?.field == .replicaCount)
        #expect(refusal { try rules.targets(of: request([], expected: [("eastus", 40)]), replicaCount: 1) }?.field == .expectedDeployments)
        // Full is unaffected: any served region, any count.
        var full = request([TargetRegionRequest(name: "westus", regionalReplicaCount: 3)])
        full.replicationMode = .Full
        #expect(try rules.targets(of: full, replicaCount: 1).map(\.regionalReplicaCount) == [3])
        // The source region defaults to the topology's first.
        let byDefault = TargetRegionRules(catalog: rules.catalog, topology: rules.topology, deploymentsPerReplica: 20)
        #expect(byDefault.sourceRegion == "westus")
    }

    @Test func aShallowVersionsOneRegionCannotMoveGrowOrChangeType() throws {
        let v = shallow([TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        func merged(_ change: (inout UpdateRequest) -> Void) -> DomainError? {
            var copy = v
            var r = UpdateRequest(ref: v.ref)
            change(&r)
            let e = refusal { try rules.merge(r, into: &copy) }
            #expect(copy == v, "refused: unchanged")
            return e
        }
        #expect(merged { $0.setRegions = [TargetRegionRequest(name: "westus")] }?.field == .targetRegion(0, .name))
        #expect(merged { $0.setRegions = [TargetRegionRequest(name: "eastus"), TargetRegionRequest(name: "westus")] }?.field == .targetRegion(1, .name))
        #expect(merged { $0.setRegions = [TargetRegionRequest(name: "eastus", regionalReplicaCount: 4)] }?.field == .targetRegion(0, .regionalReplicaCount))
        #expect(merged { $0.setRegions = [TargetRegionRequest(name: "eastus", storageAccountType: "Premium_LRS")] }?.field == .targetRegion(0, .storageAccountType))
        #expect(merged { $0.expectedDeployments = [("eastus", 100)] }?.field == .expectedDeployments)
        // What does not touch its replica is a change like any other.
        var copy = v
        var r = UpdateRequest(ref: v.ref)
        r.excludeFromLatest = true
        r.setRegions = [TargetRegionRequest(name: "eastus", regionalReplicaCount: 1)]
        #expect(try rules.merge(r, into: &copy) == false)
        #expect(copy.publishingProfile.excludeFromLatest && copy.publishingProfile.replicationMode == .Shallow)
    }

    @Test func aShallowVersionStartsCompletedAndSaysItIsAReference() {
        let v = shallow([TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        let replicas = v.initialReplicas()
        #expect(replicas.map(\.state) == [.Completed])
        #expect(replicas[0].verifiedDigest == "abc" && replicas[0].bytesDone == 0 && replicas[0].region == "eastus" && replicas[0].index == 1)
        let status = ReplicationStatus(targets: v.publishingProfile.targetRegions, replicas: replicas, sizeBytes: 4096, mode: .Shallow)
        #expect(status.aggregatedState == .Completed && status.summary[0].progress == 100)
        #expect(status.summary[0].details.contains("shallow") && status.summary[0].details.contains("origin"), "\(status.summary[0].details)")

        var full = v
        full.publishingProfile.replicationMode = .Full
        full.publishingProfile.targetRegions[0].regionalReplicaCount = 2
        #expect(full.initialReplicas().map(\.state) == [.Pending, .Pending])
        let fullStatus = ReplicationStatus(targets: full.publishingProfile.targetRegions, replicas: full.initialReplicas(), sizeBytes: 4096)
        #expect(!fullStatus.summary[0].details.contains("shallow"))
    }

    @Test func latestTakesAShallowVersionWhereItIsCompleted() {
        let v = shallow([TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)])
        let completed = ["eastus": v.initialReplicas().filter { $0.state == .Completed }.count]
        #expect(LatestPolicy.disqualification(of: v, completed: completed, region: "eastus", now: published) == nil)
        #expect(LatestPolicy.disqualification(of: v, completed: completed, region: nil, now: published) == nil)
        #expect(LatestPolicy.disqualification(of: v, completed: completed, region: "westus", now: published)?.contains("not replicated to westus") == true)
    }

    @Test func aTargetRegionMemberReadsBackFromItsWireName() {
        for field in [Field.targetRegion(0, .name), .targetRegion(12, .regionalReplicaCount), .targetRegion(3, .storageAccountType), .replicationMode] {
            #expect(Field(name: field.description) == field, "\(field)")
        }
        #expect(Field(name: "targetRegions[x].name") == .named("targetRegions[x].name"))
        #expect(Field(name: "targetRegions[1].size") == .named("targetRegions[1].size"))
    }

    @Test func aProfileWrittenBeforeModesDecodesAsFull() throws {
        let json = #"{"targetRegions":[],"replicaCount":1,"excludeFromLatest":false,"publishedDate":0}"#
        #expect(try JSONDecoder().decode(PublishingProfile.self, from: Data(json.utf8)).replicationMode == .Full)
        let v = shallow([])
        let round = try JSONDecoder().decode(PublishingProfile.self, from: JSONEncoder().encode(v.publishingProfile))
        #expect(round.replicationMode == .Shallow)
    }
}
