// Benchmarks' Swift side: drives the transfer layer, the store and the service directly
// for scripts/bench-*. Each prints figures as `name=value` lines; none is a test.
//
//   vmib-bench upload --endpoint URL --bucket B --file F [--key K] [--part-size-mib N]
//                     [--multipart-threshold-mib N]
//   vmib-bench scale-seed --state-dir D [--versions N] [--replicas N]
//   vmib-bench scale-time --state-dir D --version X.Y.Z [--repeat N]
//   vmib-bench scrub-cost --state-dir D [--replicas K] [--kib N]
//   vmib-bench chunk-index --file F [--chunk-size-kib N] [--base F0]
// The scale commands take the topology from $VMIB_TOPOLOGY and the catalog from
// $VMIB_TOPOLOGY_DIR, as vmib does.
import Foundation

let arguments = BenchArguments(CommandLine.arguments.dropFirst())
do {
    switch arguments.command {
    case "upload": try await UploadBenchmark(arguments).run()
    case "scale-seed": try await ScaleBenchmark(arguments).seed()
    case "scale-time": try await ScaleBenchmark(arguments).time()
    case "scrub-cost": try await ScrubBenchmark(arguments).run()
    case "chunk-index": try ChunkIndexBenchmark(arguments).run()
    default:
        FileHandle.standardError.write(Data("vmib-bench: expected upload, scale-seed, scale-time, scrub-cost or chunk-index\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("vmib-bench: \(error)\n".utf8))
    exit(1)
}
