import Foundation
import Testing
import VMIBCore
import VMIBService

/// Runs carried out by the service in this process, where no VM is needed: the build
/// timeout's minute comes from the configuration, and a run whose worker died is ended
/// with its intermediates removed.
@Suite struct TemplateRunTests {
    static let vhdBody = #"""
        {"type": "Microsoft.VirtualMachineImages/imageTemplates", "location": "eastus",
         "properties": {"source": {"type": "PlatformImage", "publisher": "vmib", "offer": "busybox", "sku": "silent", "version": "latest"},
                        "buildTimeoutInMinutes": 1, "distribute": [{"type": "VHD", "runOutputName": "v"}]}}
        """#

    @Test func theBuildTimeoutsMinuteIsTheConfiguredOne() async throws {
        // A source server that accepts the connection and never answers.
        let silent = try SilentListener()
        defer { silent.close() }
        let f = try ServiceFixture {
            $0.buildMinute = .milliseconds(500)
            $0.environment["VMIB_MARKETPLACE"] = nil    // the state directory's catalog
        }
        defer { f.removeAll() }
        try #"{"entries": [{"publisher": "vmib", "offer": "busybox", "sku": "silent", "version": "1.0.0", "url": "http://127.0.0.1:\#(silent.port)/never.img", "sha256": "\#(String(repeating: "c", count: 64))", "diskFormat": "raw", "osType": "Linux", "hyperVGeneration": "V2"}]}"#
            .write(to: f.directory.appendingPathComponent("state/marketplace.json"), atomically: true, encoding: .utf8)
        let key = try f.key("silent")
        _ = try f.service.templates.create(CreateTemplateRequest(key: key, document: Self.vhdBody))

        let started = ContinuousClock.now
        let run = try f.service.runs.start(key)
        let ended = try await f.service.runs.execute(id: run.id)
        #expect(ended.state == .Failed, "\(ended)")
        #expect(ended.message.contains("build timeout of 1 minutes passed while fetching the source"), "\(ended.message)")
        // Well under one real minute, however busy the machine: the configured minute, not sixty seconds.
        #expect(ContinuousClock.now - started < .seconds(55), "half a second's minute, not sixty")
        #expect(try f.service.runs.log(key).text.contains("run \(run.id) of"))
        #expect(!FileManager.default.fileExists(atPath: run.staging + "/checkpoint.json"), "the intermediates are removed")
    }

    @Test func aRunWhoseWorkerDiedIsEndedAndItsIntermediatesRemoved() async throws {
        let f = try ServiceFixture()
        defer { f.removeAll() }
        let key = try f.key("orphan")
        _ = try f.service.templates.create(CreateTemplateRequest(key: key, document: Self.vhdBody))
        let run = try f.service.runs.startInBackground(key) { _ in ["sh", "-c", "echo worker started; exit 0"] }
        let worker = try #require(run.workerPID)
        #expect(worker != getpid())
        var status: Int32 = 0
        #expect(waitpid(worker, &status, 0) == worker)
        // What a killed worker leaves behind.
        for name in ["work.raw", "checkpoint.json", "vm.pid"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: run.staging + "/" + name))
        }

        let canceled = try f.service.runs.cancel(key)
        #expect(canceled.state == .Canceled && canceled.message == "canceled; the run's worker had already stopped", "\(canceled)")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: run.staging))
        #expect(left == ["customization.log", "worker.log"], "\(left)")
        #expect(try String(contentsOfFile: run.staging + "/worker.log", encoding: .utf8).contains("worker started"))

        // The next run of the template starts, and ends the same way when its worker is gone.
        let next = try f.service.runs.startInBackground(key) { _ in ["true"] }
        let nextWorker = try #require(next.workerPID)
        #expect(waitpid(nextWorker, &status, 0) == nextWorker)
        let third = try f.service.runs.start(key)
        #expect(try f.service.runs.get(id: next.id).state == .Failed)
        #expect(try f.service.runs.get(id: next.id).message == "the run's worker process stopped before the run ended")
        #expect(third.state == .Running && third.id != next.id)
    }
}

/// A TCP socket on loopback that accepts connections (the kernel's backlog) and never answers.
private struct SilentListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = fd
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { Glibc.close(fd); throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: addr.sin_port)
    }

    func close() { _ = Glibc.close(fd) }
}
