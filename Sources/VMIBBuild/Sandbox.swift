import Foundation

/// Runs one customizer inside the image: the root file system is loop-mounted (or, for an
/// unpacked tarball, used as a directory) in new mount, PID, UTS and IPC namespaces, and the
/// work runs chrooted into it with a clean environment. Everything mounted lives only in the
/// namespace: when its process tree dies (normally, on timeout or on cancel) the kernel
/// unmounts it.
public struct Sandbox: Sendable {
    /// The image's root: a disk region, or a directory.
    public enum Root: Sendable {
        case disk(path: String, offset: Int64, size: Int64)
        case directory(String)
    }

    public enum Work: Sendable {
        /// Run this host file with /bin/sh inside the image (`-e` for inline lines).
        case shell(script: String, stopOnError: Bool)
        /// Copy this host file to an absolute path inside the image.
        case file(source: String, destination: String)
    }

    public var root: Root
    /// An empty directory to mount the disk on (seen only inside the namespace).
    public var mountPoint: String
    /// Where the running work's process group id is kept, so that a later process can kill
    /// a tree its killed (kill -9) predecessor left running (`killLeftover`).
    public var pidFile: String?

    public init(root: Root, mountPoint: String, pidFile: String? = nil) {
        self.root = root; self.mountPoint = mountPoint; self.pidFile = pidFile
    }

    /// Kills the process tree named by `pidFile` when it is still running and is a sandbox's
    /// (its command line says so: a pid reused by something else is left alone).
    /// - Returns: whether a tree was killed.
    @discardableResult
    public static func killLeftover(pidFile: String) -> Bool {
        defer { unlink(pidFile) }
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              String(decoding: cmdline, as: UTF8.self).contains("\0vmib-sandbox\0") else { return false }
        // The work runs in a process group of its own, led by `pid`.
        return kill(-pid, SIGKILL) == 0
    }

    /// Runs `work`; its output is appended to `output`.
    /// - Returns: the exit code (125: the root could not be mounted).
    /// - Throws: `BuildError.timedOut` past `deadline`, `CancellationError`.
    public func run(_ work: Work, output: String, deadline: ContinuousClock.Instant?) async throws -> Int32 {
        let (dir, disk, offset, size): (String, String, Int64, Int64)
        switch root {
        case .disk(let p, let o, let s): (dir, disk, offset, size) = (mountPoint, p, o, s)
        case .directory(let d): (dir, disk, offset, size) = (d, "-", 0, 0)
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (mode, payload, flag, destination): (String, String, String, String)
        switch work {
        case .shell(let script, let stop): (mode, payload, flag, destination) = ("shell", script, stop ? "-e" : "", "")
        case .file(let source, let dest): (mode, payload, flag, destination) = ("file", source, "", dest)
        }
        let argv = ["unshare", "--mount", "--propagation", "private", "--pid", "--uts", "--ipc", "--fork", "--kill-child",
                    "--", "/bin/sh", "-c", Self.script, "vmib-sandbox",
                    mode, dir, disk, String(offset), String(size), payload, flag, destination]
        let p = try Subprocess.spawn(argv, environment: ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], output: output)
        if let pidFile { try? "\(p.pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8) }
        defer { if let pidFile { unlink(pidFile) } }
        return try await p.wait(deadline: deadline)
    }

    /// Runs under the host's /bin/sh in the new namespaces; arguments are positional so
    /// nothing is ever interpolated into shell text.
    static let script = #"""
    mode=$1 root=$2 disk=$3 offset=$4 size=$5 payload=$6 flag=$7 dest=$8
    if [ "$disk" != "-" ]; then
      mount -t ext4 -o "loop,offset=$offset,sizelimit=$size" "$disk" "$root" || { echo "vmib: cannot mount the image's root file system" >&2; exit 125; }
    fi
    [ -d "$root/proc" ] && mount -t proc proc "$root/proc"
    if [ -d "$root/dev" ] && mount -t tmpfs -o mode=755,size=64k vmib-dev "$root/dev"; then
      for n in null zero full random urandom tty; do : > "$root/dev/$n"; mount --bind "/dev/$n" "$root/dev/$n"; done
    fi
    hostname vmib-build 2>/dev/null
    clean="env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C"
    case $mode in
      shell)
        $clean chroot "$root" /bin/sh -c 'mkdir -p /tmp && cat > /tmp/.vmib-customizer.sh && /bin/sh $1 /tmp/.vmib-customizer.sh; rc=$?; rm -f /tmp/.vmib-customizer.sh; exit $rc' vmib "$flag" < "$payload"
        rc=$? ;;
      file)
        $clean chroot "$root" /bin/sh -c 'p="${1%/*}"; [ -z "$p" ] || mkdir -p "$p" && cat > "$1"' vmib "$dest" < "$payload"
        rc=$? ;;
    esac
    [ -d "$root/dev" ] && umount -R "$root/dev" 2>/dev/null
    [ -d "$root/proc" ] && umount "$root/proc" 2>/dev/null
    if [ "$disk" != "-" ]; then umount "$root" || { echo "vmib: cannot unmount the image" >&2; exit 125; }; fi
    exit $rc
    """#
}
