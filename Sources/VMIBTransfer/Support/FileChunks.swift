import Foundation

/// Reads a file range through one fixed buffer, so memory stays flat whatever the size.
enum FileChunks {
    static let chunkSize = 1 << 20

    /// Calls `body` with each chunk of `length` bytes from `offset`.
    /// - Throws: `.fatal` "source changed" when the file ends early; `CancellationError`
    ///   when `cancellation` is set between chunks; errors from `body`.
    static func read(
        _ file: LocalFile, offset: Int64, length: Int64, cancellation: CancellationFlag,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            if cancellation.isCancelled { throw CancellationError() }
            let want = Int(min(Int64(chunkSize), length - done))
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: offset + done)
            guard n > 0 else {
                throw TransferError(code: .fatal, target: file.path, message: "source changed: file ended early")
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            done += Int64(n)
        }
    }
}
