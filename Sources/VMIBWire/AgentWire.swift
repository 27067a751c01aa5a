/// The region agents' protocol (`vmib agent`), spoken between the controller and agents and
/// between agents: JSON over HTTP, every request with `Authorization: Bearer <deployment key>`.
///
/// - `GET  /v1/health`: `AgentHealth`.
/// - `PUT  /v1/objects/{sha256}`: an `AgentJob` (the controller tells an agent what to fetch,
///   from where, and where to write it); answers `AgentJobStatus`. Repeating it is harmless.
/// - `GET  /v1/objects/{sha256}`: that job's `AgentJobStatus`.
/// - `GET  /v1/objects/{sha256}/index`: the disk's chunk index (`ChunkIndex.encoded()`).
/// - `GET  /v1/objects/{sha256}/chunks/{i}`: chunk i's bytes, once this agent holds it
///   verified; a request for one still on its way waits a few seconds, then 404 `NotYet`.
public enum AgentWire {}

/// What an agent is and what it has sent.
public struct AgentHealth: Codable, Sendable, Equatable {
    /// The region it serves, or `origin`.
    public var name: String
    /// Bytes of chunks (and indexes) it has served to others since it started.
    public var servedBytes: Int64
    public init(name: String, servedBytes: Int64) { self.name = name; self.servedBytes = servedBytes }
}

/// One place a chunk can come from.
public struct AgentSource: Codable, Sendable, Equatable {
    /// A region name, or `origin`.
    public var name: String
    public var endpoint: String
    public init(name: String, endpoint: String) { self.name = name; self.endpoint = endpoint }
}

/// Where an agent writes the assembled object in its region's storage.
public struct AgentWrite: Codable, Sendable, Equatable {
    public var storageAccountType: String
    public var key: String
    public init(storageAccountType: String, key: String) { self.storageAccountType = storageAccountType; self.key = key }
}

/// The controller's order: assemble the disk whose SHA-256 is in the path, verified chunk by
/// chunk, from `sources` in order (parent first, the origin last) and from chunks the agent
/// already holds, then write it to `writes`.
public struct AgentJob: Codable, Sendable, Equatable {
    public var size: Int64
    public var md5: String
    public var chunkSizeBytes: Int64
    /// SHA-256 of the chunk index's bytes, so an index fetched from any source is checked.
    public var indexSHA256: String
    public var sources: [AgentSource]
    public var writes: [AgentWrite]
    /// The region's `limits.bytesPerSecond`: what the agent may receive over its link, for
    /// every job together (nil or 0: unlimited). The region's limit stays one budget.
    public var bytesPerSecond: Int64?

    public init(size: Int64, md5: String, chunkSizeBytes: Int64, indexSHA256: String, sources: [AgentSource], writes: [AgentWrite],
                bytesPerSecond: Int64? = nil) {
        self.size = size; self.md5 = md5; self.chunkSizeBytes = chunkSizeBytes; self.indexSHA256 = indexSHA256
        self.sources = sources; self.writes = writes; self.bytesPerSecond = bytesPerSecond
    }
}

/// Where an agent's job stands.
public struct AgentJobStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case Fetching, Writing, Completed, Failed }
    /// A written object: its key, and the ETag its store gave it (for the controller's verify).
    public struct Written: Codable, Sendable, Equatable {
        public var key: String
        public var etag: String?
        public init(key: String, etag: String?) { self.key = key; self.etag = etag }
    }
    /// A source whose chunks were refused, and why.
    public struct Refusal: Codable, Sendable, Equatable {
        public var source: String
        public var reason: String
        public var count: Int
        public init(source: String, reason: String, count: Int) { self.source = source; self.reason = reason; self.count = count }
    }

    public var state: State
    public var chunks: Int
    public var chunksHeld: Int
    public var bytesHeld: Int64
    /// Bytes received over links, by the source that sent them.
    public var bytesBySource: [String: Int64]
    /// Bytes copied from objects the agent already held (earlier versions of any image).
    public var localBytes: Int64
    /// Bytes received for chunks already held (fetched twice: after a restart, or a race).
    public var duplicateBytes: Int64
    public var refused: [Refusal]
    public var written: [Written]
    public var error: String?

    public var linkBytes: Int64 { bytesBySource.values.reduce(0, +) }

    public init(state: State, chunks: Int, chunksHeld: Int, bytesHeld: Int64, bytesBySource: [String: Int64], localBytes: Int64,
                duplicateBytes: Int64, refused: [Refusal], written: [Written], error: String?) {
        self.state = state; self.chunks = chunks; self.chunksHeld = chunksHeld; self.bytesHeld = bytesHeld
        self.bytesBySource = bytesBySource; self.localBytes = localBytes; self.duplicateBytes = duplicateBytes
        self.refused = refused; self.written = written; self.error = error
    }
}
