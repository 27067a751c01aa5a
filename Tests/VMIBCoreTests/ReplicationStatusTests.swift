import Foundation
import Testing
@testable import VMIBCore

@Suite struct ReplicationStatusTests {
    func replica(_ region: String, _ i: Int, _ s: Replica.State, bytes: Int64 = 0, retries: Int = 0, error: String? = nil) -> Replica {
        Replica(region: region, index: i, storageAccountType: .Standard_LRS, state: s, bytesDone: bytes,
                attempts: 1, retries: retries, lastError: error, updatedAt: Date())
    }
    let targets = [TargetRegion(name: "eastus", regionalReplicaCount: 2, storageAccountType: .Standard_LRS),
                   TargetRegion(name: "westus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)]

    @Test func aggregatesCompletedOnlyWhenEveryReplicaIs() {
        let s = ReplicationStatus(targets: targets, replicas: [
            replica("eastus", 1, .Completed), replica("eastus", 2, .Completed), replica("westus", 1, .Replicating, bytes: 50)],
            sizeBytes: 100)
        #expect(s.aggregatedState == .InProgress)
        #expect(s.summary.map(\.state) == [.Completed, .Replicating])
        #expect(s.summary[1].progress == 50)
        #expect(s.summary[0].progress == 100)
    }

    @Test func aFailedRegionFailsTheAggregateAndSaysWhy() {
        let s = ReplicationStatus(targets: targets, replicas: [
            replica("eastus", 1, .Completed), replica("eastus", 2, .Completed),
            replica("westus", 1, .Failed, retries: 5, error: "HTTP 503 down")], sizeBytes: 100)
        #expect(s.aggregatedState == .Failed)
        #expect(s.summary[1].details.contains("HTTP 503 down"))
        #expect(s.summary[1].details.contains("5 retries"))
    }

    /// A region whose replica was a delta upload says where its bytes came from; a region
    /// uploaded whole says nothing more than before.
    @Test func aDeltaRegionSaysItsBytesOverTheLinkAndFromEarlierVersions() {
        var delta = replica("eastus", 1, .Completed)
        delta.linkBytes = 16
        delta.earlierVersionBytes = 84
        var copy = replica("eastus", 2, .Completed)
        copy.linkBytes = 0
        copy.earlierVersionBytes = 0
        var whole = replica("westus", 1, .Completed)
        whole.linkBytes = 100
        whole.earlierVersionBytes = 0
        let s = ReplicationStatus(targets: targets, replicas: [delta, copy, whole], sizeBytes: 100)
        #expect(s.summary[0].details == "2/2 replicas completed; 16 bytes over the link, 84 from earlier versions")
        #expect(s.summary[1].details == "1/1 replicas completed")
    }

    @Test func noTargetsIsUnknown() {
        #expect(ReplicationStatus(targets: [], replicas: [], sizeBytes: 1).aggregatedState == .Unknown)
    }
}
