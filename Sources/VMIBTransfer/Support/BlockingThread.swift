import Foundation

/// Runs blocking work (libcurl, file I/O, a pacer that sleeps) on a dedicated thread.
///
/// The Swift concurrency pool has one thread per core; blocking it stalls every task in the
/// process, so anything that may wait on the disk, the network or a pacer goes here.
enum BlockingThread {
    /// Runs `body` on a new thread and returns its result.
    ///
    /// Cancelling the calling task sets the flag passed to `body`; `body` decides where it
    /// can stop and should throw `CancellationError` when it does.
    static func run<T: Sendable>(
        name: String,
        _ body: @escaping @Sendable (CancellationFlag) throws -> T
    ) async throws -> T {
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(with: Result { try body(flag) })
                }
                thread.name = name
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
    }
}
