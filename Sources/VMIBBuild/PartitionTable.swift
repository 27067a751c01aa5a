import Foundation

/// Finds the ext2/3/4 root file system of a raw disk: on the whole disk, or on an MBR or
/// GPT partition. Only reads; the partition table and boot code are never written.
public enum PartitionTable {
    public enum Scheme: String, Sendable, Codable { case none = "whole disk", mbr = "MBR", gpt = "GPT" }

    public struct RootFileSystem: Sendable, Hashable, Codable {
        public var scheme: Scheme
        /// 1-based partition number; 0 for a whole-disk file system.
        public var partition: Int
        public var offset: Int64
        public var size: Int64
    }

    struct Partition { var number: Int; var offset: Int64; var size: Int64; var isRootType: Bool }

    static let ext4Magic: [UInt8] = [0x53, 0xEF]
    static let linuxRootX64 = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709"

    /// - Throws: `BuildError(.source)` when no ext file system is found.
    public static func findRoot(_ path: String) throws -> RootFileSystem {
        guard let h = FileHandle(forReadingAtPath: path) else { throw BuildError(.source, "cannot read \(path)") }
        defer { try? h.close() }
        let size = Int64((try? h.seekToEnd()) ?? 0)
        func read(_ offset: Int64, _ count: Int) -> [UInt8] {
            guard offset >= 0, offset < size else { return [] }
            try? h.seek(toOffset: UInt64(offset))
            return [UInt8](h.readData(ofLength: count))
        }
        func isExt(_ offset: Int64) -> Bool { Array(read(offset + 1080, 2)) == ext4Magic }

        let mbr = read(0, 512)
        guard mbr.count == 512, mbr[510] == 0x55, mbr[511] == 0xAA else {
            if isExt(0) { return RootFileSystem(scheme: .none, partition: 0, offset: 0, size: size) }
            throw BuildError(.source, "no ext2/3/4 root file system found: neither the whole disk nor a partition table (MBR/GPT) holds one")
        }
        var parts: [Partition] = []
        var scheme = Scheme.mbr
        let types = (0..<4).map { mbr[446 + $0 * 16 + 4] }
        if types.contains(0xEE) {
            scheme = .gpt
            let header = read(512, 92)
            guard header.count == 92, Array(header[0..<8]) == Array("EFI PART".utf8) else {
                throw BuildError(.source, "protective MBR without a GPT header")
            }
            // Every number from the header is checked before it is converted or multiplied: a
            // disk is untrusted input (an LBA ≥ 2^63 or an entry size of 2^31 must not trap).
            let sectors = UInt64(size / 512)
            let entriesLBA = le(header, 72, 8), count = le(header, 80, 4), entrySize = le(header, 84, 4)
            guard entrySize >= 128, entrySize <= 4096, entrySize % 128 == 0, count <= 1024, entriesLBA < sectors else {
                throw BuildError(.source, "malformed GPT header: partition entries at LBA \(entriesLBA), \(count) of \(entrySize) bytes (allowed: an LBA inside the disk, at most 1024 entries of 128…4096 bytes, a multiple of 128)")
            }
            let table = read(Int64(entriesLBA) * 512, Int(count * entrySize))
            for i in 0..<Int(count) where (i + 1) * Int(entrySize) <= table.count {
                let e = Array(table[(i * Int(entrySize))..<(i * Int(entrySize) + 128)])
                guard e[0..<16].contains(where: { $0 != 0 }) else { continue }
                let first = le(e, 32, 8), last = le(e, 40, 8)
                guard first <= last, last < sectors else {
                    throw BuildError(.source, "malformed GPT entry \(i + 1): LBAs \(first)…\(last) outside the disk's \(sectors) sectors")
                }
                parts.append(Partition(number: i + 1, offset: Int64(first) * 512, size: Int64(last - first + 1) * 512,
                                       isRootType: guid(e) == linuxRootX64))
            }
        } else {
            for i in 0..<4 {
                let e = Array(mbr[(446 + i * 16)..<(446 + i * 16 + 16)])
                let start = Int64(le(e, 8, 4)), count = Int64(le(e, 12, 4))
                guard e[4] != 0, count > 0 else { continue }
                parts.append(Partition(number: i + 1, offset: start * 512, size: count * 512, isRootType: false))
            }
        }
        let ext = parts.filter { isExt($0.offset) }
        guard let root = ext.first(where: \.isRootType) ?? ext.max(by: { $0.size < $1.size }) else {
            throw BuildError(.source, "no ext2/3/4 file system on any of the \(parts.count) \(scheme.rawValue) partitions")
        }
        return RootFileSystem(scheme: scheme, partition: root.number, offset: root.offset, size: root.size)
    }

    static func le(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
        (0..<n).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(b[at + $1]) }
    }

    /// A GPT GUID in its canonical text form (mixed-endian).
    static func guid(_ e: [UInt8]) -> String {
        let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
        let hex = order.map { String(format: "%02X", e[$0]) }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }
}
