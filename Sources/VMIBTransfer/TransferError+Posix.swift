import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TransferError {
    /// A failed system call on a local file. Conditions that can clear up by themselves
    /// (I/O errors, a full disk, exhausted descriptors) are retryable; the rest, such as
    /// a missing source or a permission problem, will fail again the same way.
    static func posix(_ code: Int32, target: String, action: String) -> TransferError {
        let transient: Set<Int32> = [EIO, ENOSPC, EAGAIN, EINTR, EMFILE, ENFILE, ENOMEM, EDQUOT]
        let text = String(cString: strerror(code))
        return TransferError(code: transient.contains(code) ? .retryable : .fatal,
                             target: target, message: "\(action): \(text)")
    }

    /// The bytes read from the local file are not the ones the caller described.
    static func sourceChanged(_ target: String, expected: String, actual: String) -> TransferError {
        TransferError(code: .fatal, target: target,
                      message: "source changed: expected sha256 \(expected), read \(actual)")
    }
}
