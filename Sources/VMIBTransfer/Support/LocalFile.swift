import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open local file, read and written with plain POSIX calls in fixed-size chunks.
///
/// The descriptor never changes after `init` and `pread`/`pwrite` carry their own offset,
/// so one instance may be used from several threads in turn.
final class LocalFile: @unchecked Sendable {
    let fd: Int32
    let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) throws -> LocalFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TransferError.posix(errno, target: path, action: "open") }
        return LocalFile(fd: fd, path: path)
    }

    /// Creates `path`, which must not exist yet (temp names are unique).
    static func create(_ path: String) throws -> LocalFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TransferError.posix(errno, target: path, action: "create") }
        return LocalFile(fd: fd, path: path)
    }

    /// The file's current size.
    func size() throws -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TransferError.posix(errno, target: path, action: "stat") }
        return Int64(st.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns 0 only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw TransferError.posix(errno, target: path, action: "read")
        }
    }

    /// Appends all of `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TransferError.posix(errno, target: path, action: "write")
            }
            done += n
        }
    }

    /// Flushes the file's data to the device, so a rename after it never exposes a hole.
    func sync() throws {
        guard fsync(fd) == 0 else { throw TransferError.posix(errno, target: path, action: "fsync") }
    }

    /// Flushes a directory, which makes a rename inside it durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw TransferError.posix(errno, target: path, action: "open directory") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw TransferError.posix(errno, target: path, action: "fsync directory") }
    }

    /// Atomically replaces `to` with `from` (same file system).
    static func moveIntoPlace(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else { throw TransferError.posix(errno, target: to, action: "rename") }
    }

    /// Removes a file; a missing file is not an error.
    static func removeIfPresent(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw TransferError.posix(errno, target: path, action: "remove")
        }
    }
}
