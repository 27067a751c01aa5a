import Foundation

/// The port a server started on port 0 says it bound. Picking a free port first and
/// handing it to the server races with every other suite doing the same in parallel (the
/// port can be taken between the pick and the bind); a server that binds port 0 and
/// reports what the kernel gave it cannot lose that race.
public enum ReportedPort {
    /// Waits until `output` (a file the server's stdout or stderr goes to) holds, after byte
    /// `offset`, a line containing `marker` and a URL `scheme://host:PORT`, and returns PORT.
    /// - Throws: `TestSupportError` with the output so far when the process exits first or
    ///   nothing is reported within `timeout`.
    public static func read(from output: URL, after offset: Int = 0, marker: String, process: Process,
                            timeout: Duration = .seconds(30)) async throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let text = Self.text(output, after: offset)
            if let port = port(in: text, marker: marker) { return port }
            guard process.isRunning else {
                throw TestSupportError("\(process.executableURL?.lastPathComponent ?? "server") exited before reporting its port: \(text)")
            }
            guard clock.now < deadline else {
                throw TestSupportError("no '\(marker)' line with a port within \(timeout): \(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The port of the first line in `text` that contains `marker` and a URL with a port.
    public static func port(in text: String, marker: String) -> Int? {
        for line in text.split(separator: "\n") where line.contains(marker) {
            if let match = line.firstMatch(of: /:\/\/[^\s:\/\]]+:(\d+)/), let port = Int(match.1) { return port }
        }
        return nil
    }

    /// The size of `file` now: pass it as `after` to read only what a restarted server adds.
    public static func size(of file: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    private static func text(_ file: URL, after offset: Int) -> String {
        guard let data = FileManager.default.contents(atPath: file.path), data.count > offset else { return "" }
        return String(decoding: data.dropFirst(offset), as: UTF8.self)
    }
}

extension VMIBProcess {
    /// A running `vmib serve` started on port 0, and the port it reported.
    public struct Server: Sendable {
        public let process: Process
        public let port: Int
    }

    /// Starts `vmib serve --port 0 arguments…` with its output in `stdout`/`stderr` and waits
    /// for its "vmib: listening on URL" line (printed once the listener is bound).
    public func serve(_ arguments: [String], stdout: URL, stderr: URL, timeout: Duration = .seconds(60)) async throws -> Server {
        let process = try launch(["serve", "--port", "0"] + arguments, stdout: stdout, stderr: stderr)
        do {
            let port = try await ReportedPort.read(from: stdout, marker: "vmib: listening on", process: process, timeout: timeout)
            return Server(process: process, port: port)
        } catch {
            ChildProcess.kill9(process)
            let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
            throw TestSupportError("vmib serve did not start: \(error)\n\(log)")
        }
    }
}

/// Waits for an HTTP(S) endpoint to answer.
public enum HTTPReadiness {
    /// Polls `url` with curl (certificate not checked) until it answers 200, for up to `timeout`.
    /// - Throws: `TestSupportError` with the last status when it never does.
    public static func wait(for url: String, timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last = ""
        while clock.now < deadline {
            last = try await ChildProcess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url]).stdout
            if last == "200" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("\(url) did not answer 200 within \(timeout) (last: \(last.isEmpty ? "no answer" : last))")
    }
}

/// A `vmib serve --token-file` accepting one token, and the client's token file holding it.
public enum ServeTokens {
    public static let subscription = "/subscriptions/00000000-0000-0000-0000-000000000000"

    /// - Returns: the server's token file (hashes) and the client's (the token itself).
    public static func write(in dir: URL, token: String, principal: String = "cli", role: String = "Contributor",
                             scope: String = subscription) async throws -> (tokens: String, tokenFile: String) {
        let hash = try await ChildProcess.run(["sh", "-c", "printf %s \(token) | sha256sum"]).stdout.prefix(64)
        let tokens = dir.appendingPathComponent("tokens.json").path
        try #"{"tokens":[{"sha256":"\#(hash)","principal":"\#(principal)","role":"\#(role)","scope":"\#(scope)"}]}"#
            .write(toFile: tokens, atomically: true, encoding: .utf8)
        let tokenFile = dir.appendingPathComponent("token").path
        try "\(token)\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        return (tokens, tokenFile)
    }
}
