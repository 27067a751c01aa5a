import Crypto
import Foundation
import VMIBCore
import VMIBTransfer

/// Chunking and hashing as the ingest does it (`FileDigest.indexed`: the whole-disk SHA-256,
/// MD5 and every chunk's SHA-256 in one read, one thread), timed; with `--base`, also how
/// many bytes lie in chunks that differ from the base disk's.
///
///   vmib-bench chunk-index --file F [--chunk-size-kib 1024] [--base F0]
struct ChunkIndexBenchmark {
    let arguments: BenchArguments

    init(_ arguments: BenchArguments) { self.arguments = arguments }

    func run() throws {
        let file = arguments.string("file")
        let chunkSize = Int64(arguments.int("chunk-size-kib", default: 1024)) << 10
        guard ChunkIndex.isAllowed(chunkSize) else { BenchArguments.fail("--chunk-size-kib: a power of two from 64 to 65536") }
        let cpu0 = Self.cpuSeconds()
        let (seconds, (digest, index)) = try Measure.secondsSync { try FileDigest.indexed(file, chunkSize: chunkSize) }
        print("index_bytes=\(digest.size)")
        print("index_seconds=\(String(format: "%.3f", seconds))")
        print("index_cpu_seconds=\(String(format: "%.3f", Self.cpuSeconds() - cpu0))")
        print("chunks=\(index.chunkCount)")
        // The chunking and hashing alone (what an agent needs: the chunk index and the disk's
        // SHA-256), without the MD5 the ingest adds for S3 ETags.
        let (alone, _) = try Measure.secondsSync { try Self.indexAndSHA256(file, chunkSize: chunkSize) }
        print("index_sha256_seconds=\(String(format: "%.3f", alone))")
        if let base = Optional(arguments.string("base", default: "")), !base.isEmpty {
            let (_, baseIndex) = try FileDigest.indexed(base, chunkSize: chunkSize)
            print("changed_chunks=\(index.chunkCount - index.sharedChunks(with: baseIndex))")
            print("changed_bytes=\(index.changedBytes(from: baseIndex))")
        }
    }

    /// Every chunk's SHA-256 and the whole file's, in one read on one thread.
    static func indexAndSHA256(_ path: String, chunkSize: Int64) throws -> (ChunkIndex, SHA256.Digest) {
        guard let handle = FileHandle(forReadingAtPath: path) else { BenchArguments.fail("cannot read \(path)") }
        defer { try? handle.close() }
        var indexer = ChunkIndexer(chunkSize: chunkSize)
        var whole = SHA256()
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            data.withUnsafeBytes { indexer.update($0); whole.update(bufferPointer: $0) }
        }
        return (indexer.finalize(), whole.finalize())
    }

    /// CPU seconds this process used (user + system).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
