import CGuestfs
import Foundation
import Synchronization
import VMIBCore

/// A build VM: a libguestfs appliance (a small Linux VM that qemu runs, started by vmib
/// through libguestfs's C API) with the work disk attached. Customizers run as root inside
/// it, chrooted into the image's root file system mounted there; the host never mounts the
/// image. With no network the VM reaches nothing; a restricted network reaches only the
/// topology's forwards; the host network reaches what the host reaches.
///
/// libguestfs calls block, so each VM has a thread of its own (with an empty signal mask,
/// which qemu inherits: libguestfs stops qemu with SIGTERM). A deadline or a cancel kills
/// qemu, which ends the call in progress with an error.
public final class GuestVM: @unchecked Sendable {
    public struct Spec: Sendable, Hashable, Codable {
        public var cpus: Int
        public var memoryMiB: Int
        /// nil: no network device at all.
        public var network: BuildHost.Network?
        public var acceleration: BuildHost.Acceleration
        public init(cpus: Int, memoryMiB: Int, network: BuildHost.Network?, acceleration: BuildHost.Acceleration) {
            self.cpus = cpus; self.memoryMiB = memoryMiB; self.network = network; self.acceleration = acceleration
        }
    }

    /// How the appliance came up: what the run's log records.
    public struct Started: Sendable {
        public var kernel: String
        public var seconds: Double
    }

    private let g: OpaquePointer
    private let thread = CallThread()
    private let pidFile: String
    private enum Stop: Int { case none = 0, timedOut = 1, canceled = 2 }
    private let stop = Atomic<Int>(0)
    private let deadline: ContinuousClock.Instant?
    private let wrapper: String

    /// Prepares (does not start) a VM for `disk`, a raw disk image.
    /// - Parameter workspace: where the VM's qemu wrapper and pid file live.
    public init(disk: String, spec: Spec, workspace: String, deadline: ContinuousClock.Instant?) throws {
        guard let g = guestfs_create() else { throw BuildError(.tool, "libguestfs: cannot create a handle") }
        self.g = g
        self.pidFile = RunWorkspace(path: workspace).path(of: .vmPID)
        self.deadline = deadline
        // Errors are read with guestfs_last_error and reported by vmib, not printed by libguestfs.
        guestfs_set_error_handler(g, { _, _, _ in }, nil)
        // The wrapper lives at a short path: libguestfs 1.48 corrupts its heap in
        // guestfs_launch when the hypervisor's path is long (seen here with 117 characters).
        var template = Array("/tmp/vmib-qemu-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { guestfs_close(g); throw BuildError(.tool, "cannot create the build VM's qemu wrapper in /tmp") }
        close(fd)
        let wrapper = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.wrapper = wrapper
        do {
            try check(guestfs_set_backend(g, "direct"), "set the backend")
            try Self.setBackendSettings(g, spec.acceleration == .tcg ? ["force_tcg"] : [])
            try check(guestfs_set_memsize(g, Int32(spec.memoryMiB)), "set the memory size")
            try check(guestfs_set_smp(g, Int32(spec.cpus)), "set the vCPUs")
            let hv = guestfs_get_hv(g).map { p in defer { free(p) }; return String(cString: p) } ?? "qemu-system-x86_64"
            try Self.writeWrapper(wrapper, qemu: hv, pidFile: pidFile, network: spec.network)
            try check(guestfs_set_hv(g, wrapper), "set the hypervisor")
            try check(guestfs_set_network(g, spec.network == nil ? 0 : 1), "set the network")
            var opts = guestfs_add_drive_opts_argv()
            opts.bitmask = UInt64(1) << 1 // GUESTFS_ADD_DRIVE_OPTS_FORMAT_BITMASK
            try "raw".withCString { format in
                opts.format = format
                try check(guestfs_add_drive_opts_argv(g, disk, &opts), "attach the work disk")
            }
        } catch {
            guestfs_close(g)
            unlink(wrapper)
            throw error
        }
    }

    deinit {
        let g = self.g, wrapper = self.wrapper
        thread.submit { guestfs_close(g); unlink(wrapper) }
        thread.finish()
    }

    /// Starts the appliance.
    public func launch() async throws -> Started {
        let start = ContinuousClock.now
        try await call("start the build VM") { g in
            try self.check(guestfs_launch(g), "start the build VM")
            // qemu runs now (the wrapper exec'd it): the wrapper is not needed again, and gone
            // now it cannot be left in /tmp by a `vmib build-vm` that is killed later.
            unlink(self.wrapper)
        }
        let kernel = try await call("read the VM's kernel") { g -> String in
            guard let u = guestfs_utsname(g) else { throw self.failure("read the VM's kernel") }
            defer { guestfs_free_utsname(u) }
            return "\(String(cString: u.pointee.uts_sysname)) \(String(cString: u.pointee.uts_release)) \(String(cString: u.pointee.uts_machine))"
        }
        return Started(kernel: kernel, seconds: (ContinuousClock.now - start).seconds)
    }

    /// Runs `body` on the VM's thread; a deadline or a cancel kills qemu and ends it.
    /// - Throws: `BuildError.timedOut`, `CancellationError`, or what `body` throws.
    public func call<T: Sendable>(_ what: String, _ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        let watchdog: Task<Void, Never>? = deadline.map { d in
            Task { [self] in
                guard (try? await Task.sleep(until: d, clock: .continuous)) != nil else { return }
                halt(.timedOut)
            }
        }
        defer { watchdog?.cancel() }
        let g = self.g
        let result: Result<T, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<T, any Error>, Never>) in
                thread.submit { c.resume(returning: Result { try body(g) }) }
            }
        } onCancel: { self.halt(.canceled) }
        switch Stop(rawValue: stop.load(ordering: .acquiring)) ?? .none {
        case .timedOut: throw BuildError.timedOut
        case .canceled: throw CancellationError()
        case .none: return try result.get()
        }
    }

    /// Stops the VM in an orderly way (syncing the disk); the handle stays until deinit.
    public func shutdown() async throws {
        try await call("stop the build VM") { g in try self.check(guestfs_shutdown(g), "stop the build VM") }
        unlink(pidFile)
    }

    /// The acceleration builds use: the setting, or for `auto` the result of starting one
    /// appliance with libguestfs's default (KVM when it can) in a child process, once per
    /// boot (kept in `workspace`): an appliance that fails, or does not start within 60 s,
    /// means TCG. In a child process (guestfish), so that a KVM that hangs or aborts under
    /// nested virtualisation (seen here: qemu aborts on an MSR assertion) costs only the child.
    public static func acceleration(_ setting: BuildHost.Acceleration, workspace: String) async -> (BuildHost.Acceleration, String) {
        guard setting == .auto else { return (setting, "set by the topology") }
        if let known = probed.withLock({ $0 }) { return known }
        // A result holds until the machine reboots: it is kept with the boot's id.
        let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let saved = workspace + "/result"
        if let text = try? String(contentsOfFile: saved, encoding: .utf8) {
            let parts = text.split(separator: "\t", maxSplits: 2).map(String.init)
            if parts.count == 3, parts[0] == boot, let a = BuildHost.Acceleration(rawValue: parts[1]) {
                let known = (a, parts[2].trimmingCharacters(in: .newlines) + ", probed earlier since this boot")
                probed.withLock { $0 = known }
                return known
            }
        }
        let result: (BuildHost.Acceleration, String)
        if access("/dev/kvm", R_OK | W_OK) != 0 {
            result = (.tcg, "no usable /dev/kvm")
        } else {
            let start = ContinuousClock.now
            do {
                try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
                let p = try Subprocess.spawn(["guestfish", "--", "add-drive-scratch", "16777216", ":", "run"],
                                             // libguestfs's appliance cache stays where builds find it (/var/tmp).
                                             environment: ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                                           "LIBGUESTFS_BACKEND": "direct"],
                                             output: workspace + "/probe.log")
                let status = try await p.wait(deadline: .now + .seconds(60))
                let seconds = (ContinuousClock.now - start).seconds
                result = status == 0
                    ? (.kvm, String(format: "a KVM appliance started in %.1f s", seconds))
                    : (.tcg, String(format: "a KVM appliance failed after %.1f s (exit code %d)", seconds, status))
            } catch {
                result = (.tcg, "a KVM appliance did not start within 60 s (\(error))")
            }
        }
        probed.withLock { $0 = result }
        try? "\(boot)\t\(result.0.rawValue)\t\(result.1)\n".write(toFile: saved, atomically: true, encoding: .utf8)
        return result
    }

    private static let probed = Mutex<(BuildHost.Acceleration, String)?>(nil)

    private func halt(_ why: Stop) {
        guard stop.compareExchange(expected: Stop.none.rawValue, desired: why.rawValue, ordering: .acquiringAndReleasing).exchanged else { return }
        Self.killLeftover(pidFile: pidFile)
    }

    /// Kills the qemu a pid file names when it is still running and is a build VM's (its
    /// command line says qemu): a stopped server's VM, or this one on timeout.
    @discardableResult
    public static func killLeftover(pidFile: String) -> Bool {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              String(decoding: cmdline, as: UTF8.self).contains("qemu") else { return false }
        return kill(pid, SIGKILL) == 0
    }

    // MARK: errors

    func check(_ rc: Int32, _ what: String) throws {
        if rc == -1 { throw failure(what) }
    }

    func failure(_ what: String) -> BuildError {
        let detail = guestfs_last_error(g).map { String(cString: $0) } ?? "unknown error"
        return BuildError(.tool, "libguestfs: cannot \(what): \(detail)")
    }

    private static func setBackendSettings(_ g: OpaquePointer, _ settings: [String]) throws {
        var cStrings = settings.map { strdup($0) } + [nil]
        defer { cStrings.forEach { free($0) } }
        let rc = cStrings.withUnsafeMutableBufferPointer { guestfs_set_backend_settings(g, $0.baseAddress) }
        if rc == -1 { throw BuildError(.tool, "libguestfs: cannot set the backend settings") }
    }

    /// The hypervisor libguestfs runs: a shell wrapper that records qemu's pid and, for a restricted network, turns libguestfs's
    /// user-mode network into one that reaches only the forwards (`restrict=on`, and a
    /// `guestfwd` per forward that socat connects to its target).
    static func writeWrapper(_ path: String, qemu: String, pidFile: String, network: BuildHost.Network?) throws {
        var netdev = ""
        if case .restricted(let forwards)? = network {
            // Addresses and hosts were checked by the topology parser: [A-Za-z0-9.:-] only.
            let rules = forwards.map { f in
                ",guestfwd=tcp:\(f.guestAddress):\(f.guestPort)-cmd:socat STDIO TCP:\(f.target):\(f.targetPort)"
            }.joined()
            netdev = ",restrict=on" + rules
        }
        let script = """
        #!/bin/sh
        # Written by vmib for one build VM.
        n=0
        for a in "$@"; do
          case "$a" in
            user,id=usernet,*) a="$a\(netdev)" ;;
          esac
          set -- "$@" "$a"; n=$((n + 1))
        done
        shift $n
        echo $$ > '\(pidFile)'
        exec '\(qemu)' "$@"

        """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }
}

/// One thread that runs submitted closures in order, with an empty signal mask.
private final class CallThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var finished = false

    init() {
        let t = Thread { [self] in
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            loop()
        }
        t.name = "vmib-build-vm"
        t.start()
    }

    func submit(_ job: @escaping () -> Void) {
        condition.lock(); jobs.append(job); condition.signal(); condition.unlock()
    }

    func finish() {
        condition.lock(); finished = true; condition.signal(); condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
