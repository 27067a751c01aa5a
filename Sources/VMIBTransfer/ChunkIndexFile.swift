import Foundation
import VMIBCore

/// Where a disk's chunk index lives: beside its origin copy (`<origin>.chunks`), so it is
/// content-addressed like the copy (one index per disk, whichever versions share it).
public enum ChunkIndexFile {
    /// The index file of the origin copy at `origin`.
    public static func path(forOrigin origin: String) -> String { origin + ".chunks" }

    /// The index stored for the origin copy at `origin`; nil when there is none or it is
    /// not readable as one (a disk ingested before indexes existed).
    public static func read(forOrigin origin: String) -> ChunkIndex? {
        guard let data = FileManager.default.contents(atPath: path(forOrigin: origin)) else { return nil }
        return ChunkIndex(decoding: [UInt8](data))
    }

    /// Stores `index` for the origin copy at `origin` (written aside, then renamed into
    /// place, so a reader never sees half an index).
    public static func write(_ index: ChunkIndex, forOrigin origin: String) throws {
        let target = path(forOrigin: origin)
        let temp = target + ".partial-\(UUID().uuidString)"
        do {
            try Data(index.encoded()).write(to: URL(fileURLWithPath: temp))
        } catch {
            throw TransferError(code: .fatal, target: temp, message: "cannot write the chunk index: \(error)")
        }
        guard rename(temp, target) == 0 else {
            unlink(temp)
            throw TransferError(code: .fatal, target: target, message: "cannot store the chunk index: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the index of the origin copy at `origin`, if any.
    public static func remove(forOrigin origin: String) {
        _ = unlink(path(forOrigin: origin))
    }
}
