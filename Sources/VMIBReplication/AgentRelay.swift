import Crypto
import Foundation
import VMIBCore
import VMIBTransfer
import VMIBWire

/// The agents the controller may hand replicas to: the origin's, each region's, the key they
/// share and the relay shape (from the topology's `agents` section).
public struct AgentDirectory: Sendable {
    public var key: String
    /// The agents and their links, as plans see them (one planner for plans and for work).
    public var relay: TransferPlan.RelayInput

    public init(key: String, relay: TransferPlan.RelayInput) {
        self.key = key; self.relay = relay
    }

    var regions: [String: AgentLink] { relay.agents }

    /// The tree for a version: over its target regions that have agents, as its plan showed.
    func plan(for version: ImageVersion) -> RelayPlan {
        relay.plan(for: version.publishingProfile.targetRegions.filter { $0.regionalReplicaCount > 0 }.map(\.name))
    }

    func endpoint(of name: String) -> String? {
        name == RelayPlan.origin ? relay.settings.origin.endpoint : relay.agents[name]?.endpoint
    }
}

/// What a region's agent made: the object written, its ETag, and where its bytes came from.
struct AgentMade: Sendable {
    var etag: String?
    var linkBytes: Int64
    var localBytes: Int64
    /// The source most of the link bytes came from (the parent, unless it was routed around).
    var mainSource: String
}

/// The controller's side of one replica made by a region's agent: the job sent, then polled
/// until it ends. nil from `make` means the agent could not be reached: the caller feeds the
/// region from the origin as for a region without one.
struct AgentReplication: Sendable {
    let directory: AgentDirectory
    let agent: AgentLink
    let sources: [String]

    static let pollInterval: Duration = .milliseconds(500)
    static let timeouts = TransferTimeouts(connect: 5, lowSpeedBytesPerSecond: 1, lowSpeedWindow: 30)

    /// - Parameter bytesPerSecond: the region's limit, which the agent keeps (0: none).
    func make(sha256: String, digest: ObjectDigest, origin: String, write: AgentWrite, bytesPerSecond: Int64,
              progress: @escaping @Sendable (Int64) -> Void) async throws -> AgentMade? {
        guard let indexBytes = FileManager.default.contents(atPath: ChunkIndexFile.path(forOrigin: origin)),
              let index = ChunkIndex(decoding: [UInt8](indexBytes)) else { return nil }
        let job = AgentJob(size: digest.size, md5: digest.md5, chunkSizeBytes: index.chunkSize,
                           indexSHA256: Hex.encode(SHA256.hash(data: indexBytes)),
                           sources: sources.compactMap { name in directory.endpoint(of: name).map { AgentSource(name: name, endpoint: $0) } },
                           writes: [write], bytesPerSecond: bytesPerSecond > 0 ? bytesPerSecond : nil)
        let url = "\(agent.endpoint)/v1/objects/\(sha256)"
        let body = try JSONEncoder().encode(job)
        guard let started = try await send(.put, url, body: body) else { return nil }
        var status = started
        while true {
            progress(status.bytesHeld)
            switch status.state {
            case .Completed:
                let main = status.bytesBySource.max { $0.value < $1.value }?.key ?? sources.first ?? RelayPlan.origin
                return AgentMade(etag: status.written.first { $0.key == write.key }?.etag, linkBytes: status.linkBytes,
                                 localBytes: status.localBytes, mainSource: main)
            case .Failed:
                throw TransferError(code: .retryable, target: agent.endpoint, message: "the region's agent failed: \(status.error ?? "no reason given")")
            case .Fetching, .Writing:
                try await Task.sleep(for: Self.pollInterval)
                guard let next = try await send(.get, url, body: nil, job: body) else { return nil }
                status = next
            }
        }
    }

    /// One request to the agent; nil when it did not answer (down, or gone mid-job).
    /// - Parameter job: sent again when the agent no longer knows the job (it restarted).
    private func send(_ method: JSONRequest.Method, _ url: String, body: Data?, job: Data? = nil) async throws -> AgentJobStatus? {
        let r: JSONRequest.Response
        do { r = try await JSONRequest.send(method, url, body: body, bearer: directory.key, timeouts: Self.timeouts) } catch {
            return nil
        }
        switch r.status {
        case 200, 202:
            guard let status = try? JSONDecoder().decode(AgentJobStatus.self, from: r.body) else {
                throw TransferError(code: .retryable, status: r.status, target: agent.endpoint, message: "the region's agent answered with no job status")
            }
            return status
        case 401, 403:
            throw TransferError(code: .fatal, status: r.status, target: agent.endpoint, message: "the region's agent refused the deployment key")
        case 404 where method == .get && job != nil:
            // The agent restarted and lost the job: send it again.
            return try await send(.put, url, body: job)
        default:
            throw TransferError(code: .retryable, status: r.status, target: agent.endpoint,
                                message: String(decoding: r.body.prefix(300), as: UTF8.self))
        }
    }
}
