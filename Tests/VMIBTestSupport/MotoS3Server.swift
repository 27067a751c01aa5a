import Foundation
import VMIBTransfer
#if canImport(Glibc)
import Glibc
#endif

/// A second real S3 server for tests: moto's (`moto_server`, PyPI `moto[server]`), on a
/// loopback port it picks itself, keeping objects in memory. It implements what rclone
/// does not, UploadPartCopy among them, and reports multipart ETags on HEAD as AWS does.
/// Credentials are not checked; requests are signed anyway, as for any S3.
public final class MotoS3Server: @unchecked Sendable {
    /// True when `moto_server` is on PATH (`scripts/setup --test` installs it).
    public static let isAvailable: Bool = ExecutableLookup.find("moto_server") != nil

    public let port: Int
    private let process: Process
    private let root: URL

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, process: Process, root: URL) {
        self.port = port; self.process = process; self.root = root
    }

    /// Starts a server (port 0: the kernel picks, the server prints what it bound) and
    /// creates `buckets`.
    public static func start(buckets: [String] = ["test"]) async throws -> MotoS3Server {
        guard let moto = ExecutableLookup.find("moto_server") else {
            throw TestSupportError("moto_server is not on PATH (scripts/setup --test installs it)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmib-moto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let log = root.appendingPathComponent("moto.log")
        let process = try ChildProcess.launch([moto, "-H", "127.0.0.1", "-p", "0"],
                                              stdout: log, stderr: log)
        // Werkzeug prints `Running on http://127.0.0.1:PORT` once it listens. Importing
        // moto takes seconds on a busy machine, hence the long deadline.
        let deadline = ContinuousClock.now + .seconds(90)
        var port: Int?
        while port == nil {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            port = text.range(of: "Running on http://127.0.0.1:").flatMap { found in
                Int(text[found.upperBound...].prefix { $0.isNumber })
            }
            if port != nil { break }
            guard process.isRunning, ContinuousClock.now < deadline else {
                ChildProcess.kill9(process)
                try? FileManager.default.removeItem(at: root)
                throw TestSupportError("moto_server did not start: \(text)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let server = MotoS3Server(port: port!, process: process, root: root)
        for bucket in buckets {
            let created = try await ChildProcess.run(["curl", "-sf", "-X", "PUT", "\(server.endpoint)/\(bucket)"])
            guard created.status == 0 else {
                server.remove()
                throw TestSupportError("moto_server did not create bucket \(bucket): \(created.stderr)")
            }
        }
        return server
    }

    /// A configuration for `bucket` on this server.
    public func config(bucket: String = "test", partSize: Int64 = 16 << 20, multipartThreshold: Int64 = 32 << 20,
                       multipartCopyThreshold: Int64 = 5 << 30) -> S3Config {
        S3Config(endpoint: URL(string: endpoint)!, bucket: bucket, signingRegion: "us-east-1",
                 accessKey: "AKIAVMIBTEST", secretKey: "vmibsecretkey",
                 partSize: partSize, multipartThreshold: multipartThreshold,
                 multipartCopyThreshold: multipartCopyThreshold)
    }

    /// Stops the server (SIGKILL: its objects live in memory, there is nothing to flush,
    /// and a Swift parent may hand it a signal mask that blocks SIGTERM).
    public func remove() {
        ChildProcess.kill9(process)
        try? FileManager.default.removeItem(at: root)
    }

    deinit { remove() }
}

/// Runs `body` against a fresh moto S3 server and stops it afterwards.
public func withMotoS3Server<T>(buckets: [String] = ["test"], _ body: (MotoS3Server) async throws -> T) async throws -> T {
    let server = try await MotoS3Server.start(buckets: buckets)
    defer { server.remove() }
    return try await body(server)
}
