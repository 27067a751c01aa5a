import Foundation
import Synchronization
import VMIBCore
import VMIBReplication

/// Exclusive advisory locks (flock) on versions, one file per version under the state
/// directory, so two vmib processes on one state directory never transfer the same
/// replica at once. Non-blocking: a version another process holds is requeued by the
/// controller, never waited for on a thread. The kernel drops a lock when its process
/// dies, so a kill -9 never leaves one stuck. Keys are canonical (lower-cased) ids.
final class VersionLocks: WorkLock {
    private let directory: String
    private let held = Mutex<[String: Int32]>([:])
    private let told = Mutex<Set<String>>([])

    init(stateDirectory: String) {
        directory = stateDirectory + "/locks"
    }

    func tryAcquire(_ key: String) -> Bool {
        held.withLock { held in
            if held[key] != nil { return true }
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let name = key.replacingOccurrences(of: "/", with: "_")
            let fd = open("\(directory)/\(name).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return false }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                if told.withLock({ $0.insert(key).inserted }) {
                    FileHandle.standardError.write(Data("waiting for another vmib process that is reconciling \(key)…\n".utf8))
                }
                return false
            }
            held[key] = fd
            return true
        }
    }

    func release(_ key: String) {
        held.withLock { held in
            guard let fd = held.removeValue(forKey: key) else { return }
            flock(fd, LOCK_UN)
            close(fd)
        }
    }
}
