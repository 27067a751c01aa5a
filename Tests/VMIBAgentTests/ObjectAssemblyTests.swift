import Crypto
import Foundation
import Synchronization
import Testing
import VMIBCore
import VMIBTransfer
import VMIBWire
@testable import VMIBAgent

/// How an agent chooses among its sources, on virtual time: sources are scripted (a parent
/// that never gets a chunk, one that is down for a while, a liar, one that refuses the key),
/// the files are real.
@Suite struct ObjectAssemblyTests {
    static let chunk = 1 << 16

    /// A disk of three and a half chunks, its index, and a place to assemble and write it.
    struct Fixture {
        let dir: URL
        let disk: [UInt8]
        let index: ChunkIndex
        let sha256: String
        let clock = VirtualClock()

        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("vmib-assembly-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var generator = SystemRandomNumberGenerator()
            disk = (0..<(3 * ObjectAssemblyTests.chunk + 1000)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var indexer = ChunkIndexer(chunkSize: Int64(ObjectAssemblyTests.chunk))
            disk.withUnsafeBytes { indexer.update($0) }
            index = indexer.finalize()
            sha256 = Hex.encode(SHA256.hash(data: disk))
        }

        func chunkBytes(_ i: Int) -> [UInt8] {
            Array(disk[(i * ObjectAssemblyTests.chunk)..<min(disk.count, (i + 1) * ObjectAssemblyTests.chunk)])
        }

        /// Runs an assembly of the disk from `sources` (answered by `answer(source, path)`).
        func assemble(_ sources: [String], bytesPerSecond: Int64? = nil,
                      _ answer: @escaping @Sendable (String, String) -> ChunkClient.Answer) async -> AgentJobStatus {
            let job = AgentJob(size: Int64(disk.count), md5: Hex.encode(Insecure.MD5.hash(data: disk)), chunkSizeBytes: Int64(ObjectAssemblyTests.chunk),
                               indexSHA256: Hex.encode(SHA256.hash(data: index.encoded())),
                               sources: sources.map { AgentSource(name: $0, endpoint: "http://\($0)") },
                               writes: [AgentWrite(storageAccountType: "Standard_LRS", key: "v/replica-1")], bytesPerSecond: bytesPerSecond)
            let assembly = ObjectAssembly(sha256: sha256, job: job, local: LocalChunks(cacheDirectory: dir.appendingPathComponent("cache").path),
                                          client: Scripted(answer: answer), stores: [.Standard_LRS: DirectoryBlobStore(root: dir.appendingPathComponent("region").path)],
                                          keep: 2, clock: clock.assemblyClock)
            await assembly.run()
            return assembly.status
        }

        /// What an honest source answers for `path`.
        func honest(_ path: String) -> ChunkClient.Answer {
            if path.hasSuffix("/index") { return .bytes(index.encoded()) }
            guard let i = Int(path.split(separator: "/").last ?? "") else { return .notThere("?") }
            return .bytes(chunkBytes(i))
        }

        func written() -> [UInt8]? {
            FileManager.default.contents(atPath: dir.appendingPathComponent("region/v/replica-1").path).map { [UInt8]($0) }
        }

        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    struct Scripted: ChunkFetching {
        let answer: @Sendable (String, String) -> ChunkClient.Answer
        func get(_ url: String) async -> ChunkClient.Answer {
            let rest = url.dropFirst("http://".count)
            let source = String(rest.prefix { $0 != "/" })
            return answer(source, String(rest.dropFirst(source.count)))
        }
    }

    /// Virtual time: a sleep moves it on at once.
    final class VirtualClock: Sendable {
        let date = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        /// Every sleep asked for, in seconds.
        let sleeps = Mutex<[Double]>([])
        var elapsed: TimeInterval { date.withLock { $0.timeIntervalSince1970 - 1_800_000_000 } }
        var assemblyClock: AssemblyClock {
            AssemblyClock(now: { self.date.withLock { $0 } }, sleep: { d in
                let c = d.components
                let seconds = Double(c.seconds) + Double(c.attoseconds) / 1e18
                self.sleeps.withLock { $0.append(seconds) }
                self.date.withLock { $0 += seconds }
                await Task.yield()
            })
        }
    }

    @Test func aParentThatNeverGetsAChunkIsPassedOverAfterTheStallLimit() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let status = await f.assemble(["parent", "origin"]) { source, path in
            source == "parent" && path.contains("/chunks/") ? .notYet : f.honest(path)
        }
        #expect(status.state == .Completed, "\(status)")
        #expect(status.bytesBySource == ["origin": Int64(f.disk.count)])
        #expect(f.clock.elapsed >= ObjectAssembly.stallLimit && f.clock.elapsed < ObjectAssembly.stallLimit * 3, "\(f.clock.elapsed)")
        #expect(f.written() == f.disk)
    }

    @Test func aSourceThatDidNotAnswerIsLeftAloneForAWhileThenAskedAgain() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let calls = Mutex(0)
        let status = await f.assemble(["flaky", "empty"]) { source, path in
            if source == "empty" { return .notThere("NotThere") }
            // Down for its first answer, fine afterwards.
            return calls.withLock { $0 += 1; return $0 } == 1 ? .down("refused") : f.honest(path)
        }
        #expect(status.state == .Completed, "\(status)")
        #expect(status.bytesBySource == ["flaky": Int64(f.disk.count)])
        #expect(f.clock.elapsed >= ObjectAssembly.downPause, "asked again after \(f.clock.elapsed) s")
    }

    @Test func chunksThatDoNotMatchAreRefusedAndTheSenderReported() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let status = await f.assemble(["liar", "origin"]) { source, path in
            guard source == "liar", case .bytes(var bytes) = f.honest(path), path.contains("/chunks/") else { return f.honest(path) }
            bytes[0] ^= 1
            return .bytes(bytes)
        }
        #expect(status.state == .Completed)
        #expect(status.refused.map(\.source) == ["liar"] && status.refused[0].reason.contains("SHA-256"), "\(status.refused)")
        #expect(status.bytesBySource == ["origin": Int64(f.disk.count)])
        #expect(f.written() == f.disk)
    }

    @Test func aJobFailsWhenEverySourceIsRefused() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let status = await f.assemble(["a", "b"]) { source, path in
            source == "a" ? .refusedKey : (path.hasSuffix("/index") ? .bytes([1, 2, 3]) : f.honest(path))
        }
        #expect(status.state == .Failed)
        #expect(status.error?.contains("every source was refused: a, b") == true, "\(status.error ?? "")")
        #expect(Set(status.refused.map(\.source)) == ["a", "b"])
        #expect(f.written() == nil)
    }

    @Test func theRegionsBytesPerSecondPacesWhatTheAgentFetches() async throws {
        let f = try Fixture()
        defer { f.remove() }
        // Four chunks at one chunk a second: three of them wait for their turn (the other pauses
        // of an assembly are 0.5 s at most), and the last cannot start before 3 s have passed.
        let status = await f.assemble(["origin"], bytesPerSecond: Int64(Self.chunk)) { _, path in f.honest(path) }
        #expect(status.state == .Completed)
        #expect(f.clock.sleeps.withLock { $0 }.filter { $0 >= 1 }.count == 3)
        #expect(f.clock.elapsed >= 3)
        let unpaced = try Fixture()
        defer { unpaced.remove() }
        _ = await unpaced.assemble(["origin"]) { _, path in unpaced.honest(path) }
        #expect(unpaced.clock.sleeps.withLock { $0 }.filter { $0 >= 1 } == [])
    }

    @Test func aPacerSharesOneScheduleAndGivesIdleTimeAtMostASecond() {
        let pacer = LinkPacer()
        let t0 = Date(timeIntervalSince1970: 1_000)
        #expect(pacer.reserve(100, rate: 100, now: t0) == 0)
        #expect(pacer.reserve(100, rate: 100, now: t0) == 1)
        #expect(pacer.reserve(50, rate: 100, now: t0) == 2)
        // Ten idle seconds later: one second of burst, not ten.
        let later = t0.addingTimeInterval(12.5)
        #expect(pacer.reserve(100, rate: 100, now: later) == 0)
        #expect(pacer.reserve(100, rate: 100, now: later) == 0)
        #expect(pacer.reserve(100, rate: 100, now: later) == 1)
    }

    @Test func aJobFailsWhenNoSourceAnswers() async throws {
        let f = try Fixture()
        defer { f.remove() }
        let status = await f.assemble(["a", "b"]) { _, _ in .down("connection refused") }
        #expect(status.state == .Failed)
        #expect(status.error?.contains("no source answered for 30 s") == true, "\(status.error ?? "")")
        #expect(f.clock.elapsed >= ObjectAssembly.unanswered && f.clock.elapsed < ObjectAssembly.unanswered + 15)
    }
}
