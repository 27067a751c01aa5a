import Foundation
import Testing
import VMIBBuild
import VMIBCore

/// The run engine, phase by phase: a new run, and a run resumed after a crash at each phase
/// of its checkpoint, with the files the checkpoint names in place or gone.
@Suite struct RunEngineTests {
    static let vhdAndGallery = RunEngine.Plan(needsVHD: true, sourceValidationOnly: false)

    @Test func aNewRunBuildsPackagesDistributesAndEnds() {
        #expect(actions(checkpoint("started", attempts: 1)) == [.build, .startDistributing, .package, .distribute, .end])
    }

    @Test func aRunResumedFromStartedStartsOverOnAFreshDisk() {
        #expect(actions(checkpoint("started", attempts: 2))
                == [.startOver(buildLost: false), .build, .startDistributing, .package, .distribute, .end])
    }

    @Test func aRunResumedFromBuiltKeepsTheDiskWhenItIsInPlace() {
        #expect(actions(checkpoint("built", attempts: 2), builtInPlace: true)
                == [.reuseBuild, .startDistributing, .package, .distribute, .end])
        #expect(actions(checkpoint("built", attempts: 2), builtInPlace: false)
                == [.startOver(buildLost: true), .build, .startDistributing, .package, .distribute, .end])
    }

    @Test func aRunResumedFromPackagedOrPublishedKeepsTheDiskAndTheVHDInPlace() {
        for phase in ["packaged", "published"] {
            let c = checkpoint(phase, attempts: 3)
            #expect(c.phase == phase)
            #expect(actions(c, builtInPlace: true, packageInPlace: true)
                    == [.reuseBuild, .startDistributing, .reusePackage, .distribute, .end], "\(phase)")
            #expect(actions(c, builtInPlace: true, packageInPlace: false)
                    == [.reuseBuild, .startDistributing, .package, .distribute, .end], "\(phase): the VHD is gone")
            // Starting over forgets the VHD with the disk: it is packaged again from the new one.
            #expect(actions(c, builtInPlace: false, packageInPlace: true)
                    == [.startOver(buildLost: true), .build, .startDistributing, .package, .distribute, .end], "\(phase): the disk is gone")
        }
    }

    @Test func aBuildWithoutItsSourceIsNotReused() {
        var c = checkpoint("built", attempts: 2)
        c.source = nil
        #expect(actions(c, builtInPlace: true).prefix(2) == [.startOver(buildLost: true), .build])
    }

    @Test func onlyDistributorsThatNeedTheVHDGetOne() {
        let managedOnly = RunEngine.Plan(needsVHD: false, sourceValidationOnly: false)
        #expect(actions(checkpoint("started", attempts: 1), plan: managedOnly) == [.build, .startDistributing, .distribute, .end])
        #expect(actions(checkpoint("packaged", attempts: 2), builtInPlace: true, packageInPlace: true, plan: managedOnly)
                == [.reuseBuild, .startDistributing, .distribute, .end])
    }

    @Test func sourceValidationOnlyBuildsAndDistributesNothing() {
        let validateOnly = RunEngine.Plan(needsVHD: true, sourceValidationOnly: true)
        #expect(actions(checkpoint("started", attempts: 1), plan: validateOnly) == [.build, .skipDistribution, .end])
        #expect(actions(checkpoint("built", attempts: 2), builtInPlace: true, plan: validateOnly) == [.reuseBuild, .skipDistribution, .end])
    }

    @Test func afterTheEndTheEngineStaysEnded() {
        var engine = RunEngine(RunEngine.Situation(checkpoint: checkpoint("started", attempts: 1), builtInPlace: false, packageInPlace: false),
                               plan: Self.vhdAndGallery)
        while engine.next() != .end {}
        #expect(engine.next() == .end && engine.next() == .end)
    }

    @Test func aDistributorPublishesOneVersionWhateverTheCrash() {
        #expect(RunEngine.publication(.none) == .chooseNumber(again: false))
        #expect(RunEngine.publication(.unpublished) == .publishRecorded, "crashed between recording the number and publishing")
        #expect(RunEngine.publication(.publishedByThisRun) == .awaitReplication, "crashed while replicating")
        #expect(RunEngine.publication(.publishedByOthers) == .chooseNumber(again: true))
    }

    @Test func aStoppedRunIsSuspendedEndedOrKeptForInspection() {
        let cleanup = ErrorHandling()
        let abort = ErrorHandling(onCustomizerError: .abort, onValidationError: .abort)
        let abortValidation = ErrorHandling(onCustomizerError: .cleanup, onValidationError: .abort)
        #expect(RunEngine.stop(.interrupted, errorHandling: abort) == .suspend)
        #expect(RunEngine.stop(.completed, errorHandling: abort) == .endAndClean)
        #expect(RunEngine.stop(.canceled, errorHandling: abort) == .endAndClean)
        #expect(RunEngine.stop(.failed(validation: false), errorHandling: cleanup) == .endAndClean)
        #expect(RunEngine.stop(.failed(validation: false), errorHandling: abort) == .endKeepingWorkspace(field: "onCustomizerError"))
        #expect(RunEngine.stop(.failed(validation: true), errorHandling: abort) == .endKeepingWorkspace(field: "onValidationError"))
        #expect(RunEngine.stop(.failed(validation: false), errorHandling: abortValidation) == .endAndClean)
        #expect(RunEngine.stop(.failed(validation: true), errorHandling: abortValidation) == .endKeepingWorkspace(field: "onValidationError"))
    }

    /// Every action the engine names, in order, through `.end`.
    func actions(_ checkpoint: RunCheckpoint, builtInPlace: Bool = false, packageInPlace: Bool = false,
                 plan: RunEngine.Plan = vhdAndGallery) -> [RunEngine.Action] {
        var engine = RunEngine(RunEngine.Situation(checkpoint: checkpoint, builtInPlace: builtInPlace, packageInPlace: packageInPlace),
                               plan: plan)
        var all: [RunEngine.Action] = []
        while all.last != .end && all.count < 20 { all.append(engine.next()) }
        return all
    }

    /// A checkpoint at `phase` (started, built, packaged, published) after `attempts` starts.
    func checkpoint(_ phase: String, attempts: Int) -> RunCheckpoint {
        var c = RunCheckpoint()
        c.attempts = attempts
        let phases = ["started", "built", "packaged", "published"]
        let reached = phases.firstIndex(of: phase)!
        if reached >= 1 {
            let json = #"{"disk":"/s/work.raw","sizeBytes":4194304,"sourceFormat":"raw","root":{"scheme":"whole disk","partition":0,"offset":0,"size":4194304}}"#
            c.built = try? JSONDecoder().decode(BuiltImage.self, from: Data(json.utf8))
            c.source = .init(type: "PlatformImage", exact: "vmib:busybox:gpt:1.0.0", exactVersion: "1.0.0", osType: "Linux")
        }
        if reached >= 2 { c.vhd = .init(path: "/s/image.vhd", sizeBytes: 4194816) }
        if reached >= 3 { c.published["gallery"] = "1.0.0" }
        return c
    }
}
