import Foundation
import VMIBCore
import VMIBTransfer

/// The objects an agent has assembled and verified, in its cache directory
/// (`objects/<sha256>` with `objects/<sha256>.chunks`): what later versions' chunks are
/// copied from instead of crossing a link, and what it serves to others after its job ended.
struct LocalChunks: Sendable {
    let directory: String

    init(cacheDirectory: String) { directory = cacheDirectory + "/objects" }

    func path(_ sha256: String) -> String { "\(directory)/\(sha256)" }
    func partialPath(_ sha256: String) -> String { "\(directory)/\(sha256).partial" }

    /// The index of a complete object held here.
    func index(of sha256: String) -> ChunkIndex? {
        guard FileManager.default.fileExists(atPath: path(sha256)) else { return nil }
        return ChunkIndexFile.read(forOrigin: path(sha256))
    }

    /// Every complete object's chunks by digest (other than `except`): where to read each.
    func catalog(except sha256: String) -> [ArraySlice<UInt8>: (path: String, offset: Int64, length: Int64)] {
        var found: [ArraySlice<UInt8>: (path: String, offset: Int64, length: Int64)] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasSuffix(".chunks") {
            let object = String(name.dropLast(".chunks".count))
            guard object != sha256, !object.contains("."), let index = self.index(of: object) else { continue }
            for i in 0..<index.chunkCount {
                let digest = index.digests[i * 32..<(i + 1) * 32]
                if found[digest] == nil {
                    found[digest] = (path(object), Int64(i) * index.chunkSize, index.chunkLength(i))
                }
            }
        }
        return found
    }

    /// Reads `length` bytes at `offset` of the file at `path`; nil when it cannot.
    static func read(_ path: String, offset: Int64, length: Int64) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            guard n > 0 else { return nil }
            done += n
        }
        return bytes
    }
}

extension LocalChunks {
    /// Keeps the `keep` most recently completed objects (and their indexes); removes the rest.
    func evict(keep: Int) {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.contains(".") }
        let dated = names.compactMap { name -> (String, Date)? in
            guard let d = (try? fm.attributesOfItem(atPath: path(name)))?[.modificationDate] as? Date else { return nil }
            return (name, d)
        }.sorted { $0.1 > $1.1 }
        for (name, _) in dated.dropFirst(max(keep, 1)) {
            unlink(path(name))
            ChunkIndexFile.remove(forOrigin: path(name))
        }
    }
}
