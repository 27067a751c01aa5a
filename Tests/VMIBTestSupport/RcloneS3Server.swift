import Foundation
import VMIBTransfer

/// A real S3 server for tests: `rclone serve s3` on a loopback port, serving a directory
/// whose subdirectories are the buckets. It can be stopped and started again on the same
/// port and data (a region going down and coming back).
public final class RcloneS3Server: @unchecked Sendable {
    /// rclone rejects very short access keys (InvalidAccessKeyId), hence an AWS-like one.
    public static let accessKey = "AKIAVMIBTEST"
    public static let secretKey = "vmibsecretkey"

    /// True when `rclone` is on PATH; use as `.enabled(if: RcloneS3Server.isAvailable)`.
    public static let isAvailable: Bool = ExecutableLookup.find("rclone") != nil

    /// The port the server listens on: the one it bound on its first start, kept across restarts.
    public private(set) var port: Int
    /// The directory served; `data/<bucket>/<key>` is an object's bytes.
    public let data: URL
    private let root: URL
    private var process: Process?

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts a server with `buckets` created, on `port`, or by default on port 0: rclone binds
    /// a port the kernel picks and logs it, so no other suite can take it in between.
    public init(buckets: [String] = ["test"], port: Int? = nil) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vmib-rclone-\(UUID().uuidString)")
        data = root.appendingPathComponent("data")
        for bucket in buckets {
            try FileManager.default.createDirectory(at: data.appendingPathComponent(bucket), withIntermediateDirectories: true)
        }
        self.port = port ?? 0
        try await start()
    }

    /// Starts (again) on the same port and data; the first start of a server made without a
    /// port binds port 0 and learns its port from rclone's "Starting s3 server on [URL]" line.
    public func start() async throws {
        guard process?.isRunning != true else { return }
        guard let rclone = ExecutableLookup.find("rclone") else { throw TestSupportError("rclone is not on PATH (scripts/setup --test installs it)") }
        let log = root.appendingPathComponent("rclone.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let offset = ReportedPort.size(of: log)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: rclone)
        p.arguments = ["serve", "s3", "--addr", "127.0.0.1:\(port)", "--auth-key", "\(Self.accessKey),\(Self.secretKey)",
                       "--config", "", data.path]
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
        do {
            // The line is logged once the listener is bound (a restart on a taken port exits instead).
            let bound = try await ReportedPort.read(from: log, after: offset, marker: "Starting s3 server on", process: p, timeout: .seconds(60))
            guard port == 0 || bound == port else { throw TestSupportError("rclone bound port \(bound), asked for \(port)") }
            port = bound
            let clock = ContinuousClock(), deadline = clock.now + .seconds(60)
            while !LoopbackPort.accepts(port) {
                guard p.isRunning, clock.now < deadline else { throw TestSupportError("rclone on port \(port) does not accept connections") }
                try await Task.sleep(for: .milliseconds(20))
            }
        } catch {
            stop()
            throw TestSupportError("rclone serve s3 did not start: \(error)\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
    }

    /// Stops the server; the data stays.
    public func stop() {
        if let p = process { ChildProcess.kill9(p) }
        process = nil
    }

    /// Starts a server with `buckets` (same as `init`).
    public static func start(buckets: [String] = ["test"]) async throws -> RcloneS3Server {
        try await RcloneS3Server(buckets: buckets)
    }

    /// The data directory (`directory/<bucket>/<key>`).
    public var directory: URL { data }

    /// A configuration for `bucket` on this server with the test credentials.
    public func config(bucket: String = "test", partSize: Int64 = 16 << 20, multipartThreshold: Int64 = 32 << 20,
                       payloadSigning: S3Config.PayloadSigning = .auto) -> S3Config {
        S3Config(endpoint: URL(string: endpoint)!, bucket: bucket, signingRegion: "us-east-1",
                 accessKey: Self.accessKey, secretKey: Self.secretKey,
                 partSize: partSize, multipartThreshold: multipartThreshold, payloadSigning: payloadSigning)
    }

    /// Stops the server and removes its data.
    public func remove() {
        stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// The file holding `bucket/key`.
    public func objectPath(bucket: String, key: String) -> String { data.appendingPathComponent(bucket).appendingPathComponent(key).path }

    deinit { remove() }
}

/// Runs `body` against a fresh rclone S3 server and removes it afterwards.
public func withRcloneS3Server<T>(buckets: [String] = ["test"], _ body: (RcloneS3Server) async throws -> T) async throws -> T {
    let server = try await RcloneS3Server(buckets: buckets)
    defer { server.remove() }
    return try await body(server)
}

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
