import Foundation
import VMIBCore
import VMIBTransfer

/// What one build needs: a local source disk, the customizers and validators, the build
/// VM's shape, a workspace, a deadline.
public struct BuildJob: Sendable {
    public var source: String
    public var customizers: [TemplateCustomizer]
    /// Run in the VM after the customizers (`validate.inVMValidations`).
    public var validators: [TemplateCustomizer] = []
    /// The run's staging area: downloads, scripts, the work disk.
    public var workspace: String
    public var deadline: ContinuousClock.Instant
    public var timeoutMinutes: Int
    public var cache: DownloadCache
    /// Why a cancelled build stopped, for the log: a user's cancel, or a server shutting down.
    public var stopReason: @Sendable () -> String
    /// Which addresses a customizer's scriptUri or File sourceUri may be fetched from.
    public var fetchAddresses: AddressPolicy = .any
    /// The build VM's vCPUs, memory, network and acceleration.
    public var vm = GuestVM.Spec(cpus: 1, memoryMiB: 1024, network: nil, acceleration: .tcg)
    /// Grow the disk (and its root file system) to this size before customizing.
    public var diskSizeBytes: Int64?
    /// Remove what identifies one machine after the validators (a Generalized image).
    public var generalize = false
    /// A failed validator does not stop the build (the run still ends Failed).
    public var continueDistributeOnFailure = false
    /// Where the VM part runs: a child process (the server's and CLI's way), or this one.
    public var vmRunner: BuildVMRunner = .inProcess

    /// The workspace's files.
    var files: RunWorkspace { RunWorkspace(path: workspace) }

    public init(source: String, customizers: [TemplateCustomizer], workspace: String,
                deadline: ContinuousClock.Instant, timeoutMinutes: Int, cache: DownloadCache,
                stopReason: @escaping @Sendable () -> String = { "the run was canceled" }) {
        self.source = source; self.customizers = customizers; self.workspace = workspace
        self.deadline = deadline; self.timeoutMinutes = timeoutMinutes; self.cache = cache
        self.stopReason = stopReason
    }
}

/// A customized raw disk in the workspace (Codable: a run's checkpoint records it).
public struct BuiltImage: Sendable, Hashable, Codable {
    public var disk: String
    public var sizeBytes: Int64
    public var sourceFormat: DiskFormat
    public var root: PartitionTable.RootFileSystem
    /// A validator that failed (the build went on because the template says
    /// continueDistributeOnFailure); nil when every validator passed.
    public var validationFailure: String?
}

public enum BuildPhase: String, Sendable, Codable { case building, customizing, validating }

/// Builds an image: the source becomes a raw work disk (converted with qemu-img, or a new
/// ext4 disk for a tarball), and a build VM (libguestfs) is started with that disk attached:
/// there the root file system grows when asked, a tarball is unpacked, each customizer runs
/// as root in the image, then each validator, then the image is generalized when asked. The
/// host never mounts the image and runs nothing from it.
public enum ImageBuilder {
    public static func build(_ job: BuildJob, log: BuildLog,
                             phase: @escaping @Sendable (BuildPhase) async -> Void) async throws -> BuiltImage {
        await phase(.building)
        try FileManager.default.createDirectory(atPath: job.files.downloads, withIntermediateDirectories: true)
        let work = job.files.workDisk
        let format = try DiskFormat.sniff(job.source)
        log.line("source: \(job.source) (\(format.rawValue))")
        var fs: PartitionTable.RootFileSystem
        switch format {
        case .raw:
            try await Subprocess.run(["cp", "--sparse=always", job.source, work], deadline: job.deadline)
        case .vhd, .qcow2:
            try await DiskFormat.refuseBackingFile(job.source, format: format, deadline: job.deadline)
            try await Subprocess.run(["qemu-img", "convert", "-f", format == .vhd ? "vpc" : "qcow2", "-O", "raw", job.source, work],
                                     deadline: job.deadline)
        case .tar, .tarGz:
            // An empty ext4 disk made on the host; the tarball is unpacked in the VM.
            let mib = try await tarballDiskMiB(job.source, gzip: format == .tarGz, deadline: job.deadline)
            try await Subprocess.run(["truncate", "-s", "\(mib)M", work])
            try await Subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "vmib-root", work], deadline: job.deadline)
            log.line("made a new \(mib) MiB ext4 disk for the tarball's tree")
        }
        if format.isTarball {
            fs = PartitionTable.RootFileSystem(scheme: .none, partition: 0, offset: 0, size: fileSize(work))
        } else {
            fs = try PartitionTable.findRoot(work)
            log.line("root file system: \(fs.scheme.rawValue)\(fs.partition > 0 ? " partition \(fs.partition)" : ""), offset \(fs.offset), \(fs.size) bytes")
        }
        var grow = false
        if let want = job.diskSizeBytes {
            let have = fileSize(work)
            guard want >= have else {
                throw BuildError(.source, "vmProfile.osDiskSizeGB asks for \(want >> 30) GiB, smaller than the source disk (\(have) bytes); it can only grow a disk")
            }
            if want > have {
                try await Subprocess.run(["truncate", "-s", String(want), work])
                grow = true
            }
        }

        var steps: [Step] = []
        for (i, c) in job.customizers.enumerated() { steps.append(try await prepare(c, step: "customizer", index: i, job: job, log: log)) }
        var checks: [Step] = []
        for (i, v) in job.validators.enumerated() { checks.append(try await prepare(v, step: "validator", index: i, job: job, log: log)) }

        var failedValidation: String?
        if !job.customizers.isEmpty || !job.validators.isEmpty || job.generalize || grow || format.isTarball {
            let vmWork = BuildVMWork(disk: work, spec: job.vm, root: fs, grow: grow, tarball: format.isTarball ? job.source : nil,
                                     gzip: format == .tarGz, steps: steps, validators: checks, generalize: job.generalize,
                                     continueDistributeOnFailure: job.continueDistributeOnFailure, workspace: job.workspace,
                                     log: log.path, timeoutMinutes: job.timeoutMinutes)
            let outcome = try await vmWork.run(job.vmRunner, deadline: job.deadline, log: log, stopReason: job.stopReason, phase: phase)
            if let size = outcome.rootSize { fs.size = size }
            failedValidation = outcome.validationFailure
        } else {
            log.line("no customizers, validators or generalization: the build VM is not started")
        }
        return BuiltImage(disk: work, sizeBytes: fileSize(work), sourceFormat: format, root: fs, validationFailure: failedValidation)
    }

    /// A customizer or validator made ready on the host: its script or file fetched (and
    /// its checksum verified) before the VM starts, so that a bad URL costs no VM.
    struct Step: Sendable, Codable {
        enum Work: Sendable, Codable {
            case shell(script: String, stopOnError: Bool)
            case file(path: String, destination: String)
        }
        var label: String
        var failure: BuildError.Code
        var output: String
        var work: Work
    }

    static func prepare(_ c: TemplateCustomizer, step: String, index: Int, job: BuildJob, log: BuildLog) async throws -> Step {
        let label = "\(step) '\(c.name)' (\(c.typeName))"
        let failure: BuildError.Code = step == "validator" ? .validation : .customizer
        let output = job.files.stepOutput(step, index: index)
        switch c {
        case .windows:
            throw BuildError(.unsupported, "\(label): no Windows build host is configured; Windows \(step)s cannot run")
        case .shell(_, let script, let sum):
            let path = job.files.download(step, index: index, ext: "sh")
            switch script {
            case .inline(let lines):
                try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                return Step(label: label, failure: failure, output: output, work: .shell(script: path, stopOnError: true))
            case .uri(let uri):
                try await fetch(uri, sha256: sum, to: path, label: label, failure: failure, job: job, log: log)
                return Step(label: label, failure: failure, output: output, work: .shell(script: path, stopOnError: false))
            }
        case .file(_, let uri, let sum, let destination):
            let path = job.files.download(step, index: index, ext: "file")
            try await fetch(uri, sha256: sum, to: path, label: label, failure: failure, job: job, log: log)
            return Step(label: label, failure: failure, output: output, work: .file(path: path, destination: destination))
        }
    }

    static func execute(_ step: Step, in vm: GuestVM, kernel: String, log: BuildLog) async throws {
        log.line("start \(step.label) in the build VM (\(kernel))")
        switch step.work {
        case .shell(let script, let stopOnError):
            let status = try await vm.runShell(script, stopOnError: stopOnError, output: step.output)
            log.output(of: step.output)
            log.line("end \(step.label): exit code \(status)")
            guard status == 0 else {
                let tail = BuildLog.tail((try? String(contentsOfFile: step.output, encoding: .utf8)) ?? "")
                throw BuildError(step.failure, "\(step.label) failed with exit code \(status)\(tail.isEmpty ? "" : ": \(tail)")")
            }
        case .file(let path, let destination):
            do { try await vm.upload(path, to: destination) } catch let e as BuildError where e.code == .tool {
                throw BuildError(step.failure, "\(step.label): \(e.message)")
            }
            log.line("end \(step.label): copied to \(destination)")
        }
    }

    /// Fetches through the digest cache when a checksum is given, else straight into place.
    static func fetch(_ uri: String, sha256: String?, to path: String, label: String, failure: BuildError.Code,
                      job: BuildJob, log: BuildLog) async throws {
        do {
            let got = try await job.cache.fetch(uri, sha256: sha256, what: label, addresses: job.fetchAddresses)
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: got.path, toPath: path)
            log.line("\(label): fetched \(URLFetcher.redacted(uri))\(got.outcome == .hit ? " (cache hit)" : "")\(sha256 != nil ? ", SHA-256 verified" : "")")
        } catch let e as BuildError {
            log.line(e.message)
            throw BuildError(failure, e.message)
        }
    }
}

extension ImageBuilder {
    /// A disk for a tarball's tree: its unpacked size (counted by reading the archive, never
    /// unpacking it on the host) plus a block per entry, a third more, and 16 MiB.
    static func tarballDiskMiB(_ path: String, gzip: Bool, deadline: ContinuousClock.Instant) async throws -> Int64 {
        let listing = try await Subprocess.run(["tar", gzip ? "-tzvf" : "-tvf", path, "--numeric-owner"], deadline: deadline)
        var bytes: Int64 = 0, entries: Int64 = 0
        for line in listing.split(separator: "\n") {
            entries += 1
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 2, let n = Int64(fields[2]) { bytes += (n + 4095) / 4096 * 4096 }
        }
        let total = (bytes + entries * 4096) * 4 / 3
        return max(32, total >> 20) + 16
    }

    static func fileSize(_ path: String) -> Int64 { RunCheckpoint.size(of: path) ?? 0 }
}
