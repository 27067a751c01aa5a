import Foundation

/// A loopback HTTP proxy in front of a real server that answers the first `failures`
/// requests with an injected fault (e.g. 503 + Retry-After), then forwards everything.
/// It is `scripts/testing/flaky-proxy.py`, run with python3.
public final class FlakyProxy: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let countFile: String
    private let receivedFile: String
    private let logFile: String

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts the proxy on a port the kernel picks (port 0), which it reports once bound.
    public init(upstreamPort: Int, failures: Int, status: Int = 503, retryAfter: Int? = 1) async throws {
        countFile = NSTemporaryDirectory() + "vmib-proxy-\(UUID().uuidString).count"
        receivedFile = NSTemporaryDirectory() + "vmib-proxy-\(UUID().uuidString).received"
        logFile = NSTemporaryDirectory() + "vmib-proxy-\(UUID().uuidString).log"
        let output = URL(fileURLWithPath: NSTemporaryDirectory() + "vmib-proxy-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let script = RepositoryPaths.root.appendingPathComponent("scripts/testing/flaky-proxy.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["python3", script, "--listen", "0", "--upstream", "\(upstreamPort)",
                    "--fail", "\(failures)", "--status", "\(status)", "--count-file", countFile, "--received-file", receivedFile,
                    "--log-file", logFile]
        if let retryAfter { args += ["--retry-after", "\(retryAfter)"] }
        process.arguments = args
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        do {
            port = try await ReportedPort.read(from: output, marker: "flaky-proxy: listening on", process: process, timeout: .seconds(60))
        } catch {
            ChildProcess.kill9(process)
            throw TestSupportError("flaky proxy did not start: \(error)")
        }
    }

    /// Faults answered so far.
    public var faultsServed: Int {
        Int((try? String(contentsOfFile: countFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    /// Requests forwarded upstream so far, and the request body bytes they carried (what
    /// the server behind received).
    public var received: (requests: Int, bytes: Int64) {
        let text = (try? String(contentsOfFile: receivedFile, encoding: .utf8)) ?? ""
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count == 2, let n = Int(parts[0]), let b = Int64(parts[1]) else { return (0, 0) }
        return (n, b)
    }

    /// Every request forwarded so far, as "METHOD PATH STATUS", in the order answered.
    public var requests: [String] {
        ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        ChildProcess.kill9(process)
        try? FileManager.default.removeItem(atPath: logFile)
        try? FileManager.default.removeItem(atPath: countFile)
        try? FileManager.default.removeItem(atPath: receivedFile)
    }

    deinit { stop() }
}
