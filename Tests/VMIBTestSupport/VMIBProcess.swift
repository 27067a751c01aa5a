import Foundation

/// Runs the real `vmib` executable, as a user would, and captures what it printed.
public struct VMIBProcess: Sendable {
    public struct Result: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
        /// stdout parsed as JSON.
        public func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    public var stateDirectory: String
    public var topology: String?
    public var environment: [String: String]

    public init(stateDirectory: String, topology: String? = nil, environment: [String: String] = [:]) {
        self.stateDirectory = stateDirectory; self.topology = topology; self.environment = environment
    }

    /// Starts `vmib` with `arguments` and returns the process (for kill -9 tests).
    public func launch(_ arguments: [String], stdout: URL, stderr: URL) throws -> Process {
        try ChildProcess.launch([RepositoryPaths.vmib] + arguments, environment: processEnvironment, stdout: stdout, stderr: stderr)
    }

    private var processEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        env["VMIB_STATE_DIR"] = stateDirectory
        env["VMIB_TOPOLOGY_DIR"] = RepositoryPaths.root.appendingPathComponent("topology").path
        if let topology { env["VMIB_TOPOLOGY"] = topology }
        return env
    }

    /// Runs `vmib` to completion.
    @discardableResult
    public func run(_ arguments: String...) async throws -> Result { try await run(arguments) }

    public func run(_ arguments: [String]) async throws -> Result {
        let o = try await ChildProcess.run([RepositoryPaths.vmib] + arguments, environment: processEnvironment)
        return Result(exitCode: o.status, stdout: o.stdout, stderr: o.stderr)
    }

    /// Every row of every table in the state database, as text: equal before and after a
    /// refused command proves the command changed nothing.
    public func databaseDump() async throws -> String {
        try await ChildProcess.run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('\\n'.join(c.iterdump()))",
                                    stateDirectory + "/state.db"]).stdout
    }
}

/// Files for tests.
public enum TestFiles {
    /// A fresh temporary directory.
    public static func directory(_ label: String = "vmib") throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A file of `bytes` pseudo-random bytes (fast: a seeded generator, not /dev/urandom).
    public static func random(_ url: URL, bytes: Int, seed: UInt64 = 42) throws {
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var state = seed | 1
        let chunk = 1 << 20
        var written = 0
        while written < bytes {
            let n = min(chunk, bytes - written)
            var buffer = [UInt64](repeating: 0, count: (n + 7) / 8)
            for i in buffer.indices {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                buffer[i] = state
            }
            handle.write(buffer.withUnsafeBytes { Data($0.prefix(n)) })
            written += n
        }
    }

    /// SHA-256 (hex) of a file, computed by coreutils' sha256sum: an independent check.
    public static func sha256(_ path: String) async throws -> String {
        try await ChildProcess.run(["sha256sum", path]).stdout.split(separator: " ").first.map(String.init) ?? ""
    }
}
