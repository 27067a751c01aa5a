import CGuestfs
import Foundation

/// What a build does inside its VM. Paths are the image's: libguestfs resolves them inside
/// the VM, chrooted into the image's root, so a symlink in the image leads only into it.
extension GuestVM {
    /// The VM's device for the image's root file system (the work disk is its only disk).
    static func device(_ fs: PartitionTable.RootFileSystem) -> String {
        fs.partition == 0 ? "/dev/sda" : "/dev/sda\(fs.partition)"
    }

    /// Grows the root partition (the disk's last) and its ext file system to the disk's end.
    /// The host already made the disk larger.
    /// - Returns: the file system's new size in bytes.
    func growRoot(_ fs: PartitionTable.RootFileSystem) async throws -> Int64 {
        try await call("grow the root file system") { g in
            let root = Self.device(fs)
            if fs.partition > 0 {
                guard let list = guestfs_part_list(g, "/dev/sda") else { throw self.failure("list the partitions") }
                defer { guestfs_free_partition_list(list) }
                let parts = UnsafeBufferPointer(start: list.pointee.val, count: Int(list.pointee.len))
                let last = parts.max { $0.part_end < $1.part_end }
                guard last?.part_num == Int32(fs.partition) else {
                    throw BuildError(.source, "vmProfile.osDiskSizeGB: the root file system is on partition \(fs.partition), which is not the disk's last partition (\(last.map { String($0.part_num) } ?? "none") is), so it cannot grow")
                }
                if fs.scheme == .gpt { try self.check(guestfs_part_expand_gpt(g, "/dev/sda"), "move the backup GPT to the disk's end") }
                let sectors = guestfs_blockdev_getsz(g, "/dev/sda")
                guard sectors > 0 else { throw self.failure("read the disk's size") }
                let end = fs.scheme == .gpt ? sectors - 34 : sectors - 1
                try self.check(guestfs_part_resize(g, "/dev/sda", Int32(fs.partition), end), "grow partition \(fs.partition)")
            }
            let type = guestfs_vfs_type(g, root).map { p in defer { free(p) }; return String(cString: p) } ?? "unknown"
            guard type.hasPrefix("ext") else {
                throw BuildError(.source, "vmProfile.osDiskSizeGB: the root file system is \(type); vmib grows ext2/3/4 only")
            }
            var fsck = guestfs_e2fsck_argv()
            fsck.bitmask = UInt64(1) << 0 // GUESTFS_E2FSCK_CORRECT_BITMASK
            fsck.correct = 1
            try self.check(guestfs_e2fsck_argv(g, root, &fsck), "check the root file system before growing it")
            try self.check(guestfs_resize2fs(g, root), "grow the root file system")
            return guestfs_blockdev_getsize64(g, root)
        }
    }

    /// Mounts the image's root file system at the VM's `/` (where customizers run).
    func mountRoot(_ fs: PartitionTable.RootFileSystem) async throws {
        try await call("mount the image's root file system") { g in
            try self.check(guestfs_mount(g, Self.device(fs), "/"), "mount the image's root file system (\(Self.device(fs)))")
        }
    }

    /// Unpacks a root-file-system tarball into the mounted root, inside the VM.
    func unpack(_ tarball: String, gzip: Bool) async throws {
        try await call("unpack the tarball in the build VM") { g in
            var opts = guestfs_tar_in_opts_argv()
            try "gzip".withCString { z in
                if gzip { opts.bitmask = UInt64(1) << 0; opts.compress = z } // GUESTFS_TAR_IN_OPTS_COMPRESS_BITMASK
                try self.check(guestfs_tar_in_opts_argv(g, tarball, "/", &opts), "unpack the tarball in the build VM")
            }
        }
    }

    /// Runs a host script file with the image's /bin/sh, as root in the image; its output
    /// (the last MiB of it) is written to `output`.
    /// - Returns: the script's exit code.
    func runShell(_ script: String, stopOnError: Bool, output: String) async throws -> Int32 {
        let text = try await call("run the script in the build VM") { g -> String in
            try self.check(guestfs_mkdir_p(g, "/tmp"), "create /tmp in the image")
            try self.check(guestfs_upload(g, script, Self.stepScript), "copy the script into the build VM")
            let command = "/bin/sh \(stopOnError ? "-e " : "")\(Self.stepScript) > \(Self.stepOutput) 2>&1 < /dev/null; echo $?"
            guard let out = guestfs_sh(g, command) else { throw self.failure("run /bin/sh in the image") }
            defer { free(out) }
            return String(cString: out)
        }
        let tail = try await call("read the script's output") { g -> Data in
            let size = guestfs_filesize(g, Self.stepOutput)
            guard size > 0 else { return Data() }
            let count = Int32(min(size, Self.outputLimit))
            var got = 0
            guard let bytes = guestfs_pread(g, Self.stepOutput, count, size - Int64(count), &got) else { return Data() }
            defer { free(bytes) }
            var data = Data(bytes: bytes, count: got)
            if size > Self.outputLimit { data = Data("[vmib: the first \(size - Self.outputLimit) bytes of output are not shown]\n".utf8) + data }
            return data
        }
        try await call("remove the script") { g in
            _ = guestfs_rm_f(g, Self.stepScript)
            _ = guestfs_rm_f(g, Self.stepOutput)
        }
        _ = FileManager.default.createFile(atPath: output, contents: tail)
        guard let code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last ?? "") else {
            throw BuildError(.customizer, "the script's exit code could not be read (the shell printed '\(BuildLog.tail(text))')")
        }
        return code
    }

    /// Copies a host file to an absolute path in the image, creating its directory.
    func upload(_ file: String, to destination: String) async throws {
        try await call("copy the file into the build VM") { g in
            let dir = (destination as NSString).deletingLastPathComponent
            if !dir.isEmpty && dir != "/" { try self.check(guestfs_mkdir_p(g, dir), "create \(dir) in the image") }
            try self.check(guestfs_upload(g, file, destination), "copy the file to \(destination)")
        }
    }

    /// Removes what identifies one machine, as virt-sysprep's default operations and Azure's
    /// deprovisioning do: the machine id (emptied, so that the next boot makes a new one), SSH
    /// host keys, log files (emptied), shell histories, DHCP leases, temporary files and
    /// cloud-init's instance state.
    /// - Returns: what was removed or emptied.
    func generalize() async throws -> [String] {
        try await call("generalize the image") { g in
            var done: [String] = []
            if guestfs_is_file(g, "/etc/machine-id") == 1 {
                try self.check(guestfs_truncate(g, "/etc/machine-id"), "empty /etc/machine-id")
                done.append("emptied /etc/machine-id")
            }
            for pattern in Self.generalizeRemovals {
                for path in Self.strings(guestfs_glob_expand(g, pattern)) {
                    try self.check(guestfs_rm_rf(g, path), "remove \(path)")
                    done.append("removed \(path)")
                }
            }
            if guestfs_is_dir(g, "/var/log") == 1 {
                for name in Self.strings(guestfs_find(g, "/var/log")) {
                    let path = "/var/log" + (name.hasPrefix("/") ? name : "/" + name)
                    guard guestfs_is_file(g, path) == 1, guestfs_is_symlink(g, path) == 0, guestfs_filesize(g, path) > 0 else { continue }
                    try self.check(guestfs_truncate(g, path), "empty \(path)")
                    done.append("emptied \(path)")
                }
            }
            return done
        }
    }

    /// Kills what customizers left running in the image (daemons, `cmd &`): processes of the
    /// appliance whose root is the image's. Else the image cannot be unmounted and synced.
    /// - Returns: "PID NAME" of each process killed.
    func stopLeftovers() async throws -> [String] {
        try await call("stop what the customizers left running") { g in
            let script = """
            found=""
            for i in 1 2 3 4 5 6 7 8 9 10; do
              left=""
              for p in /proc/[0-9]*; do
                [ "$(readlink "$p/root" 2>/dev/null)" = /sysroot ] || continue
                left="$left ${p#/proc/}"
                case " $found " in *" ${p#/proc/} "*) ;; *) found="$found ${p#/proc/}:$(cat "$p/comm" 2>/dev/null)" ;; esac
              done
              [ -z "$left" ] && break
              kill -9 $left 2>/dev/null
              sleep 0.2
            done
            echo "$found"
            true
            """
            var args: [UnsafeMutablePointer<CChar>?] = [strdup(script), nil]
            defer { args.forEach { free($0) } }
            guard let out = args.withUnsafeMutableBufferPointer({ guestfs_debug(g, "sh", $0.baseAddress) }) else {
                throw self.failure("stop what the customizers left running")
            }
            defer { free(out) }
            return String(cString: out).split(whereSeparator: { $0 == " " || $0 == "\n" }).map { $0.replacingOccurrences(of: ":", with: " ") }
        }
    }

    static let generalizeRemovals = [
        "/var/lib/dbus/machine-id", "/etc/ssh/ssh_host_*",
        "/root/.bash_history", "/root/.ash_history", "/root/.sh_history", "/home/*/.bash_history", "/home/*/.ash_history",
        "/var/lib/dhcp/*", "/var/lib/dhclient/*", "/var/lib/NetworkManager/*.lease*",
        "/tmp/*", "/var/tmp/*", "/var/lib/cloud/instances", "/var/lib/cloud/instance",
    ]

    static let stepScript = "/tmp/.vmib-step.sh"
    static let stepOutput = "/tmp/.vmib-step.out"
    static let outputLimit: Int64 = 1 << 20

    /// A NULL-terminated string list from libguestfs, freed.
    static func strings(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
        guard let list else { return [] }
        var out: [String] = []
        var i = 0
        while let s = list[i] { out.append(String(cString: s)); free(s); i += 1 }
        free(list)
        return out
    }
}
