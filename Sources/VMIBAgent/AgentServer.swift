import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import VMIBCore
import VMIBService
import VMIBTransfer
import VMIBWire

/// `vmib agent`: serves one region (or the origin) to the controller and to other agents.
///
/// A region's agent assembles the disks the controller names (`PUT /v1/objects/{sha256}`)
/// and serves every chunk it holds verified, so its children receive while it still
/// receives. The origin's agent serves the origin copies and their chunk indexes, and takes
/// no jobs. Every request must carry the deployment key (`Authorization: Bearer …`).
public final class Agent: Sendable {
    public enum Role: Sendable, Equatable {
        case origin
        case region(String)
        var name: String {
            switch self {
            case .origin: RelayPlan.origin
            case .region(let name): name
            }
        }
    }

    let role: Role
    let key: String
    let service: VMIBService
    let local: LocalChunks
    let keep: Int
    private let stores: [StorageAccountType: any BlobStore]
    private let assemblies = Mutex<[String: ObjectAssembly]>([:])
    private let served = Atomic<Int64>(0)
    /// The region's bytes/s over the link, one budget for every job.
    private let pacer = LinkPacer()

    /// How long a request for a chunk still on its way waits before `NotYet`.
    static let chunkWait: Duration = .seconds(5)

    /// - Parameters:
    ///   - cacheDirectory: where assembled objects are kept (default `<state>/agent/<name>`).
    ///   - keep: how many assembled objects the cache keeps for later deltas.
    public init(role: Role, service: VMIBService, cacheDirectory: String?, keep: Int) throws {
        guard let settings = service.topology.agents else {
            throw DomainError.invalid(.named("topology: agents"), "the topology has no agents section; an agent needs its origin and key")
        }
        if case .region(let name) = role {
            guard let region = service.topology[name] else {
                throw DomainError.invalid(.named("--region"), "'\(name)' is not a region of the topology; allowed: \(service.topology.regions.map(\.name).joined(separator: ", "))")
            }
            guard region.agent != nil else {
                throw DomainError.invalid(.named("--region"), "the topology names no agent for region '\(name)' (regions[].agent)")
            }
            stores = try service.stores(of: region)
        } else {
            stores = [:]
        }
        self.role = role
        self.service = service
        key = try AgentKey.resolve(settings, config: service.configuration)
        self.keep = keep
        local = LocalChunks(cacheDirectory: cacheDirectory ?? service.configuration.stateDirectory + "/agent/" + role.name)
    }

    var health: AgentHealth { AgentHealth(name: role.name, servedBytes: served.load(ordering: .relaxed)) }

    /// Starts (or finds) the assembly of `sha256`.
    func start(_ sha256: String, job: AgentJob) throws -> ObjectAssembly {
        guard case .region = role else { throw AgentHTTPError(.conflict, "NotARegion", "the origin's agent takes no jobs") }
        let (assembly, new) = assemblies.withLock { all -> (ObjectAssembly, Bool) in
            // The same job still running is that job; after it ended (a retry, or a replica a
            // scrub found missing) a new one writes again, from the cache when the disk is there.
            if let a = all[sha256], a.job == job, a.running { return (a, false) }
            let a = ObjectAssembly(sha256: sha256, job: job, local: local, client: ChunkClient(key: key), stores: stores, keep: keep,
                                   pacer: pacer)
            all[sha256] = a
            return (a, true)
        }
        if new { Task { await assembly.run() } }
        return assembly
    }

    func assembly(_ sha256: String) -> ObjectAssembly? { assemblies.withLock { $0[sha256] } }

    /// The chunk index of `sha256`, as bytes, when this agent has one.
    func indexBytes(_ sha256: String) -> [UInt8]? {
        switch role {
        case .origin:
            return ChunkIndexFile.read(forOrigin: service.originPath(sha256: sha256))?.encoded()
        case .region:
            return (assembly(sha256)?.index ?? local.index(of: sha256))?.encoded()
        }
    }

    /// Chunk `i` of `sha256`: its bytes; `.notYet` while an assembly here may still get it.
    func chunk(_ sha256: String, _ i: Int) async -> ChunkReply {
        let deadline = ContinuousClock.now + Self.chunkWait
        while true {
            switch role {
            case .origin:
                let path = service.originPath(sha256: sha256)
                guard let index = ChunkIndexFile.read(forOrigin: path), i < index.chunkCount,
                      let bytes = LocalChunks.read(path, offset: Int64(i) * index.chunkSize, length: index.chunkLength(i)) else {
                    return .notThere
                }
                return .bytes(bytes)
            case .region:
                if let a = assembly(sha256) {
                    if let bytes = a.chunk(i) { return .bytes(bytes) }
                    if a.failed { return .notThere }
                } else if let index = local.index(of: sha256) {
                    guard i < index.chunkCount,
                          let bytes = LocalChunks.read(local.path(sha256), offset: Int64(i) * index.chunkSize, length: index.chunkLength(i)) else {
                        return .notThere
                    }
                    return .bytes(bytes)
                }
                // Not here yet: the job may be on its way (the controller starts them together).
                if ContinuousClock.now >= deadline { return assembly(sha256) == nil ? .notThere : .notYet }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    enum ChunkReply { case bytes([UInt8]), notYet, notThere }

    func countServed(_ n: Int) { served.add(Int64(n), ordering: .relaxed) }
}

/// An error answer: status, code and message as JSON.
struct AgentHTTPError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) { self.status = status; self.code = code; self.message = message }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        let body = try JSONEncoder().encode(AgentError(code: code, message: message))
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: body)))
    }
}

/// Every request must carry the deployment key; compared in constant time.
struct AgentKeyMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let key: [UInt8]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let given = request.headers[.authorization].map { Array($0.utf8) } ?? []
        let expected = Array("Bearer ".utf8) + key
        var diff = given.count == expected.count ? 0 : 1
        for (a, b) in zip(given, expected) { diff |= Int(a ^ b) }
        guard diff == 0 else { throw AgentHTTPError(.unauthorized, "InvalidKey", "the request does not carry this deployment's agent key") }
        return try await next(request, context)
    }
}

extension Agent {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder().encode(value))))
    }

    static func sha256(_ context: BasicRequestContext) throws -> String {
        let sha = context.parameters.get("sha256") ?? ""
        guard sha.count == 64, sha.allSatisfy(\.isHexDigit), sha == sha.lowercased() else {
            throw AgentHTTPError(.badRequest, "InvalidObject", "the object is named by its SHA-256: 64 lowercase hex digits, not '\(sha)'")
        }
        return sha
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: AgentKeyMiddleware(key: Array(key.utf8)))
        router.get("/v1/health") { _, _ in try Self.json(self.health) }
        router.put("/v1/objects/:sha256") { request, context in
            let sha = try Self.sha256(context)
            let body = try await request.body.collect(upTo: 1 << 20)
            let job: AgentJob
            do { job = try JSONDecoder().decode(AgentJob.self, from: Data(buffer: body)) } catch {
                throw AgentHTTPError(.badRequest, "InvalidJob", "the body is not an AgentJob: \(error)")
            }
            guard job.size > 0, ChunkIndex.isAllowed(job.chunkSizeBytes), !job.sources.isEmpty else {
                throw AgentHTTPError(.badRequest, "InvalidJob", "size must be positive, chunkSizeBytes a power of two from 65536 to 67108864, sources not empty")
            }
            return try Self.json(try self.start(sha, job: job).status, status: .accepted)
        }
        router.get("/v1/objects/:sha256") { _, context in
            let sha = try Self.sha256(context)
            guard let a = self.assembly(sha) else { throw AgentHTTPError(.notFound, "NoJob", "no job for \(sha) since this agent started") }
            return try Self.json(a.status)
        }
        router.get("/v1/objects/:sha256/index") { _, context in
            let sha = try Self.sha256(context)
            guard let bytes = self.indexBytes(sha) else { throw AgentHTTPError(.notFound, "NotThere", "no chunk index of \(sha) here") }
            self.countServed(bytes.count)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/v1/objects/:sha256/chunks/:i") { _, context in
            let sha = try Self.sha256(context)
            guard let i = context.parameters.get("i").flatMap(Int.init), i >= 0 else {
                throw AgentHTTPError(.badRequest, "InvalidChunk", "a chunk is named by its index, a non-negative integer")
            }
            switch await self.chunk(sha, i) {
            case .bytes(let bytes):
                self.countServed(bytes.count)
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            case .notYet: throw AgentHTTPError(.notFound, "NotYet", "chunk \(i) of \(sha) is on its way here")
            case .notThere: throw AgentHTTPError(.notFound, "NotThere", "chunk \(i) of \(sha) is not here")
            }
        }
        return router
    }

    /// Serves until SIGTERM or SIGINT.
    public func run(address: String, port: Int, logger: Logger, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let app = Application(router: router(), configuration: .init(address: .hostname(address, port: port), serverName: "vmib-agent"),
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint],
                                                     logger: logger))
        try await group.run()
    }
}
