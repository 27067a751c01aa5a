import Foundation

/// The process carrying a run out: this one (a server, a waiting `vmib template run`), or
/// a background `vmib template run-worker`. A run records its worker's pid so that another
/// process can tell a run in progress from one whose worker died.
public enum RunWorker {
    /// This process, as recorded on the runs it carries out.
    public static var current: Int32 { getpid() }

    /// Whether the process recorded as carrying a run out still runs (this one does).
    public static func isAlive(_ pid: Int32?) -> Bool {
        guard let pid else { return false }
        if pid == current { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Starts `command` (a `vmib template run-worker`) in a process group of its own, its
    /// output in the workspace's `worker.log`.
    /// - Returns: the worker's pid.
    /// - Throws: `BuildError` (internal) when it cannot be started.
    public static func start(_ command: [String], environment: [String: String], in workspace: RunWorkspace) throws -> Int32 {
        try Subprocess.spawn(command, environment: environment, output: workspace.path(of: .workerLog)).pid
    }
}
