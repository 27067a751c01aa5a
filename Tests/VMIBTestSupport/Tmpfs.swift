import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs, for tests of a full destination (ENOSPC). Mounting needs root (as the
/// tests run here and in CI); use `.enabled(if: Tmpfs.canMount)`.
public enum Tmpfs {
    public static var canMount: Bool { geteuid() == 0 }

    /// Mounts a tmpfs of `size` (mount(8) syntax: "2m") at the existing directory `path`;
    /// the caller unmounts it with `unmount(at:)`, in a `defer` so a failing test does too.
    public static func mount(at path: String, size: String) throws {
        guard Glibc.mount("tmpfs", path, "tmpfs", 0, "size=\(size)") == 0 else {
            throw TestSupportError("mount -t tmpfs -o size=\(size) tmpfs \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Lazy unmount: succeeds even while something still holds a file open there.
    public static func unmount(at path: String) { _ = umount2(path, Int32(MNT_DETACH)) }
}
