import Crypto
import Foundation
import Synchronization
import VMIBCore
import VMIBTransfer
import VMIBWire

/// Where an assembly asks for chunks and indexes.
protocol ChunkFetching: Sendable {
    func get(_ url: String) async -> ChunkClient.Answer
}

/// Fetches chunks and indexes from other agents (libcurl); the assembly checks every one by
/// its SHA-256 before anyone may use it.
struct ChunkClient: ChunkFetching {
    let key: String

    enum Answer: Sendable {
        case bytes([UInt8])
        /// The source is working on it but does not hold it yet.
        case notYet
        /// The source will not have it (no job for it, or its job failed).
        case notThere(String)
        /// The source refused our key.
        case refusedKey
        /// No answer (refused, reset, timed out) or an unexpected status.
        case down(String)
    }

    /// Long enough for a sender's wait for a chunk still on its way (`AgentServer.chunkWait`).
    static let timeouts = TransferTimeouts(connect: 5, lowSpeedBytesPerSecond: 1, lowSpeedWindow: 20)

    func get(_ url: String) async -> Answer {
        do {
            let r = try await JSONRequest.send(.get, url, bearer: key, timeouts: Self.timeouts)
            switch r.status {
            case 200: return .bytes([UInt8](r.body))
            case 401, 403: return .refusedKey
            case 404:
                let code = (try? JSONDecoder().decode(AgentError.self, from: r.body))?.code
                return code == "NotYet" ? .notYet : .notThere(code ?? "404")
            default: return .down("HTTP \(r.status)")
            }
        } catch {
            return .down("\(error)")
        }
    }

    static func sha256(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }
}

/// An agent's error body.
struct AgentError: Codable, Sendable {
    var code: String
    var message: String
}

/// Keeps what an agent receives over its link under its region's bytes/s, across all its
/// jobs: each chunk reserves its time on one shared schedule before it is fetched. A burst
/// of one second's bytes goes at once.
final class LinkPacer: Sendable {
    private let next = Mutex<Date?>(nil)

    /// Seconds to wait before fetching `bytes` at `rate` bytes/s.
    func reserve(_ bytes: Int64, rate: Int64, now: Date) -> TimeInterval {
        next.withLock { next in
            // Idle time earns at most a second's burst.
            let start = max(next ?? now, now.addingTimeInterval(-1))
            next = start.addingTimeInterval(Double(bytes) / Double(rate))
            return max(0, start.timeIntervalSince(now))
        }
    }
}
