import Foundation
import VMIBBuild
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops test servers without blocking the Swift concurrency pool.
///
/// `Process.waitUntilExit()` blocks its thread; called from a test (a pool thread, of which
/// a 2-core machine has two) while other tests do the same, it starved the pool and hung
/// the run. Polling `isRunning` with `Task.sleep` keeps the pool free.
public enum ChildProcess {
    /// Sends SIGTERM, waits up to `grace` for the exit, then SIGKILLs and waits again.
    public static func stop(_ process: Process, grace: Duration = .seconds(5)) async {
        guard process.isRunning else { return }
        process.terminate()
        if await waitForExit(process, timeout: grace) { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit(process, timeout: .seconds(5))
    }

    private static func waitForExit(_ process: Process, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}

extension ChildProcess {
    /// What a finished child printed.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `arguments[0]` (looked up on PATH) to completion, polling for its exit so the
    /// concurrency pool is never blocked; output goes through temporary files.
    public static func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> Output {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("vmib-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
        // posix_spawn, not Foundation's Process: Process.run on Linux (Swift 6.3.1) over-reads a
        // dirent of /proc/self/fd and crashes now and then in a process with many descriptors
        // (swift-corelibs-foundation PR #5472), as this test process has; seen here twice.
        let p = try Subprocess.spawn(arguments, environment: environment, output: out.path, errors: err.path)
        let status = (try? await p.wait()) ?? -1
        return Output(status: status,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Starts a child with its output in files and standard input closed.
    public static func launch(_ arguments: [String], environment: [String: String]? = nil,
                              stdout: URL, stderr: URL) throws -> Process {
        let p = Process()
        let exe = arguments[0].hasPrefix("/") ? arguments[0] : (ExecutableLookup.find(arguments[0]) ?? arguments[0])
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = Array(arguments.dropFirst())
        if let environment { p.environment = environment }
        FileManager.default.createFile(atPath: stdout.path, contents: nil)
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: stdout)
        p.standardError = try FileHandle(forWritingTo: stderr)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits for a child to exit without blocking a thread.
    public static func waitForExit(_ process: Process) async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// SIGKILL, for synchronous clean-up paths (deinit, defer): test servers need no
    /// graceful exit, and a signal mask inherited from the pool cannot block SIGKILL.
    public static func kill9(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning { usleep(10_000) }
    }
}
