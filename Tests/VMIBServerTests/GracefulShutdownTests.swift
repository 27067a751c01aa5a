import Foundation
import Testing
import VMIBServer
import VMIBTestSupport

/// The real `vmib serve`: SIGTERM during a publish stops the transfer at a checkpoint and
/// exits; a restart finishes the publish from the store.
@Suite struct GracefulShutdownTests {
    @Test func sigtermDuringPublishThenRestartFinishesIt() async throws {
        let dir = try TestFiles.directory("vmib-sigterm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let disk = dir.appendingPathComponent("disk.raw").path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 6_000_000)
        // 1.5 MB/s: the upload takes about 4 s, long enough to be interrupted.
        let topology = dir.appendingPathComponent("topology.json").path
        try #"{"name":"slow","regions":[{"name":"eastus","storage":{"Standard_LRS":{"kind":"directory","path":"regions/eastus"}},"limits":{"concurrentTransfers":1,"bytesPerSecond":1500000,"requestsPerSecond":0}}]}"#
            .write(toFile: topology, atomically: true, encoding: .utf8)
        let tokens = dir.appendingPathComponent("tokens.json").path
        try ServerFixture.tokensJSON.write(toFile: tokens, atomically: true, encoding: .utf8)
        let vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, topology: topology)
        let port = try LoopbackPort.free()
        let base = "http://127.0.0.1:\(port)"
        let gallery = "\(base)\(ServerFixture.base())/g1"

        func serve(_ n: Int) async throws -> Process {
            let p = try vmib.launch(["serve", "--port", "\(port)", "--token-file", tokens, "--source-root", dir.path],
                                    stdout: dir.appendingPathComponent("out\(n)"), stderr: dir.appendingPathComponent("err\(n)"))
            // (A `for … where` would go on calling curl after the server is ready.)
            for _ in 0..<200 {
                if try await curl("GET", "\(base)/readyz").status == 200 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            return p
        }
        var server = try await serve(1)
        defer { ChildProcess.kill9(server) }
        #expect(try await curl("PUT", gallery + "?api-version=2025-03-03", #"{"location":"eastus"}"#).status == 201)
        #expect(try await curl("PUT", gallery + "/images/i1?api-version=2025-03-03", ServerFixture.imageBody).status == 201)
        let version = gallery + "/images/i1/versions/1.0.0?api-version=2025-03-03"
        let body = #"{"location":"eastus","properties":{"publishingProfile":{"targetRegions":[{"name":"eastus"}]},"storageProfile":{"source":{"uri":"\#(disk)"}}}}"#
        #expect(try await curl("PUT", version, body).status == 201)

        func bytesDone() async throws -> (Int, String) {
            let r = try await curl("GET", version + "&$expand=ReplicationStatus")
            let props = r.json["properties"] as? [String: Any]
            let replicas = ((props?["vmib"] as? [String: Any])?["replicas"] as? [[String: Any]]) ?? []
            let state = (props?["replicationStatus"] as? [String: Any])?["aggregatedState"] as? String ?? ""
            return (replicas.compactMap { $0["bytesDone"] as? Int }.reduce(0, +), state)
        }
        for _ in 0..<100 {
            if try await bytesDone().0 > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await bytesDone().0 > 0)

        let start = ContinuousClock.now
        kill(server.processIdentifier, SIGTERM)
        for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning, "vmib serve exits on SIGTERM")
        #expect(ContinuousClock.now - start < .seconds(3), "it stops the transfer at a checkpoint instead of finishing it")
        #expect(server.terminationStatus == 0)
        let log = (try? String(contentsOf: dir.appendingPathComponent("err1"), encoding: .utf8)) ?? ""
        #expect(log.contains("replication stopped"))
        #expect(!log.contains("admin-token"))

        server = try await serve(2)
        var state = ""
        for _ in 0..<300 {
            state = try await bytesDone().1
            if state == "Completed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state == "Completed")
        let replica = dir.appendingPathComponent("state/regions/eastus").path
        let files = FileManager.default.enumerator(atPath: replica)?.compactMap { $0 as? String }.filter { $0.hasSuffix("replica-1") } ?? []
        #expect(files.count == 1)
        if let f = files.first { #expect(try await TestFiles.sha256(replica + "/" + f) == (try await TestFiles.sha256(disk))) }
        kill(server.processIdentifier, SIGTERM)
        for _ in 0..<100 where server.isRunning { try await Task.sleep(for: .milliseconds(50)) }
    }
}

/// curl as the HTTP client of live-server tests (an independent implementation).
func curl(_ method: String, _ url: String, _ body: String? = nil, token: String = "admin-token") async throws -> Reply {
    var args = ["curl", "-s", "-k", "-X", method, "-H", "Authorization: Bearer \(token)", "-w", "\n%{http_code}", url]
    if let body { args += ["-H", "Content-Type: application/json", "--data-binary", body] }
    let out = try await ChildProcess.run(args).stdout
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
    return Reply(status: Int(lines.last ?? "") ?? 0, headers: [:], text: lines.dropLast().joined(separator: "\n"))
}
