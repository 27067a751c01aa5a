import Foundation

/// The container a source image comes in, recognised by its content, not its name.
public enum DiskFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case raw, vhd, qcow2, tar, tarGz = "tar.gz"

    /// Recognises qcow2 (magic `QFI\xfb`), VHD (a `conectix` footer at the end, or its copy
    /// at the start of a dynamic VHD), gzip (assumed a tarball), a ustar header, else raw.
    public static func sniff(_ path: String) throws -> DiskFormat {
        guard let h = FileHandle(forReadingAtPath: path) else { throw BuildError(.source, "cannot read \(path)") }
        defer { try? h.close() }
        let head = h.readData(ofLength: 512)
        let size = (try? h.seekToEnd()) ?? 0
        var foot = Data()
        if size >= 512 { try? h.seek(toOffset: size - 512); foot = h.readData(ofLength: 512) }
        return sniff(head: head, foot: foot)
    }

    static func sniff(head: Data, foot: Data) -> DiskFormat {
        let h = [UInt8](head), f = [UInt8](foot)
        if h.starts(with: [0x51, 0x46, 0x49, 0xFB]) { return .qcow2 }
        let conectix = Array("conectix".utf8)
        if f.starts(with: conectix) || h.starts(with: conectix) { return .vhd }
        if h.starts(with: [0x1F, 0x8B]) { return .tarGz }
        if h.count >= 262, Array(h[257..<262]) == Array("ustar".utf8) { return .tar }
        return .raw
    }

    public var isTarball: Bool { self == .tar || self == .tarGz }

    /// Refuses a disk that would make qemu-img read another file: a qcow2 with a backing
    /// file (it could name any file on the host, e.g. /etc/shadow) or a differencing VHD
    /// (disk type 4 in its footer: it has a parent).
    /// - Throws: `BuildError(.source)` naming what the disk points at.
    public static func refuseBackingFile(_ path: String, format: DiskFormat, deadline: ContinuousClock.Instant? = nil) async throws {
        switch format {
        case .qcow2:
            let text = try await Subprocess.run(["qemu-img", "info", "--output=json", "-f", "qcow2", path], deadline: deadline)
            let info = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            if let backing = info["backing-filename"] as? String ?? info["full-backing-filename"] as? String {
                throw BuildError(.source, "the qcow2 source has a backing file ('\(backing)'); vmib builds only self-contained disks")
            }
        case .vhd:
            guard let h = FileHandle(forReadingAtPath: path) else { throw BuildError(.source, "cannot read \(path)") }
            defer { try? h.close() }
            let size = (try? h.seekToEnd()) ?? 0
            guard size >= 512 else { return }
            try? h.seek(toOffset: size - 512)
            var footer = [UInt8](h.readData(ofLength: 512))
            if !footer.starts(with: Array("conectix".utf8)) {
                try? h.seek(toOffset: 0)
                footer = [UInt8](h.readData(ofLength: 512))
            }
            guard footer.count >= 64 else { return }
            let diskType = footer[60..<64].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if diskType == 4 {
                throw BuildError(.source, "the VHD source is a differencing disk (it has a parent disk); vmib builds only fixed or dynamic VHDs")
            }
        case .raw, .tar, .tarGz:
            return
        }
    }
}
