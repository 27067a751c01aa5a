import Foundation
import Testing
import VMIBBuild
import VMIBTestSupport

/// A source disk that would make qemu-img read another file of the host is refused.
@Suite struct BackingFileTests {
    @Test func aQcow2WithABackingFileIsRefused() async throws {
        let dir = try TestFiles.directory("vmib-backing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let disk = dir.appendingPathComponent("x.qcow2").path
        let made = try await ChildProcess.run(["qemu-img", "create", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw", disk])
        try #require(made.status == 0, "\(made.stderr)")
        #expect(try DiskFormat.sniff(disk) == .qcow2)
        let error = await #expect(throws: BuildError.self) { try await DiskFormat.refuseBackingFile(disk, format: .qcow2) }
        #expect(error?.description.contains("/etc/hostname") == true, "\(String(describing: error))")
        // A self-contained qcow2 passes.
        let plain = dir.appendingPathComponent("plain.qcow2").path
        #expect(try await ChildProcess.run(["qemu-img", "create", "-f", "qcow2", plain, "1M"]).status == 0)
        try await DiskFormat.refuseBackingFile(plain, format: .qcow2)
    }

    @Test func aDifferencingVHDIsRefused() async throws {
        let dir = try TestFiles.directory("vmib-backing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixed = dir.appendingPathComponent("fixed.vhd").path
        #expect(try await ChildProcess.run(["qemu-img", "create", "-f", "vpc", "-o", "subformat=fixed", fixed, "1M"]).status == 0)
        try await DiskFormat.refuseBackingFile(fixed, format: .vhd)
        // The same disk with its footer's disk type set to 4 (differencing).
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixed)))
        let footer = bytes.count - 512
        bytes.replaceSubrange((footer + 60)..<(footer + 64), with: [0, 0, 0, 4])
        let differencing = dir.appendingPathComponent("diff.vhd").path
        try Data(bytes).write(to: URL(fileURLWithPath: differencing))
        let error = await #expect(throws: BuildError.self) { try await DiskFormat.refuseBackingFile(differencing, format: .vhd) }
        #expect(error?.description.contains("differencing") == true)
    }
}
