import Foundation
import Testing
@testable import VMIBCore

@Suite struct ReplicationPlannerTests {
    let target = TargetRegion(name: "eastus", regionalReplicaCount: 3, storageAccountType: .Standard_LRS)
    func replica(_ i: Int, _ s: Replica.State) -> Replica {
        Replica(region: "eastus", index: i, storageAccountType: .Standard_LRS, state: s, updatedAt: Date())
    }

    @Test func recordsMissingReplicas() {
        #expect(ReplicationPlanner.next(for: target, replicas: []) == [.record(index: 1), .record(index: 2), .record(index: 3)])
    }

    @Test func uploadsOnlyTheFirstReplicaUntilOneIsVerified() {
        let rs = [replica(1, .Pending), replica(2, .Pending), replica(3, .Pending)]
        #expect(ReplicationPlanner.next(for: target, replicas: rs) == [.upload(index: 1)])
        #expect(ReplicationPlanner.next(for: target, replicas: rs, inFlight: [1]).isEmpty)
    }

    @Test func copiesTheRestServerSideFromTheVerifiedReplica() {
        let rs = [replica(1, .Completed), replica(2, .Pending), replica(3, .Replicating)]
        #expect(ReplicationPlanner.next(for: target, replicas: rs) == [.copy(index: 2, from: 1), .copy(index: 3, from: 1)])
    }

    @Test func resumesAnInterruptedFirstUpload() {
        let rs = [replica(1, .Replicating), replica(2, .Pending), replica(3, .Pending)]
        #expect(ReplicationPlanner.next(for: target, replicas: rs) == [.upload(index: 1)])
    }

    @Test func aFailedRegionWaitsForTheUser() {
        let rs = [replica(1, .Failed), replica(2, .Pending), replica(3, .Pending)]
        #expect(ReplicationPlanner.next(for: target, replicas: rs).isEmpty)
    }

    @Test func deletesSurplusReplicas() {
        let one = TargetRegion(name: "eastus", regionalReplicaCount: 1, storageAccountType: .Standard_LRS)
        let rs = [replica(1, .Completed), replica(2, .Completed), replica(3, .Completed)]
        #expect(ReplicationPlanner.next(for: one, replicas: rs) == [.delete(index: 2), .delete(index: 3)])
    }

    @Test func completedRegionNeedsNothing() {
        let rs = [replica(1, .Completed), replica(2, .Completed), replica(3, .Completed)]
        #expect(ReplicationPlanner.next(for: target, replicas: rs).isEmpty)
    }

    @Test func aRegionNoLongerTargetedLosesEveryReplica() {
        let gone = TargetRegion(name: "eastus", regionalReplicaCount: 0, storageAccountType: .Standard_LRS)
        #expect(ReplicationPlanner.next(for: gone, replicas: [replica(1, .Completed), replica(2, .Failed)]) == [.delete(index: 1), .delete(index: 2)])
    }

    @Test func aChangedStorageTypeRequeuesReplicasInTheNewType() {
        let premium = TargetRegion(name: "eastus", regionalReplicaCount: 2, storageAccountType: .Premium_LRS)
        #expect(ReplicationPlanner.next(for: premium, replicas: [replica(1, .Completed), replica(2, .Completed)]) == [.retype(index: 1), .retype(index: 2)])
        var one = replica(1, .Pending); one.storageAccountType = .Premium_LRS
        var two = replica(2, .Pending); two.storageAccountType = .Premium_LRS
        #expect(ReplicationPlanner.next(for: premium, replicas: [one, two]) == [.upload(index: 1)])
    }

    @Test func scalingUpCopiesOnlyTheNewIndices() {
        let five = TargetRegion(name: "eastus", regionalReplicaCount: 5, storageAccountType: .Standard_LRS)
        let rs = [replica(1, .Completed), replica(2, .Completed), replica(3, .Completed), replica(4, .Pending), replica(5, .Pending)]
        #expect(ReplicationPlanner.next(for: five, replicas: rs) == [.copy(index: 4, from: 1), .copy(index: 5, from: 1)])
    }
}
