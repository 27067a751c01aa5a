import Foundation
import VMIBCore

/// An exclusive advisory lock (flock) on one version, held while a process reconciles it,
/// so two embedded vmib processes never transfer the same replica at once. The kernel
/// drops it when the process dies, so a kill -9 never leaves it stuck.
final class VersionLock: Sendable {
    private let fd: Int32

    init(stateDirectory: String, ref: VersionRef) throws {
        let dir = stateDirectory + "/locks"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = ref.id.replacingOccurrences(of: "/", with: "_")
        fd = open("\(dir)/\(name).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DomainError(.refused, "cannot open the lock for \(ref): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            FileHandle.standardError.write(Data("waiting for another vmib process that is reconciling \(ref)…\n".utf8))
            guard flock(fd, LOCK_EX) == 0 else {
                close(fd)
                throw DomainError(.refused, "cannot lock \(ref): \(String(cString: strerror(errno)))")
            }
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
