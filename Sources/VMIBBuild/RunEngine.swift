import VMIBCore

/// The run engine's decisions: from what a run's checkpoint records, and whether the files
/// it names are still in place, the next thing to do, one action at a time. Pure: no
/// files, no processes, no clock. The service carries each action out (with the run's
/// `RunWorkspace`) and asks for the next, until `.end`; an error stops the run on the way,
/// and `stop(_:errorHandling:)` says what becomes of it.
///
/// | checkpoint (attempt)           | built disk | VHD     | actions                                            |
/// |--------------------------------|------------|---------|----------------------------------------------------|
/// | started (a new run)            |            |         | build, startDistributing, package, distribute, end |
/// | started (resumed)              |            |         | startOver, build, startDistributing, package, …    |
/// | built (resumed)                | in place   |         | reuseBuild, startDistributing, package, …          |
/// | built, packaged, published     | missing    |         | startOver(buildLost), build, startDistributing, …   |
/// | packaged, published (resumed)  | in place   | in place| reuseBuild, startDistributing, reusePackage, …     |
/// | packaged, published (resumed)  | in place   | missing | reuseBuild, startDistributing, package, …          |
///
/// Without a distributor that needs the VHD (ManagedImage only) there is no package step;
/// with `validate.sourceValidationOnly` the build is followed by skipDistribution, end.
/// After published, each SharedImage distributor decides with `publication(_:)`.
public struct RunEngine: Sendable, Equatable {
    /// What a run's checkpoint records, and what of it is still in place.
    public struct Situation: Sendable, Equatable {
        /// How many processes have started carrying the run out, this one included.
        public var attempt: Int
        /// The last phase the checkpoint records: started, built, packaged or published.
        public var phase: String
        /// The checkpoint records a built disk.
        public var builtRecorded: Bool
        /// The checkpoint records a built disk and its source, and the disk is in place.
        public var builtUsable: Bool
        /// The checkpoint's VHD is in place, at the workspace's path.
        public var packageInPlace: Bool

        /// - Parameters:
        ///   - builtInPlace: whether `checkpoint.built`'s disk is in place (`builtDiskIfPresent`).
        ///   - packageInPlace: whether `checkpoint.vhd` is in place where the run packages it.
        public init(checkpoint: RunCheckpoint, builtInPlace: Bool, packageInPlace: Bool) {
            attempt = checkpoint.attempts
            phase = checkpoint.phase
            builtRecorded = checkpoint.built != nil
            builtUsable = checkpoint.built != nil && checkpoint.source != nil && builtInPlace
            self.packageInPlace = checkpoint.vhd != nil && packageInPlace
        }

        /// Carried out before: a process started the run and stopped (shutdown, crash).
        public var resumed: Bool { attempt > 1 }
    }

    /// What the template asks of a run, as far as the engine's steps go.
    public struct Plan: Sendable, Equatable {
        /// A distributor needs the fixed VHD (VHD, SharedImage).
        public var needsVHD: Bool
        /// `validate.sourceValidationOnly`: build and validate, distribute nothing.
        public var sourceValidationOnly: Bool
        public init(needsVHD: Bool, sourceValidationOnly: Bool) {
            self.needsVHD = needsVHD; self.sourceValidationOnly = sourceValidationOnly
        }
    }

    /// The next thing to do.
    public enum Action: Sendable, Equatable {
        /// A resumed run without a usable build: kill the build VM a stopped process left
        /// running, remove what the last build left, forget the build (and VHD) in the
        /// checkpoint. `buildLost`: the checkpoint recorded a build whose disk is missing or changed.
        case startOver(buildLost: Bool)
        /// Resolve and fetch the source, build and customize on a fresh work disk; checkpoint built.
        case build
        /// The checkpoint's customized disk is in place: carry on with it.
        case reuseBuild
        /// `validate.sourceValidationOnly`: nothing is distributed.
        case skipDistribution
        /// Enter the Distributing sub-state.
        case startDistributing
        /// Package the fixed VHD of the built disk; checkpoint packaged.
        case package
        /// The checkpoint's VHD is in place: carry on with it.
        case reusePackage
        /// Run every distributor (a SharedImage one publishes once: `publication(_:)`).
        case distribute
        /// Record the run's end state.
        case end
    }

    private enum Step: Sendable, Equatable { case start, startedOver, built, distributing, packaged, distributed, ended }

    public let situation: Situation
    public let plan: Plan
    private var step = Step.start

    public init(_ situation: Situation, plan: Plan) {
        self.situation = situation; self.plan = plan
    }

    /// The next action; the engine takes it as done when asked again. After `.end`, `.end`.
    public mutating func next() -> Action {
        switch step {
        case .start:
            if situation.builtUsable {
                step = .built
                return .reuseBuild
            }
            if situation.resumed {
                step = .startedOver
                return .startOver(buildLost: situation.builtRecorded)
            }
            step = .built
            return .build
        case .startedOver:
            step = .built
            return .build
        case .built:
            if plan.sourceValidationOnly {
                step = .distributed
                return .skipDistribution
            }
            step = .distributing
            return .startDistributing
        case .distributing:
            step = .packaged
            guard plan.needsVHD else { return next() }
            // A usable package is one of a usable build (starting over forgets both).
            return situation.builtUsable && situation.packageInPlace ? .reusePackage : .package
        case .packaged:
            step = .distributed
            return .distribute
        case .distributed, .ended:
            step = .ended
            return .end
        }
    }

    // MARK: publishing

    /// What the gallery holds under the version number a run's checkpoint records for a
    /// SharedImage distributor.
    public enum RecordedVersion: Sendable, Equatable {
        /// No number is recorded: the distributor has not published.
        case none
        /// A number is recorded, and no such version exists (interrupted before the publish).
        case unpublished
        /// The version exists, published from this run's VHD.
        case publishedByThisRun
        /// The version exists, published by someone else meanwhile.
        case publishedByOthers
    }

    /// What a SharedImage distributor does about its version.
    public enum Publication: Sendable, Equatable {
        /// Choose the next number, record it in the checkpoint, then publish (`again`: the
        /// recorded number was taken by someone else).
        case chooseNumber(again: Bool)
        /// Publish under the recorded number.
        case publishRecorded
        /// Publish nothing: wait for the replication of the version this run published.
        case awaitReplication
    }

    /// Never a second version for one distributor of one run: a recorded number is
    /// published or waited for; only a number someone else took is chosen again.
    public static func publication(_ recorded: RecordedVersion) -> Publication {
        switch recorded {
        case .none: .chooseNumber(again: false)
        case .unpublished: .publishRecorded
        case .publishedByThisRun: .awaitReplication
        case .publishedByOthers: .chooseNumber(again: true)
        }
    }

    // MARK: stopping

    /// How a run's carrying out came to a stop.
    public enum Stopped: Sendable, Equatable {
        /// The actions ran to `.end` (whatever the distributors' outcomes).
        case completed
        /// A cancel request stopped it.
        case canceled
        /// Its process is shutting down (the run was not being canceled).
        case interrupted
        /// An error stopped it; `validation`: a validator's.
        case failed(validation: Bool)
    }

    /// What becomes of a stopped run and its workspace.
    public enum Disposal: Sendable, Equatable {
        /// The run stays Running (Queued) with its checkpoint and workspace, for the next
        /// process to resume.
        case suspend
        /// The run ends; its intermediates are removed.
        case endAndClean
        /// The run ends; errorHandling's `field` is abort, so the workspace (with the work
        /// disk) is kept for inspection.
        case endKeepingWorkspace(field: String)
    }

    public static func stop(_ stopped: Stopped, errorHandling: ErrorHandling) -> Disposal {
        switch stopped {
        case .interrupted: return .suspend
        case .completed, .canceled: return .endAndClean
        case .failed(let validation):
            let abort = validation ? errorHandling.onValidationError == .abort : errorHandling.onCustomizerError == .abort
            guard abort else { return .endAndClean }
            return .endKeepingWorkspace(field: validation ? "onValidationError" : "onCustomizerError")
        }
    }
}
