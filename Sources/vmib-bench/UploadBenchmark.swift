import Foundation
import Synchronization
import VMIBTransfer

/// One upload through vmib's transfer layer (`S3BlobStore.upload`, uncapped, single
/// stream), as the controller runs it: the digest is known beforehand (the origin recorded
/// it at publish), so it is computed first and timed apart.
struct UploadBenchmark {
    let arguments: BenchArguments

    init(_ arguments: BenchArguments) { self.arguments = arguments }

    func run() async throws {
        let file = arguments.string("file")
        guard let endpoint = URL(string: arguments.string("endpoint")) else { BenchArguments.fail("--endpoint is not a URL") }
        var config = S3Config(endpoint: endpoint, bucket: arguments.string("bucket"),
                              accessKey: arguments.string("access-key", default: "AKIAVMIBTEST"),
                              secretKey: arguments.string("secret-key", default: "vmibsecretkey"))
        if let mib = Int(arguments.string("part-size-mib", default: "0")), mib > 0 { config.partSize = Int64(mib) << 20 }
        if let mib = Int(arguments.string("multipart-threshold-mib", default: "0")), mib > 0 {
            config.multipartThreshold = Int64(mib) << 20
        }
        let signing = arguments.string("payload-signing", default: "auto")
        guard let mode = S3Config.PayloadSigning(rawValue: signing) else {
            BenchArguments.fail("--payload-signing: '\(signing)' is not allowed; allowed: auto, always, never")
        }
        config.payloadSigning = mode
        let store = S3BlobStore(config: config)
        let (hashSeconds, digest) = try await Measure.seconds { try FileDigest.of(file) }
        // When the last byte was handed to the network: the rest is the server finishing the
        // object (for multipart, CompleteMultipartUpload assembling the parts).
        let lastByte = Mutex<ContinuousClock.Instant?>(nil)
        let cpuBefore = Measure.cpuSeconds()
        let start = ContinuousClock.now
        let (seconds, info) = try await Measure.seconds {
            try await store.upload(file: file, to: arguments.string("key", default: "bench/upload"), digest: digest,
                                   resume: nil, pacer: nil, onCheckpoint: { _ in },
                                   progress: { sent in
                                       if sent >= digest.size { lastByte.withLock { $0 = $0 ?? ContinuousClock.now } }
                                   })
        }
        if let last = lastByte.withLock({ $0 }) {
            let d = last - start
            Measure.report("last_byte_seconds", String(format: "%.3f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18))
        }
        guard info.size == digest.size else { BenchArguments.fail("stored \(info.size) bytes, sent \(digest.size)") }
        Measure.report("bytes", digest.size)
        Measure.report("hash_seconds", String(format: "%.3f", hashSeconds))
        Measure.report("upload_seconds", String(format: "%.3f", seconds))
        Measure.report("upload_cpu_seconds", String(format: "%.3f", Measure.cpuSeconds() - cpuBefore))
        Measure.report("peak_rss_kib", Measure.peakResidentKiB())
    }
}
