import Foundation
import Testing
import VMIBBuild
import VMIBTestSupport

/// A run's checkpoint.json: what it records survives a reload, a missing or corrupt file
/// is an empty checkpoint, and an artifact counts only while it is in place at its size.
@Suite struct RunCheckpointTests {
    @Test func recordsPhasesAcrossAReloadAndWritesNoTemporaryFiles() throws {
        let dir = try TestFiles.directory("vmib-checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = RunCheckpointFile(staging: dir.path)
        #expect(file.value == RunCheckpoint() && file.value.phase == "started")
        try file.update { $0.attempts += 1 }
        let disk = dir.appendingPathComponent("work.raw").path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 3 << 20 | 100)
        let built = try builtImage(over: disk)
        try file.update {
            $0.built = built
            $0.source = .init(type: "PlatformImage", exact: "vmib:busybox:gpt:1.0.0", exactVersion: "1.0.0", osType: "Linux")
        }
        #expect(file.value.phase == "built")
        try file.update { $0.published["gallery"] = "1.0.0" }

        let reloaded = RunCheckpointFile(staging: dir.path).value
        #expect(reloaded == file.value)
        #expect(reloaded.phase == "published" && reloaded.attempts == 1 && reloaded.published == ["gallery": "1.0.0"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["checkpoint.json", "work.raw"])
    }

    @Test func aBuiltDiskCountsAtItsSizeOrRoundedUpToAMiBAndNotOtherwise() throws {
        let dir = try TestFiles.directory("vmib-checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let disk = dir.appendingPathComponent("work.raw")
        try TestFiles.random(disk, bytes: 3 << 20 | 100)
        var c = RunCheckpoint()
        c.built = try builtImage(over: disk.path)
        #expect(c.builtDiskIfPresent() != nil)
        try FileHandle(forWritingTo: disk).truncate(atOffset: 4 << 20)    // packaging's MiB alignment
        #expect(c.builtDiskIfPresent() != nil)
        try FileHandle(forWritingTo: disk).truncate(atOffset: 1 << 20)    // cut short
        #expect(c.builtDiskIfPresent() == nil)
        try FileManager.default.removeItem(at: disk)
        #expect(c.builtDiskIfPresent() == nil)

        c.vhd = .init(path: dir.appendingPathComponent("image.vhd").path, sizeBytes: 10)
        #expect(c.vhdIfPresent() == nil)
        try Data(count: 10).write(to: dir.appendingPathComponent("image.vhd"))
        #expect(c.vhdIfPresent() != nil)
    }

    @Test func aMissingOrCorruptCheckpointIsEmpty() throws {
        let dir = try TestFiles.directory("vmib-checkpoint")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(RunCheckpointFile(staging: dir.path).value == RunCheckpoint())
        try "{\"attempts\":".write(toFile: dir.appendingPathComponent("checkpoint.json").path, atomically: true, encoding: .utf8)
        #expect(RunCheckpointFile(staging: dir.path).value == RunCheckpoint())
    }
}

/// A built image record over `disk`, its whole size the root file system (the checkpoint
/// needs the record, not a real file system).
private func builtImage(over disk: String) throws -> BuiltImage {
    let size = RunCheckpoint.size(of: disk) ?? 0
    let json = #"{"disk":"\#(disk)","sizeBytes":\#(size),"sourceFormat":"raw","root":{"scheme":"whole disk","partition":0,"offset":0,"size":\#(size)}}"#
    return try JSONDecoder().decode(BuiltImage.self, from: Data(json.utf8))
}
