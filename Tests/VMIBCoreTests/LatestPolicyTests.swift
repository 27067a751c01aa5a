import Foundation
import Testing
@testable import VMIBCore

@Suite struct LatestPolicyTests {
    let image = GalleryRef(subscription: "s", resourceGroup: "rg", gallery: "g").image("i")
    let now = Date(timeIntervalSince1970: 2_000_000_000)

    func version(_ v: String, regions: [(String, Int, Bool)] = [("eastus", 2, false), ("westus", 1, false)],
                 excluded: Bool = false, eol: Date? = nil, state: Lifecycle.State = .Active) throws -> ImageVersion {
        ImageVersion(ref: image.version(try VersionNumber(parsing: v)),
                     publishingProfile: PublishingProfile(
                        targetRegions: regions.map { TargetRegion(name: $0.0, regionalReplicaCount: $0.1, storageAccountType: .Standard_LRS, excludeFromLatest: $0.2) },
                        replicaCount: 1, excludeFromLatest: excluded, endOfLifeDate: eol, publishedDate: now),
                     storageProfile: StorageProfile(sourcePath: "/d", sizeBytes: 1, sha256: "a", md5: "b"),
                     provisioningState: .Succeeded, lifecycle: Lifecycle(state: state))
    }

    @Test func qualifiesOnlyWhereEveryWantedReplicaIsCompleted() throws {
        let v = try version("1.1.0")
        let partial = ["eastus": 2, "westus": 0]
        #expect(LatestPolicy.disqualification(of: v, completed: partial, region: "eastus", now: now) == nil)
        #expect(LatestPolicy.disqualification(of: v, completed: partial, region: "westus", now: now)?.contains("not Completed in westus (0/1") == true)
        #expect(LatestPolicy.disqualification(of: v, completed: partial, region: nil, now: now) != nil)
        #expect(LatestPolicy.disqualification(of: v, completed: ["eastus": 2, "westus": 1], region: nil, now: now) == nil)
    }

    @Test func exclusionEndOfLifeAndLifecycleDisqualify() throws {
        let done = ["eastus": 2, "westus": 1]
        #expect(try LatestPolicy.disqualification(of: version("1.0.0", excluded: true), completed: done, region: "eastus", now: now)?.contains("excluded") == true)
        let regional = try version("1.0.0", regions: [("eastus", 2, true), ("westus", 1, false)])
        #expect(LatestPolicy.disqualification(of: regional, completed: done, region: "eastus", now: now)?.contains("excluded from latest in eastus") == true)
        #expect(LatestPolicy.disqualification(of: regional, completed: done, region: "westus", now: now) == nil)
        #expect(try LatestPolicy.disqualification(of: version("1.0.0", eol: now), completed: done, region: nil, now: now)?.contains("end of life") == true)
        #expect(try LatestPolicy.disqualification(of: version("1.0.0", eol: now.addingTimeInterval(1)), completed: done, region: nil, now: now) == nil)
        #expect(try LatestPolicy.disqualification(of: version("1.0.0", state: .Deprecated), completed: done, region: nil, now: now)?.contains("Deprecated") == true)
        #expect(try LatestPolicy.disqualification(of: version("1.0.0"), completed: done, region: "brazilsouth", now: now)?.contains("not replicated") == true)
    }

    @Test func rollbackExcludesEveryNewerVersionAndUndoRestoresThem() throws {
        let versions = try [version("1.0.0"), version("1.1.0"), version("1.2.0", excluded: true), version("2.0.0")]
        let changes = RollbackPlanner.changes(toMakeLatest: VersionNumber(1, 0, 0), among: versions, region: nil)
        #expect(changes == [FlagChange(version: VersionNumber(2, 0, 0), region: nil, from: false, to: true),
                            FlagChange(version: VersionNumber(1, 1, 0), region: nil, from: false, to: true)])
        let after = RollbackPlanner.apply(changes, to: versions)
        #expect(after.filter { $0.publishingProfile.excludeFromLatest }.map(\.ref.version.description).sorted() == ["1.1.0", "1.2.0", "2.0.0"])
        let undone = RollbackPlanner.apply(changes.map(\.reversed), to: after)
        #expect(undone == versions)
    }

    @Test func regionalRollbackTouchesOnlyThatRegionsFlags() throws {
        let versions = try [version("1.0.0"), version("1.1.0"), version("1.2.0", regions: [("westus", 1, false)])]
        let changes = RollbackPlanner.changes(toMakeLatest: VersionNumber(1, 0, 0), among: versions, region: "eastus")
        #expect(changes == [FlagChange(version: VersionNumber(1, 1, 0), region: "eastus", from: false, to: true)])
    }

    @Test func replicasFromExpectedDeploymentsAreBounded() {
        #expect(ReplicaCountBasis.replicas(forDeployments: 1, perReplica: 20) == 1)
        #expect(ReplicaCountBasis.replicas(forDeployments: 20, perReplica: 20) == 1)
        #expect(ReplicaCountBasis.replicas(forDeployments: 21, perReplica: 20) == 2)
        #expect(ReplicaCountBasis.replicas(forDeployments: 130, perReplica: 20) == 7)
        #expect(ReplicaCountBasis.replicas(forDeployments: 1_000_000, perReplica: 20) == 100)
        #expect(ReplicaCountBasis.replicas(forDeployments: 130, perReplica: 50) == 3)
    }
}
