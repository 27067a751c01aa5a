import Foundation

/// A run's staging area, `IT_<resourceGroup>_<templateName>_<guid>`, and every file vmib
/// keeps there. The names are listed once (`Entry`), with what each cleaning removes, so
/// what a build leaves behind and what cleaning takes away cannot drift apart.
public struct RunWorkspace: Sendable, Hashable {
    /// The staging area's directory.
    public let path: String

    public init(path: String) { self.path = path }

    /// The staging area of run `runID` of template `templateName`, under `root`.
    public init(root: String, resourceGroup: String, templateName: String, runID: String) {
        path = "\(root)/IT_\(resourceGroup)_\(templateName)_\(runID)"
    }

    /// What vmib writes in a staging area.
    public enum Entry: CaseIterable, Sendable {
        /// `customization.log`: the run's log; kept until the template is deleted.
        case log
        /// `worker.log`: a background worker's own output.
        case workerLog
        /// `checkpoint.json`: what the run has finished (`RunCheckpointFile`).
        case checkpoint
        /// `work.raw`: the disk the build VM customizes.
        case workDisk
        /// `downloads/`: customizers' and validators' scripts and files.
        case downloads
        /// `image.vhd`: the fixed VHD distributors share.
        case vhd
        /// `image.vhd.partial`: the VHD while it is being packaged.
        case partialVHD
        /// `vm.pid`: the build VM's qemu, recorded by its wrapper.
        case vmPID
        /// `vm-work.json`, `vm-outcome.json`, `vm-progress.json`, `vm-worker.log`: a
        /// `vmib build-vm` child's work, outcome, progress and output.
        case vmWork, vmOutcome, vmProgress, vmWorkerLog
        /// `customizer-N.out`, `validator-N.out`: each step's captured output.
        case stepOutput

        /// The file's name; nil for the step outputs (one per step, see `matches`).
        public var name: String? {
            switch self {
            case .log: "customization.log"
            case .workerLog: "worker.log"
            case .checkpoint: "checkpoint.json"
            case .workDisk: "work.raw"
            case .downloads: "downloads"
            case .vhd: "image.vhd"
            case .partialVHD: DiskPackager.partial("image.vhd")
            case .vmPID: "vm.pid"
            case .vmWork: "vm-work.json"
            case .vmOutcome: "vm-outcome.json"
            case .vmProgress: "vm-progress.json"
            case .vmWorkerLog: "vm-worker.log"
            case .stepOutput: nil
            }
        }

        /// Whether `file`, a name in the staging area, is this entry.
        public func matches(_ file: String) -> Bool {
            if let name { return file == name }
            return RunWorkspace.steps.contains { file.hasPrefix("\($0)-") } && file.hasSuffix(".out")
        }

        /// Removed when the run ends (unless kept for inspection): the disks, downloads and
        /// checkpoint; the logs and the outputs stay.
        public var isIntermediate: Bool {
            switch self {
            case .workDisk, .downloads, .vhd, .partialVHD, .vmPID, .checkpoint: true
            default: false
            }
        }

        /// Removed before a resumed run builds again: what the last build left, including
        /// the steps' captured output (else logged twice); the checkpoint stays.
        public var isBuildLeftover: Bool {
            switch self {
            case .workDisk, .downloads, .vhd, .partialVHD, .vmPID, .stepOutput: true
            default: false
            }
        }
    }

    /// The path of a named entry (not `.stepOutput`: see `stepOutput(_:index:)`).
    public func path(of entry: Entry) -> String {
        precondition(entry.name != nil, "a step's output is named by its step")
        return "\(path)/\(entry.name!)"
    }

    public var log: String { path(of: .log) }
    public var workDisk: String { path(of: .workDisk) }
    public var downloads: String { path(of: .downloads) }
    public var vhd: String { path(of: .vhd) }

    /// The kinds of step a build runs in the VM, as their files are named.
    static let steps = ["customizer", "validator"]

    /// Where step `index` (0-based) of kind `step` (one of `steps`) puts its output.
    public func stepOutput(_ step: String, index: Int) -> String { "\(path)/\(step)-\(index + 1).out" }

    /// Where step `index`'s script or file is fetched to (`ext`: "sh", "file").
    public func download(_ step: String, index: Int, ext: String) -> String { "\(downloads)/\(step)-\(index + 1).\(ext)" }

    /// Where a VHD distributor without a `uri` writes its output `name`.
    public func output(named name: String) -> String { "\(path)/\(name).vhd" }

    // MARK: the directory

    /// Makes the staging area with an empty log (a new run).
    public func create() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
    }

    /// Makes the staging area again when it is missing (a run carried out later), keeping
    /// what is in it.
    public func ensureExists() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The run's log, for appending.
    public func openLog() throws -> BuildLog { try BuildLog(path: log) }

    /// The run's checkpoint.
    public func openCheckpoint() -> RunCheckpointFile { RunCheckpointFile(staging: path) }

    /// The run's log as written so far ("" when there is none).
    public func readLog() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// What the run engine needs to know of `checkpoint`'s artifacts: whether each is
    /// still in place (the VHD only at this workspace's path).
    public func situation(of checkpoint: RunCheckpoint) -> RunEngine.Situation {
        RunEngine.Situation(checkpoint: checkpoint, builtInPlace: checkpoint.builtDiskIfPresent() != nil,
                            packageInPlace: checkpoint.vhdIfPresent()?.path == vhd)
    }

    /// Removes the intermediates (`Entry.isIntermediate`): the run has ended.
    public func cleanIntermediates() { remove { $0.isIntermediate } }

    /// Removes what the last build left (`Entry.isBuildLeftover`), so that a resumed run
    /// builds on a fresh work disk.
    public func cleanForRebuild() { remove { $0.isBuildLeftover } }

    /// Removes the whole staging area (the template is deleted).
    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    private func remove(_ which: (Entry) -> Bool) {
        let entries = Entry.allCases.filter(which)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where entries.contains(where: { $0.matches(name) }) {
            try? FileManager.default.removeItem(atPath: "\(path)/\(name)")
        }
    }

    // MARK: processes

    /// Kills the build VM this workspace's `vm.pid` names, when it still runs (a stopped
    /// process's VM, or a VM whose driver stopped).
    /// - Returns: whether one was killed.
    @discardableResult
    public func killLeftoverVM() -> Bool { GuestVM.killLeftover(pidFile: path(of: .vmPID)) }
}
