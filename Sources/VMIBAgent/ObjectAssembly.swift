import Crypto
import Foundation
import Synchronization
import VMIBCore
import VMIBTransfer
import VMIBWire

/// One disk being assembled by an agent: its chunks copied from objects the agent already
/// holds or fetched from the job's sources in order (parent first, the origin last), each
/// checked by its SHA-256 before it is written or served on; then the whole object checked,
/// kept in the cache and written to the region's storage.
///
/// A source that sends a chunk that does not match, or refuses the key, is not asked again
/// for this object and is reported; one that does not answer is skipped for a while; one
/// that has not got a chunk yet is waited for (pipelining), up to `stallLimit`.
final class ObjectAssembly: Sendable {
    let sha256: String
    let job: AgentJob
    private let local: LocalChunks
    private let client: any ChunkFetching
    private let clock: AssemblyClock
    private let pacer: LinkPacer
    private let stores: [StorageAccountType: any BlobStore]
    private let keep: Int
    private let state: Mutex<State>

    /// How long a source may answer NotYet for one chunk before the next source is asked.
    static let stallLimit: TimeInterval = 60
    /// How long a job goes on with no chunk arriving before it fails.
    static let giveUp: TimeInterval = 300
    /// How long a job goes on with no source answering at all before it fails.
    static let unanswered: TimeInterval = 30
    /// How long a source that did not answer is left alone.
    static let downPause: TimeInterval = 10
    /// Chunks fetched at once.
    static let workers = 3

    private struct State {
        var index: ChunkIndex?
        var have: [Bool] = []
        var inFlight: Set<Int> = []
        var status: AgentJobStatus
        var distrusted: Set<String> = []
        var downUntil: [String: Date] = [:]
        var refusals: [String: (reason: String, count: Int)] = [:]
        var lastProgress: Date
        /// When a source last answered (with a chunk, or saying it has none yet).
        var lastAnswer: Date
        var complete = false
        var fd: Int32 = -1
    }

    init(sha256: String, job: AgentJob, local: LocalChunks, client: any ChunkFetching,
         stores: [StorageAccountType: any BlobStore], keep: Int, clock: AssemblyClock = .system, pacer: LinkPacer = LinkPacer()) {
        self.sha256 = sha256; self.job = job; self.local = local; self.client = client; self.stores = stores; self.keep = keep
        self.clock = clock; self.pacer = pacer
        state = Mutex(State(status: AgentJobStatus(state: .Fetching, chunks: 0, chunksHeld: 0, bytesHeld: 0, bytesBySource: [:],
                                                   localBytes: 0, duplicateBytes: 0, refused: [], written: [], error: nil),
                            lastProgress: clock.now(), lastAnswer: clock.now()))
    }

    var status: AgentJobStatus {
        state.withLock { s in
            var status = s.status
            status.refused = s.refusals.map { .init(source: $0.key, reason: $0.value.reason, count: $0.value.count) }
                .sorted { $0.source < $1.source }
            return status
        }
    }

    var index: ChunkIndex? { state.withLock { $0.index } }

    /// Chunk `i`'s bytes when this assembly holds it verified; nil otherwise.
    func chunk(_ i: Int) -> [UInt8]? {
        let (held, complete, index) = state.withLock { s in (i < s.have.count && s.have[i], s.complete, s.index) }
        guard held, let index else { return nil }
        let offset = Int64(i) * index.chunkSize, length = index.chunkLength(i)
        if !complete, let bytes = LocalChunks.read(local.partialPath(sha256), offset: offset, length: length) { return bytes }
        return LocalChunks.read(local.path(sha256), offset: offset, length: length)
    }

    /// Whether chunk `i` may still come (the job has not failed).
    var failed: Bool { state.withLock { $0.status.state == .Failed } }

    /// Whether the job has not ended yet.
    var running: Bool { state.withLock { [.Fetching, .Writing].contains($0.status.state) } }

    func run() async {
        do {
            if local.index(of: sha256) == nil { try await assemble() } else { markComplete(fromCache: true) }
            state.withLock { $0.status.state = .Writing }
            var written: [AgentJobStatus.Written] = []
            for w in job.writes {
                guard let type = StorageAccountType(rawValue: w.storageAccountType), let store = stores[type] else {
                    throw AgentFailure("this region has no \(w.storageAccountType) storage")
                }
                let digest = ObjectDigest(size: job.size, sha256: sha256, md5: job.md5)
                let info = try await store.upload(file: local.path(sha256), to: w.key, digest: digest, resume: nil, pacer: nil,
                                                  onCheckpoint: { _ in }, progress: { _ in })
                written.append(.init(key: w.key, etag: info.etag))
            }
            state.withLock { $0.status.written = written; $0.status.state = .Completed }
            local.evict(keep: keep)
        } catch {
            state.withLock { s in
                s.status.state = .Failed
                s.status.error = (error as? AgentFailure)?.message ?? "\(error)"
                if s.fd >= 0 { close(s.fd); s.fd = -1 }
            }
        }
    }

    private func assemble() async throws {
        let index = try await fetchIndex()
        guard index.size == job.size, index.chunkSize == job.chunkSizeBytes else {
            throw AgentFailure("the chunk index describes \(index.size) bytes in \(index.chunkSize)-byte chunks, the job \(job.size) in \(job.chunkSizeBytes)")
        }
        try FileManager.default.createDirectory(atPath: local.directory, withIntermediateDirectories: true)
        let partial = local.partialPath(sha256)
        let resumed = FileManager.default.fileExists(atPath: partial)
        let fd = open(partial, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0, ftruncate(fd, off_t(index.size)) == 0 else { throw AgentFailure("cannot create \(partial): \(String(cString: strerror(errno)))") }
        state.withLock { s in
            s.index = index; s.fd = fd
            s.have = Array(repeating: false, count: index.chunkCount)
            s.status.chunks = index.chunkCount
        }
        // A partial file from an earlier job (an agent restarted): chunks that still match are kept.
        if resumed {
            for i in 0..<index.chunkCount {
                if let bytes = LocalChunks.read(partial, offset: Int64(i) * index.chunkSize, length: index.chunkLength(i)),
                   ChunkClient.sha256(bytes) == digest(index, i) {
                    held(i, bytes: Int64(bytes.count), from: nil, local: true)
                }
            }
        }
        // Chunks of objects already here (earlier versions of any image): copied, not fetched.
        let catalog = local.catalog(except: sha256)
        for i in 0..<index.chunkCount where !isHeld(i) {
            guard let at = catalog[index.digests[i * 32..<(i + 1) * 32]], at.length == index.chunkLength(i),
                  let bytes = LocalChunks.read(at.path, offset: at.offset, length: at.length),
                  ChunkClient.sha256(bytes) == digest(index, i) else { continue }
            try write(bytes, chunk: i, index: index)
            held(i, bytes: Int64(bytes.count), from: nil, local: true)
        }
        // The whole object is hashed as it fills in, read back in disk order, so the check
        // of the whole costs no pass of its own at the end.
        let whole = Task { try await self.hashInOrder(index: index, partial: partial) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<Self.workers {
                    group.addTask {
                        while let i = self.nextChunk() { try await self.fetch(i, index: index) }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            whole.cancel()
            throw error
        }
        let assembled = try await whole.value
        state.withLock { s in close(s.fd); s.fd = -1 }
        guard assembled == sha256 else {
            throw AgentFailure("the assembled object's SHA-256 is \(assembled), not \(sha256)")
        }
        try ChunkIndexFile.write(index, forOrigin: local.path(sha256))
        guard rename(partial, local.path(sha256)) == 0 else {
            throw AgentFailure("cannot keep \(local.path(sha256)): \(String(cString: strerror(errno)))")
        }
        markComplete(fromCache: false)
    }

    /// SHA-256 of the partial file, chunk after chunk as each is held.
    private func hashInOrder(index: ChunkIndex, partial: String) async throws -> String {
        var hasher = SHA256()
        var next = 0
        while next < index.chunkCount {
            try Task.checkCancellation()
            guard isHeld(next) else { try await clock.sleep(.milliseconds(20)); continue }
            guard let bytes = LocalChunks.read(partial, offset: Int64(next) * index.chunkSize, length: index.chunkLength(next)) else {
                throw AgentFailure("cannot read chunk \(next) back from \(partial)")
            }
            hasher.update(data: bytes)
            next += 1
        }
        return Hex.encode(hasher.finalize())
    }

    private func markComplete(fromCache: Bool) {
        let index = fromCache ? local.index(of: sha256) : nil
        state.withLock { s in
            if let index {
                s.index = index
                s.have = Array(repeating: true, count: index.chunkCount)
                s.status.chunks = index.chunkCount
                s.status.chunksHeld = index.chunkCount
                s.status.bytesHeld = index.size
                s.status.localBytes = index.size
            }
            s.complete = true
        }
    }

    private func digest(_ index: ChunkIndex, _ i: Int) -> String { Hex.encode(index.digests[i * 32..<(i + 1) * 32]) }

    private func isHeld(_ i: Int) -> Bool { state.withLock { $0.have[i] } }

    private func nextChunk() -> Int? {
        state.withLock { s in
            guard let i = s.have.indices.first(where: { !s.have[$0] && !s.inFlight.contains($0) }) else { return nil }
            s.inFlight.insert(i)
            return i
        }
    }

    private func held(_ i: Int, bytes: Int64, from source: String?, local: Bool = false) {
        state.withLock { s in
            s.inFlight.remove(i)
            if let source { s.status.bytesBySource[source, default: 0] += bytes }
            if s.have[i] { s.status.duplicateBytes += bytes; return }
            s.have[i] = true
            s.status.chunksHeld += 1
            s.status.bytesHeld += bytes
            if local { s.status.localBytes += bytes }
            s.lastProgress = clock.now()
        }
    }

    private func write(_ bytes: [UInt8], chunk i: Int, index: ChunkIndex) throws {
        let fd = state.withLock { $0.fd }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(Int64(i) * index.chunkSize) + off_t(done)) }
            guard n > 0 else { throw AgentFailure("cannot write chunk \(i): \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    private func refuse(_ source: String, _ reason: String) {
        state.withLock { s in
            s.distrusted.insert(source)
            s.refusals[source, default: (reason, 0)].count += 1
        }
    }

    /// Chunk `i` from the first source that has it, verified, written to the partial file.
    private func fetch(_ i: Int, index: ChunkIndex) async throws {
        let want = digest(index, i), length = index.chunkLength(i)
        // The region's bytes/s, shared by every job of this agent: wait for the chunk's turn.
        if let rate = job.bytesPerSecond, rate > 0 {
            let wait = pacer.reserve(length, rate: rate, now: clock.now())
            if wait > 0 { try await clock.sleep(.milliseconds(Int64(wait * 1000))) }
        }
        var waitingSince: [String: Date] = [:]
        while true {
            try Task.checkCancellation()
            var retrySame = false
            for source in job.sources {
                guard usable(source) else { continue }
                let answer = await client.get("\(source.endpoint)/v1/objects/\(sha256)/chunks/\(i)")
                answered(answer)
                switch answer {
                case .bytes(let bytes):
                    guard bytes.count == length, ChunkClient.sha256(bytes) == want else {
                        refuse(source.name, "sent chunk \(i) with another SHA-256 than the index's")
                        continue
                    }
                    try write(bytes, chunk: i, index: index)
                    held(i, bytes: Int64(bytes.count), from: source.name)
                    return
                case .notYet:
                    let since = waitingSince[source.name] ?? clock.now()
                    waitingSince[source.name] = since
                    if clock.now().timeIntervalSince(since) < Self.stallLimit { retrySame = true; break }
                    continue
                case .notThere:
                    continue
                case .refusedKey:
                    refuse(source.name, "refused the deployment key")
                    continue
                case .down:
                    leaveAlone(source)
                    continue
                }
                if retrySame { break }
            }
            // The source held the request until it gave up waiting (`Agent.chunkWait`); ask again.
            if retrySame { try await clock.sleep(.milliseconds(50)); continue }
            try checkGivingUp(what: "chunk \(i)")
            try await clock.sleep(.milliseconds(500))
        }
    }

    /// Not refused, and not left alone after it did not answer.
    private func usable(_ source: AgentSource) -> Bool {
        state.withLock { s in !s.distrusted.contains(source.name) && (s.downUntil[source.name] ?? .distantPast) <= clock.now() }
    }

    /// A source that did not answer is not asked again for `downPause`.
    private func leaveAlone(_ source: AgentSource) {
        state.withLock { $0.downUntil[source.name] = clock.now().addingTimeInterval(Self.downPause) }
    }

    private func answered(_ answer: ChunkClient.Answer) {
        switch answer {
        case .bytes, .notYet, .notThere: state.withLock { $0.lastAnswer = clock.now() }
        case .refusedKey, .down: break
        }
    }

    /// Fails the job when every source was refused, none has answered for `unanswered`, or
    /// nothing arrived for `giveUp`.
    private func checkGivingUp(what: String) throws {
        let (allDistrusted, idle, silent) = state.withLock { s in
            (job.sources.allSatisfy { s.distrusted.contains($0.name) }, clock.now().timeIntervalSince(s.lastProgress),
             clock.now().timeIntervalSince(s.lastAnswer))
        }
        let names = job.sources.map(\.name).joined(separator: ", ")
        if allDistrusted { throw AgentFailure("every source was refused: \(names)") }
        if silent > Self.unanswered { throw AgentFailure("no source answered for \(Int(Self.unanswered)) s (\(names)): \(what) is missing") }
        if idle > Self.giveUp { throw AgentFailure("no source sent \(what) in \(Int(Self.giveUp)) s") }
    }

    /// The index from the first source whose index has the SHA-256 the controller gave.
    private func fetchIndex() async throws -> ChunkIndex {
        while true {
            for source in job.sources where usable(source) {
                let answer = await client.get("\(source.endpoint)/v1/objects/\(sha256)/index")
                answered(answer)
                switch answer {
                case .bytes(let bytes):
                    guard ChunkClient.sha256(bytes) == job.indexSHA256, let index = ChunkIndex(decoding: bytes) else {
                        refuse(source.name, "sent a chunk index with another SHA-256 than the controller's")
                        continue
                    }
                    return index
                case .refusedKey: refuse(source.name, "refused the deployment key")
                case .down: leaveAlone(source)
                case .notYet, .notThere: continue
                }
            }
            try checkGivingUp(what: "the chunk index")
            try await clock.sleep(.milliseconds(500))
        }
    }
}

struct AgentFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Time for an assembly: the agent's is the system's; tests drive a virtual one.
struct AssemblyClock: Sendable {
    var now: @Sendable () -> Date
    var sleep: @Sendable (Duration) async throws -> Void

    static let system = AssemblyClock(now: { Date() }, sleep: { try await Task.sleep(for: $0) })
}
