import Foundation
import Synchronization
import VMIBBuild

/// The PostgreSQL cluster tests run against: `VMIB_TEST_POSTGRES` (scripts/test starts one
/// with `scripts/pg start` and exports its URL), else one this test process starts the same
/// way on first use and stops when it exits.
public enum TestPostgres {
    private static let started = Mutex<String?>(nil)

    /// The cluster's URL (its `vmib` database, which tests do not use: each makes its own).
    public static func url() throws -> String {
        if let env = ProcessInfo.processInfo.environment["VMIB_TEST_POSTGRES"], !env.isEmpty { return env }
        return try started.withLock { url in
            if let url { return url }
            let dir = NSTemporaryDirectory() + "vmib-test-pg-\(getpid())"
            let script = RepositoryPaths.root.appendingPathComponent("scripts/pg").path
            let out = dir + ".url"
            let p = try Subprocess.spawn(["/bin/bash", script, "start", dir], output: out, errors: dir + ".log")
            var status: Int32 = 0
            while waitpid(p.pid, &status, 0) < 0 && errno == EINTR {}
            guard let text = try? String(contentsOfFile: out, encoding: .utf8),
                  let line = text.split(separator: "\n").last, line.hasPrefix("postgres://") else {
                let log = (try? String(contentsOfFile: dir + ".log", encoding: .utf8)) ?? ""
                throw TestPostgresError(message: "scripts/pg start failed: \(log)")
            }
            stopAtExit = dir
            atexit {
                guard let dir = TestPostgres.stopAtExit else { return }
                let script = RepositoryPaths.root.appendingPathComponent("scripts/pg").path
                if let p = try? Subprocess.spawn(["/bin/bash", script, "stop", dir], output: "/dev/null", errors: "/dev/null") {
                    var status: Int32 = 0
                    waitpid(p.pid, &status, 0)
                }
                unlink(dir + ".url")
                unlink(dir + ".log")
            }
            url = String(line)
            return url!
        }
    }

    nonisolated(unsafe) static var stopAtExit: String?

    public struct TestPostgresError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
