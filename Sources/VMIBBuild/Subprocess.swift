import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, in a process group of its own, with an
/// empty signal mask and default signal dispositions.
///
/// Children of a Swift concurrency thread inherit its blocked signal mask, so SIGTERM would
/// be ignored by most programs; and `Process.waitUntilExit` blocks a pool thread. Here the
/// mask is reset, the exit is polled with `Task.sleep`, and stopping means SIGKILL to the
/// whole group, so a customizer's entire process tree dies on timeout or cancel.
public struct Subprocess: Sendable {
    public let pid: pid_t

    /// Starts `arguments[0]` (an absolute path, or looked up on PATH).
    /// - Parameters:
    ///   - output: file receiving stdout and stderr (appended); nil = /dev/null.
    ///   - errors: a file of its own for stderr (appended); nil = with stdout.
    public static func spawn(_ arguments: [String], environment: [String: String]? = nil,
                             output: String?, errors: String? = nil) throws -> Subprocess {
        guard let first = arguments.first else { throw BuildError.internal("empty command") }
        let exe = first.hasPrefix("/") ? first : (lookup(first) ?? first)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errors {
            posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Nothing else is inherited: a parent that waits for EOF on a pipe (Foundation's
        // Process does) must not be kept waiting by a long-lived grandchild.
        closeInheritedDescriptors(&actions)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, exe, &actions, &attr, &argv, &envp)
        guard rc == 0 else { throw BuildError.internal("cannot start \(first): \(String(cString: strerror(rc)))") }
        return Subprocess(pid: pid)
    }

    /// Waits for the exit without blocking a thread. On cancellation of the calling task or
    /// at `deadline`, the whole process group is killed (SIGKILL) and reaped first.
    /// - Returns: the exit code, or 128 + signal number.
    /// - Throws: `CancellationError`, or `BuildError` (timedOut) past the deadline.
    public func wait(deadline: ContinuousClock.Instant? = nil) async throws -> Int32 {
        var delay = 5
        while true {
            if let status = reap() { return status }
            if let deadline, ContinuousClock.now >= deadline {
                killGroup()
                throw BuildError.timedOut
            }
            do {
                try await Task.sleep(for: .milliseconds(delay))
            } catch {
                killGroup()
                throw CancellationError()
            }
            delay = min(delay * 2, 100)
        }
    }

    /// SIGKILL to the process group, then reap the leader (bounded wait).
    public func killGroup() {
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        for _ in 0..<500 {
            if reap() != nil { return }
            usleep(10_000)
        }
    }

    /// The exit status when the child has ended (it is reaped), else nil.
    public func poll() -> Int32? { reap() }

    private func reap() -> Int32? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == 0 { return nil }
        if r < 0 { return errno == ECHILD ? -1 : nil }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc
    /// module does not expose; else every descriptor open now, from /proc/self/fd.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd > 2 && fcntl(fd, F_GETFD) >= 0 && fcntl(fd, F_GETFD) & FD_CLOEXEC == 0 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    static func lookup(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"])
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a helper tool (qemu-img, mke2fs, tar …) to completion.
    /// - Throws: `BuildError.toolFailed` with the tail of its output when it exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String], deadline: ContinuousClock.Instant? = nil, log: String? = nil) async throws -> String {
        let out = log ?? NSTemporaryDirectory() + "vmib-tool-\(UUID().uuidString).out"
        defer { if log == nil { unlink(out) } }
        let p = try spawn(arguments, output: out)
        let status = try await p.wait(deadline: deadline)
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0 else { throw BuildError.toolFailed(arguments.joined(separator: " "), status, BuildLog.tail(text)) }
        return text
    }
}
