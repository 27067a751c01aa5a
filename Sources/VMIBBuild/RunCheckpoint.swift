import Foundation
import Synchronization

/// What a run has finished so far, kept in its staging area (`checkpoint.json`) so that a
/// run interrupted by a server shutdown or crash resumes after its last finished phase
/// instead of starting over: the customized disk, its VHD, and the gallery version each
/// SharedImage distributor published.
public struct RunCheckpoint: Codable, Sendable, Equatable {
    /// The source the build used, as resolved then (a resumed run must not pick a newer "latest").
    public struct Source: Codable, Sendable, Equatable {
        public var type: String
        public var exact: String
        public var exactVersion: String?
        public var osType: String?
        public init(type: String, exact: String, exactVersion: String?, osType: String?) {
            self.type = type; self.exact = exact; self.exactVersion = exactVersion; self.osType = osType
        }
    }

    /// A file the run made, and its size when the phase that made it finished.
    public struct Artifact: Codable, Sendable, Equatable {
        public var path: String
        public var sizeBytes: Int64
        public init(path: String, sizeBytes: Int64) { self.path = path; self.sizeBytes = sizeBytes }
    }

    /// How many times a process has started carrying the run out (more than one: resumed).
    public var attempts = 0
    public var source: Source?
    /// Set when the build (source → work disk → customizers) finished.
    public var built: BuiltImage?
    /// Set when the fixed VHD of the built disk was packaged.
    public var vhd: Artifact?
    /// runOutputName → the version number a SharedImage distributor publishes. Recorded
    /// before the publish, so that a crash between the two never leads to a second version.
    public var published: [String: String] = [:]

    public init() {}

    /// The last phase finished: started, built, packaged or published.
    public var phase: String {
        !published.isEmpty ? "published" : vhd != nil ? "packaged" : built != nil ? "built" : "started"
    }

    /// The built disk, when it is still there with its recorded size. Packaging may have
    /// rounded the disk up to a whole MiB (zeros after the file system), so that size counts too.
    public func builtDiskIfPresent() -> BuiltImage? {
        guard let built, let size = Self.size(of: built.disk) else { return nil }
        let aligned = (built.sizeBytes + (1 << 20) - 1) / (1 << 20) * (1 << 20)
        return size == built.sizeBytes || size == aligned ? built : nil
    }

    /// The packaged VHD, when it is still there with its recorded size.
    public func vhdIfPresent() -> Artifact? {
        guard let vhd, Self.size(of: vhd.path) == vhd.sizeBytes else { return nil }
        return vhd
    }

    public static func size(of path: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }
}

/// A run's `checkpoint.json`: read once, changed under a lock (distributors run
/// concurrently), and written atomically (a temporary file renamed over the old one), so a
/// crash leaves either the previous checkpoint or the new one, never half of one.
public final class RunCheckpointFile: Sendable {
    public let path: String
    private let state: Mutex<RunCheckpoint>

    /// Reads the checkpoint in `staging`; a missing or unreadable one is an empty checkpoint
    /// (the run starts from the beginning).
    public init(staging: String) {
        path = RunWorkspace(path: staging).path(of: .checkpoint)
        let saved = FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(RunCheckpoint.self, from: $0) }
        state = Mutex(saved ?? RunCheckpoint())
    }

    public var value: RunCheckpoint { state.withLock { $0 } }

    /// Applies `change` and writes the result before returning.
    /// - Throws: `BuildError` (internal) when the file cannot be written.
    public func update(_ change: (inout RunCheckpoint) -> Void) throws {
        try state.withLock { checkpoint in
            var next = checkpoint
            change(&next)
            try Self.write(next, to: path)
            checkpoint = next
        }
    }

    private static func write(_ checkpoint: RunCheckpoint, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(checkpoint)
        let temp = "\(path).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: data) else {
            throw BuildError.internal("cannot write the run's checkpoint \(temp)")
        }
        // The data reaches the disk before the rename makes it the checkpoint.
        let fd = open(temp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw BuildError.internal("cannot replace the run's checkpoint \(path): \(reason)")
        }
    }
}
