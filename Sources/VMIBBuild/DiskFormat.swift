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
}
