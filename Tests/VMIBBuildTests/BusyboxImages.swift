import Foundation
import VMIBTestSupport

/// Real small Linux images made by scripts/make-busybox-image, for build tests.
enum BusyboxImages {
    /// Makes an image with `layout` (whole, gpt, mbr, tar) in `dir`.
    static func make(_ layout: String, in dir: URL, sizeMiB: Int = 8) async throws -> String {
        let out = dir.appendingPathComponent("busybox-\(layout).img").path
        let r = try await ChildProcess.run([RepositoryPaths.root.appendingPathComponent("scripts/make-busybox-image").path,
                                            out, "--layout", layout, "--size", String(sizeMiB)])
        guard r.status == 0 else { throw TestFailure("make-busybox-image failed: \(r.stderr)") }
        return out
    }

    /// `debugfs -R 'cat PATH'` on the ext4 file system at `offset` of `disk`.
    static func cat(_ path: String, in disk: String, offset: Int64 = 0) async throws -> String {
        let spec = offset == 0 ? disk : "\(disk)?offset=\(offset)"
        var r = try await ChildProcess.run(["debugfs", "-R", "cat \(path)", spec])
        if offset != 0 && r.stdout.isEmpty {
            r = try await ChildProcess.run(["debugfs", "-o", "offset=\(offset)", "-R", "cat \(path)", disk])
        }
        return r.stdout
    }

    /// SHA-256 of `count` bytes at `offset` (for "the partition table is unchanged").
    static func digest(_ disk: String, offset: Int64, count: Int) throws -> Data {
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: disk))
        defer { try? h.close() }
        try h.seek(toOffset: UInt64(offset))
        return h.readData(ofLength: count)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
