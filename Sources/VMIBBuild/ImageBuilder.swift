import Foundation
import VMIBCore
import VMIBTransfer

/// What one build needs: a local source disk, the customizers, a workspace, a deadline.
public struct BuildJob: Sendable {
    public var source: String
    public var customizers: [TemplateCustomizer]
    /// The run's staging area: downloads, scripts, the work disk.
    public var workspace: String
    public var deadline: ContinuousClock.Instant
    public var timeoutMinutes: Int
    public var cache: DownloadCache
    /// Why a cancelled build stopped, for the log: a user's cancel, or a server shutting down.
    public var stopReason: @Sendable () -> String
    /// Which addresses a customizer's scriptUri or File sourceUri may be fetched from.
    public var fetchAddresses: AddressPolicy = .any

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
}

public enum BuildPhase: Sendable { case building, customizing }

/// Builds an image: the source becomes a raw work disk (converted with qemu-img, or
/// unpacked from a tarball), each customizer runs in the sandbox in order, and a tarball's
/// tree is packed onto a new ext4 disk (`mke2fs -d`).
public enum ImageBuilder {
    public static func build(_ job: BuildJob, log: BuildLog,
                             phase: @escaping @Sendable (BuildPhase) async -> Void) async throws -> BuiltImage {
        await phase(.building)
        try FileManager.default.createDirectory(atPath: job.workspace + "/downloads", withIntermediateDirectories: true)
        let work = job.workspace + "/work.raw"
        let format = try DiskFormat.sniff(job.source)
        log.line("source: \(job.source) (\(format.rawValue))")
        var root: Sandbox.Root
        var fs: PartitionTable.RootFileSystem?
        switch format {
        case .raw:
            try await Subprocess.run(["cp", "--sparse=always", job.source, work], deadline: job.deadline)
        case .vhd, .qcow2:
            try await DiskFormat.refuseBackingFile(job.source, format: format, deadline: job.deadline)
            try await Subprocess.run(["qemu-img", "convert", "-f", format == .vhd ? "vpc" : "qcow2", "-O", "raw", job.source, work],
                                     deadline: job.deadline)
        case .tar, .tarGz:
            let tree = job.workspace + "/rootfs"
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
            try await Subprocess.run(["tar", "-xpf", job.source, "-C", tree, "--numeric-owner"], deadline: job.deadline)
        }
        if format.isTarball {
            root = .directory(job.workspace + "/rootfs")
        } else {
            let found = try PartitionTable.findRoot(work)
            fs = found
            log.line("root file system: \(found.scheme.rawValue)\(found.partition > 0 ? " partition \(found.partition)" : ""), offset \(found.offset), \(found.size) bytes")
            root = .disk(path: work, offset: found.offset, size: found.size)
        }

        await phase(.customizing)
        let sandbox = Sandbox(root: root, mountPoint: job.workspace + "/mnt", pidFile: job.workspace + "/sandbox.pid")
        for (i, c) in job.customizers.enumerated() {
            try await run(c, index: i, in: sandbox, job: job, log: log)
        }

        if format.isTarball {
            let tree = job.workspace + "/rootfs"
            let used = Int64(try await Subprocess.run(["du", "-sb", tree]).split(separator: "\t").first.flatMap { Int64($0) } ?? 0)
            let mib = max(16, (used * 13 / 10) / (1 << 20) + 16)
            try await Subprocess.run(["truncate", "-s", "\(mib)M", work])
            try await Subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "vmib-root", "-d", tree, work], deadline: job.deadline)
            log.line("packed the tree onto a new \(mib) MiB ext4 disk")
            fs = PartitionTable.RootFileSystem(scheme: .none, partition: 0, offset: 0, size: mib << 20)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: work)[.size] as? NSNumber)?.int64Value ?? 0
        return BuiltImage(disk: work, sizeBytes: size, sourceFormat: format, root: fs!)
    }

    static func run(_ c: TemplateCustomizer, index: Int, in sandbox: Sandbox, job: BuildJob, log: BuildLog) async throws {
        let label = "customizer '\(c.name)' (\(c.typeName))"
        let output = "\(job.workspace)/customizer-\(index + 1).out"
        let work: Sandbox.Work
        switch c {
        case .windows:
            throw BuildError(.unsupported, "\(label): no Windows build host is configured; Windows customizers cannot run")
        case .shell(_, let script, let sum):
            let path = "\(job.workspace)/downloads/customizer-\(index + 1).sh"
            switch script {
            case .inline(let lines):
                try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
                work = .shell(script: path, stopOnError: true)
            case .uri(let uri):
                try await fetch(uri, sha256: sum, to: path, label: label, job: job, log: log)
                work = .shell(script: path, stopOnError: false)
            }
        case .file(_, let uri, let sum, let destination):
            let path = "\(job.workspace)/downloads/customizer-\(index + 1).file"
            try await fetch(uri, sha256: sum, to: path, label: label, job: job, log: log)
            work = .file(source: path, destination: destination)
        }
        log.line("start \(label)")
        let status: Int32
        do {
            status = try await sandbox.run(work, output: output, deadline: job.deadline)
        } catch let e as BuildError where e.code == .timedOut {
            log.output(of: output)
            log.line("killed \(label): the build timeout (\(job.timeoutMinutes) min) passed")
            throw BuildError(.timedOut, "build timeout of \(job.timeoutMinutes) minutes passed during \(label); its processes were killed")
        } catch is CancellationError {
            log.output(of: output)
            log.line("killed \(label): \(job.stopReason())")
            throw CancellationError()
        }
        log.output(of: output)
        log.line("end \(label): exit code \(status)")
        guard status == 0 else {
            let tail = BuildLog.tail((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
            throw BuildError(.customizer, "\(label) failed with exit code \(status)\(tail.isEmpty ? "" : ": \(tail)")")
        }
    }

    /// Fetches through the digest cache when a checksum is given, else straight into place.
    static func fetch(_ uri: String, sha256: String?, to path: String, label: String, job: BuildJob, log: BuildLog) async throws {
        do {
            let got = try await job.cache.fetch(uri, sha256: sha256, what: label, addresses: job.fetchAddresses)
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: got.path, toPath: path)
            log.line("\(label): fetched \(URLFetcher.redacted(uri))\(got.outcome == .hit ? " (cache hit)" : "")\(sha256 != nil ? ", SHA-256 verified" : "")")
        } catch let e as BuildError {
            log.line(e.message)
            throw BuildError(.customizer, e.message)
        }
    }
}
