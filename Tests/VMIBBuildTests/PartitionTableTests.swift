import Foundation
import Testing
import VMIBBuild

/// A disk's partition table is untrusted input: numbers that do not fit are refused with a
/// clear error, never converted into a trap.
@Suite struct PartitionTableTests {
    /// A 1 MiB disk with a protective MBR and a GPT header whose fields are given.
    func gptDisk(entriesLBA: UInt64 = 2, count: UInt32 = 128, entrySize: UInt32 = 128,
                 entry: (first: UInt64, last: UInt64)? = nil) throws -> String {
        var disk = [UInt8](repeating: 0, count: 1 << 20)
        disk[446 + 4] = 0xEE
        disk[510] = 0x55; disk[511] = 0xAA
        func put(_ value: UInt64, at: Int, bytes: Int) { for i in 0..<bytes { disk[at + i] = UInt8((value >> (8 * UInt64(i))) & 0xFF) } }
        disk.replaceSubrange(512..<520, with: Array("EFI PART".utf8))
        put(entriesLBA, at: 512 + 72, bytes: 8)
        put(UInt64(count), at: 512 + 80, bytes: 4)
        put(UInt64(entrySize), at: 512 + 84, bytes: 4)
        if let entry {
            let at = 1024
            disk[at] = 1
            put(entry.first, at: at + 32, bytes: 8)
            put(entry.last, at: at + 40, bytes: 8)
        }
        let path = NSTemporaryDirectory() + "vmib-gpt-\(UUID().uuidString).raw"
        FileManager.default.createFile(atPath: path, contents: Data(disk))
        return path
    }

    /// The malformed headers, by what is wrong with them.
    enum Malformed: String, CaseIterable, Sendable {
        case entrySize2To31, entriesLBA2To63, entriesPastTheDisk, entryLBAs2To63, entryEndsBeforeItStarts

        func disk(_ t: PartitionTableTests) throws -> String {
            switch self {
            case .entrySize2To31: try t.gptDisk(entrySize: 1 << 31)
            case .entriesLBA2To63: try t.gptDisk(entriesLBA: 1 << 63)
            case .entriesPastTheDisk: try t.gptDisk(entriesLBA: 1 << 40)
            case .entryLBAs2To63: try t.gptDisk(entry: (first: 1 << 63, last: UInt64.max))
            case .entryEndsBeforeItStarts: try t.gptDisk(entry: (first: 100, last: 10))
            }
        }
    }

    @Test(arguments: Malformed.allCases)
    func refusesAMalformedGPTWithAClearError(_ malformed: Malformed) throws {
        let path = try malformed.disk(self)
        defer { unlink(path) }
        let error = #expect(throws: BuildError.self, "\(malformed)") { try PartitionTable.findRoot(path) }
        #expect(error?.description.contains("GPT") == true, "\(malformed): \(String(describing: error))")
    }
}
