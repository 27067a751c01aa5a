import Foundation
import Testing
import VMIBTestSupport

/// The real `vmib serve` carrying out an image template run: SIGTERM in the middle of it
/// leaves the run Running with a checkpoint, and the next start resumes it to Succeeded,
/// publishing exactly one gallery version (also after a kill -9). A user's cancel still ends
/// the run Canceled, and a restart leaves it so.
@Suite(.serialized) struct TemplateResumeTests {
    @Test func sigtermDuringCustomizingThenRestartRebuildsOnAFreshDiskAndSucceeds() async throws {
        let d = try await Deployment(layout: "tar", bytesPerSecond: 0)
        defer { d.removeAll() }
        var server = try await d.serve(1)
        defer { ChildProcess.kill9(server) }
        try await d.createGalleryImageAndTemplate(customize: ["echo stamp >> /etc/stamp", "sleep 8"])
        #expect(try await curl("POST", d.template("/run")).status == 202)

        // The customizer runs in the build VM (it writes its stamp, then sleeps).
        let run = try await d.waitForRun { $0["runSubState"] as? String == "Customizing" }
        let staging = try #require(run["stagingArea"] as? String)
        try await waitUntil("the customizer runs in the build VM", timeout: .seconds(120)) { d.log(staging).contains("start customizer 'slow'") }

        try await d.stop(server)
        #expect(d.serverLog(1).contains("template runs stopped"))
        // Not Failed, not ended: Running again from the queue, with its checkpoint.
        let stopped = try await d.lastRunOffline()
        #expect(stopped["runState"] as? String == "Running", "\(stopped)")
        #expect(stopped["runSubState"] as? String == "Queued", "\(stopped)")
        #expect((stopped["message"] as? String ?? "").contains("interrupted by server shutdown during Customizing"), "\(stopped)")
        #expect(stopped["endTime"] == nil)
        #expect(d.log(staging).contains("killed the build VM while running customizer 'slow' (Shell): the server is shutting down"))

        server = try await d.serve(2)
        let ended = try await d.waitForRun(seconds: 90) { $0["runState"] as? String != "Running" }
        #expect(ended["runState"] as? String == "Succeeded", "\(ended)")
        let log = d.log(staging)
        #expect(log.contains("resuming run"), "\(log)")
        #expect(log.contains("from checkpoint started"), "\(log)")
        #expect(log.components(separatedBy: "start customizer 'slow'").count - 1 == 2, "the customizer ran again: \(log)")

        let vhd = try await d.checkOutputsAndOneVersion()
        // A fresh work disk: the first attempt's stamp is gone, the image holds one line.
        let stamp = try await ChildProcess.run(["debugfs", "-R", "cat /etc/stamp", vhd]).stdout
        #expect(stamp == "stamp\n", "\(stamp)")
        try await d.stop(server)
    }

    @Test func sigtermDuringDistributingThenRestartWaitsForTheSameVersionWithoutRebuilding() async throws {
        // 2 MB/s: the 8 MiB VHD takes about 4 s to replicate, long enough to be interrupted.
        let d = try await Deployment(layout: "whole", bytesPerSecond: 2_000_000)
        defer { d.removeAll() }
        var server = try await d.serve(1)
        defer { ChildProcess.kill9(server) }
        try await d.createGalleryImageAndTemplate(customize: ["echo stamp >> /etc/stamp"])
        #expect(try await curl("POST", d.template("/run")).status == 202)
        let run = try await d.waitForRun { $0["runSubState"] as? String == "Distributing" }
        let staging = try #require(run["stagingArea"] as? String)
        try await waitUntil("version 1.0.0 is replicating") { try await d.replicaBytes() > 0 }

        try await d.stop(server)
        let stopped = try await d.lastRunOffline()
        #expect(stopped["runState"] as? String == "Running", "\(stopped)")
        #expect((stopped["message"] as? String ?? "").contains("interrupted by server shutdown during Distributing"), "\(stopped)")
        #expect(try await d.replicationState() == "InProgress", "the shutdown interrupted the replication")

        server = try await d.serve(2)
        let ended = try await d.waitForRun(seconds: 90) { $0["runState"] as? String != "Running" }
        #expect(ended["runState"] as? String == "Succeeded", "\(ended)")
        let log = d.log(staging)
        #expect(log.contains("resuming run") && log.contains("from checkpoint published"), "\(log)")
        #expect(log.contains("not building again") && log.contains("not packaging again"), "\(log)")
        #expect(log.contains("version 1.0.0 was published by this run before the interruption"), "\(log)")
        #expect(log.components(separatedBy: "start customizer 'slow'").count - 1 == 1, "not rebuilt: \(log)")
        _ = try await d.checkOutputsAndOneVersion()
        let metrics = try await curl("GET", d.base + "/metrics").text
        #expect(metrics.contains("vmib_build_runs_resumed_total 1"), "\(metrics)")
        #expect(metrics.contains(#"vmib_build_runs_ended_total{state="Succeeded"} 1"#), "\(metrics)")
        try await d.stop(server)
    }

    @Test func killDashNineDuringCustomizingThenRestartResumesOnAFreshDisk() async throws {
        let d = try await Deployment(layout: "tar", bytesPerSecond: 0)
        defer { d.removeAll() }
        var server = try await d.serve(1)
        defer { ChildProcess.kill9(server) }
        try await d.createGalleryImageAndTemplate(customize: ["echo stamp >> /etc/stamp", "sleep 8"])
        #expect(try await curl("POST", d.template("/run")).status == 202)
        let run = try await d.waitForRun { $0["runSubState"] as? String == "Customizing" }
        let staging = try #require(run["stagingArea"] as? String)
        try await waitUntil("the customizer runs in the build VM", timeout: .seconds(120)) { d.log(staging).contains("start customizer 'slow'") }
        let vm = try #require(pid_t((try? String(contentsOfFile: staging + "/vm.pid", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        ChildProcess.kill9(server)

        server = try await d.serve(2)
        let ended = try await d.waitForRun(seconds: 120) { $0["runState"] as? String != "Running" }
        #expect(ended["runState"] as? String == "Succeeded", "\(ended)")
        let log = d.log(staging)
        #expect(log.contains("resuming run") && log.contains("from checkpoint started"), "\(log)")
        // The killed server's build VM does not outlive the restart (libguestfs or vmib stops it).
        #expect(!Self.running(vm))
        let vhd = try await d.checkOutputsAndOneVersion()
        let stamp = try await ChildProcess.run(["debugfs", "-R", "cat /etc/stamp", vhd]).stdout
        #expect(stamp == "stamp\n", "\(stamp)")
        try await d.stop(server)
    }

    @Test func aUsersCancelStillEndsCanceledAndARestartDoesNotResumeIt() async throws {
        let d = try await Deployment(layout: "whole", bytesPerSecond: 0)
        defer { d.removeAll() }
        var server = try await d.serve(1)
        defer { ChildProcess.kill9(server) }
        try await d.createGalleryImageAndTemplate(customize: ["sleep 30"])
        #expect(try await curl("POST", d.template("/run")).status == 202)
        let run = try await d.waitForRun { $0["runSubState"] as? String == "Customizing" }
        let staging = try #require(run["stagingArea"] as? String)
        try await waitUntil("the customizer runs in the build VM", timeout: .seconds(120)) { d.log(staging).contains("start customizer 'slow'") }
        #expect(try await curl("POST", d.template("/cancel")).status == 202)
        let canceled = try await d.waitForRun { $0["runState"] as? String != "Running" && $0["runState"] as? String != "Canceling" }
        #expect(canceled["runState"] as? String == "Canceled", "\(canceled)")
        #expect(d.log(staging).contains("killed the build VM while running customizer 'slow' (Shell): the run was canceled"))

        try await d.stop(server)
        // The restarted server decides which runs to resume before it listens (adoptAbandonedRuns),
        // and a resumed run is Running again in the store: no need to wait and see.
        server = try await d.serve(2)
        let after = try await d.waitForRun { _ in true }
        #expect(after["runState"] as? String == "Canceled", "\(after)")
        #expect(!d.log(staging).contains("resuming run"))
        try await d.stop(server)
    }

    /// Alive and not a zombie.
    static func running(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}

/// A state directory, a one-region topology (optionally rate-limited), a marketplace
/// catalog whose busybox image is a local file, and `vmib serve` on a loopback port.
private final class Deployment: @unchecked Sendable {
    let dir: URL
    /// The port the running server reported (each start binds port 0 and learns its own).
    private(set) var port = 0
    let tokens: String
    let vmib: VMIBProcess
    var base: String { "http://127.0.0.1:\(port)" }
    static let sub = ServerFixture.subscription
    static let imageID = "/subscriptions/\(sub)/resourceGroups/rg1/providers/Microsoft.Compute/galleries/g1/images/i1"

    init(layout: String, bytesPerSecond: Int) async throws {
        dir = try TestFiles.directory("vmib-resume")
        let image = dir.appendingPathComponent("busybox-\(layout).img").path
        let made = try await ChildProcess.run([RepositoryPaths.root.appendingPathComponent("scripts/make-busybox-image").path,
                                               image, "--layout", layout])
        guard made.status == 0 else { throw ImageNotMade(description: made.stderr) }
        let sha = try await TestFiles.sha256(image)
        let catalog = #"{"entries":[{"publisher":"vmib","offer":"busybox","sku":"\#(layout)","version":"1.0.0","url":"file://\#(image)","sha256":"\#(sha)","diskFormat":"raw","osType":"Linux","hyperVGeneration":"V2"}]}"#
        let marketplace = dir.appendingPathComponent("marketplace.json").path
        try catalog.write(toFile: marketplace, atomically: true, encoding: .utf8)
        let topology = dir.appendingPathComponent("topology.json").path
        try #"{"name":"resume","regions":[{"name":"eastus","storage":{"Standard_LRS":{"kind":"directory","path":"regions/eastus"}},"limits":{"concurrentTransfers":1,"bytesPerSecond":\#(bytesPerSecond),"requestsPerSecond":0}}]}"#
            .write(toFile: topology, atomically: true, encoding: .utf8)
        tokens = dir.appendingPathComponent("tokens.json").path
        try ServerFixture.tokensJSON.write(toFile: tokens, atomically: true, encoding: .utf8)
        vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, topology: topology,
                           environment: ["VMIB_MARKETPLACE": marketplace])
        self.layout = layout
    }

    let layout: String

    func removeAll() { try? FileManager.default.removeItem(at: dir) }

    /// Starts server `n` on port 0 and waits until it reports its port and is ready.
    func serve(_ n: Int) async throws -> Process {
        let served = try await vmib.serve(["--token-file", tokens],
                                          stdout: dir.appendingPathComponent("out\(n)"), stderr: dir.appendingPathComponent("err\(n)"))
        port = served.port
        try await HTTPReadiness.wait(for: "\(base)/readyz")
        return served.process
    }

    /// SIGTERM; the server must exit 0. What it stopped (a killed customizer, a run left
    /// Running) is checked through the logs and the store, not through how long it took.
    func stop(_ server: Process) async throws {
        kill(server.processIdentifier, SIGTERM)
        try await waitUntil("vmib serve exits on SIGTERM") { !server.isRunning }
        #expect(server.terminationStatus == 0)
    }

    func serverLog(_ n: Int) -> String {
        (try? String(contentsOf: dir.appendingPathComponent("err\(n)"), encoding: .utf8)) ?? ""
    }

    func log(_ staging: String) -> String {
        (try? String(contentsOfFile: staging + "/customization.log", encoding: .utf8)) ?? ""
    }

    func template(_ suffix: String = "") -> String {
        "\(base)/subscriptions/\(Self.sub)/resourceGroups/rg1/providers/Microsoft.VirtualMachineImages/imageTemplates/t1\(suffix)?api-version=2025-10-01"
    }

    var image: String { "\(base)\(ServerFixture.base())/g1/images/i1" }

    func createGalleryImageAndTemplate(customize lines: [String]) async throws {
        #expect(try await curl("PUT", "\(base)\(ServerFixture.base())/g1?api-version=2025-03-03", #"{"location":"eastus"}"#).status == 201)
        #expect(try await curl("PUT", image + "?api-version=2025-03-03", ServerFixture.imageBody).status == 201)
        let inline = String(decoding: try JSONSerialization.data(withJSONObject: lines), as: UTF8.self)
        let body = #"{"location":"eastus","properties":{"source":{"type":"PlatformImage","publisher":"vmib","offer":"busybox","sku":"\#(layout)","version":"latest"},"customize":[{"type":"Shell","name":"slow","inline":\#(inline)}],"distribute":[{"type":"SharedImage","runOutputName":"gallery","galleryImageId":"\#(Self.imageID)","targetRegions":[{"name":"eastus","replicaCount":1}]},{"type":"VHD","runOutputName":"vhd"}]}}"#
        let created = try await curl("PUT", template(), body)
        #expect(created.status == 201, "\(created.text)")
    }

    /// Polls GET template until its lastRunStatus satisfies `done`.
    func waitForRun(seconds: Int = 60, _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<(seconds * 10) {
            last = (try await curl("GET", template()).json["properties"] as? [String: Any])?["lastRunStatus"] as? [String: Any] ?? [:]
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the run did not get there: \(last)")
        return last
    }

    /// The last run as the embedded CLI reads it from the state directory (no server runs).
    func lastRunOffline() async throws -> [String: Any] {
        let r = try await vmib.run("template", "show", "--name", "t1", "--resource-group", "rg1", "--output", "json")
        return ((try? r.json()) as? [String: Any]).flatMap { ($0["properties"] as? [String: Any])?["lastRunStatus"] as? [String: Any] } ?? [:]
    }

    func versionStatus() async throws -> [String: Any] {
        try await curl("GET", image + "/versions/1.0.0?api-version=2025-03-03&$expand=ReplicationStatus").json["properties"] as? [String: Any] ?? [:]
    }

    func replicaBytes() async throws -> Int {
        let replicas = ((try await versionStatus()["vmib"] as? [String: Any])?["replicas"] as? [[String: Any]]) ?? []
        return replicas.compactMap { $0["bytesDone"] as? Int }.reduce(0, +)
    }

    /// The replication's aggregated state, read from the state directory (no server runs).
    func replicationState() async throws -> String {
        let r = try await vmib.run("version", "show", "--gallery", "g1", "--image", "i1", "--version", "1.0.0", "--resource-group", "rg1",
                                   "--replication-status", "--output", "json")
        let json = (try? r.json()) as? [String: Any] ?? [:]
        return ((json["replicationStatus"] as? [String: Any]) ?? ((json["properties"] as? [String: Any])?["replicationStatus"] as? [String: Any]))?["aggregatedState"] as? String ?? "?"
    }

    /// Both run outputs Succeeded; exactly one gallery version, 1.0.0, Completed, its one
    /// replica the same bytes as the VHD output. Returns the VHD output's path.
    func checkOutputsAndOneVersion() async throws -> String {
        let outputs = try await curl("GET", template("/runOutputs")).json["value"] as? [[String: Any]] ?? []
        let props = Dictionary(outputs.compactMap { o in (o["name"] as? String).map { ($0, o["properties"] as? [String: Any] ?? [:]) } }) { a, _ in a }
        #expect(Set(props.keys) == ["gallery", "vhd"], "\(outputs)")
        #expect(props["gallery"]?["provisioningState"] as? String == "Succeeded")
        #expect(props["gallery"]?["artifactId"] as? String == Self.imageID + "/versions/1.0.0", "\(outputs)")
        #expect(props["vhd"]?["provisioningState"] as? String == "Succeeded")
        let vhd = String((props["vhd"]?["artifactUri"] as? String ?? "").dropFirst("file://".count))
        #expect(FileManager.default.fileExists(atPath: vhd), "\(outputs)")

        let versions = try await curl("GET", image + "/versions?api-version=2025-03-03").json["value"] as? [[String: Any]] ?? []
        #expect(versions.compactMap { $0["name"] as? String } == ["1.0.0"], "exactly one version: \(versions)")
        try await waitUntil("version 1.0.0 is Completed") {
            (try await versionStatus()["replicationStatus"] as? [String: Any])?["aggregatedState"] as? String == "Completed"
        }
        let region = dir.appendingPathComponent("state/regions/eastus").path
        let replicas = FileManager.default.enumerator(atPath: region)?.compactMap { $0 as? String }.filter { $0.hasSuffix("replica-1") } ?? []
        #expect(replicas.count == 1, "\(replicas)")
        if let r = replicas.first, !vhd.isEmpty {
            #expect(try await TestFiles.sha256(region + "/" + r) == (try await TestFiles.sha256(vhd)))
        }
        return vhd
    }
}

private struct ImageNotMade: Error, CustomStringConvertible { var description: String }
