import Foundation
import Testing
import VMIBTestSupport

/// The CLI as a client: the same commands run embedded and against a live `vmib serve`
/// (HTTPS with a self-signed certificate, --insecure) print the same tables and JSON and exit
/// with the same codes.
@Suite struct ClientModeTests {
    @Test func sameCommandsSameOutputEmbeddedAndAgainstAServer() async throws {
        let dir = try TestFiles.directory("vmib-client")
        defer { try? FileManager.default.removeItem(at: dir) }
        let disk = dir.appendingPathComponent("disk.raw").resolvingSymlinksInPath().path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 300_000)
        let (tokens, tokenFile) = try await ServeTokens.write(in: dir, token: "client-token")
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let openssl = try await ChildProcess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                                  "-keyout", key, "-out", cert])
        try #require(openssl.status == 0, "\(openssl.stderr)")

        let server = VMIBProcess(stateDirectory: dir.appendingPathComponent("server-state").path)
        let served = try await server.serve(["--token-file", tokens, "--source-root", dir.path, "--tls-cert", cert, "--tls-key", key],
                                            stdout: dir.appendingPathComponent("serve.out"), stderr: dir.appendingPathComponent("serve.err"))
        let serve = served.process, port = served.port
        defer { ChildProcess.kill9(serve) }
        try await HTTPReadiness.wait(for: "https://127.0.0.1:\(port)/readyz")

        // Embedded, rollbacks record $USER; the server records the token's principal ("cli").
        let embedded = VMIBProcess(stateDirectory: dir.appendingPathComponent("embedded-state").path, environment: ["USER": "cli"])
        // A client: no state directory of its own is touched (a fresh one, checked empty at the end).
        let client = VMIBProcess(stateDirectory: dir.appendingPathComponent("client-state").path)
        let remote = ["--server", "https://127.0.0.1:\(port)", "--token-file", tokenFile, "--insecure"]

        let steps: [[String]] = [
            ["gallery", "create", "--name", "G", "--description", "shared"],
            ["gallery", "create", "--name", "G"],                                   // exists: 2
            ["gallery", "create", "--name", "bad!name"],                            // bad name: 2
            ["image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux", "--os-state", "Generalized",
             "--publisher", "P", "--offer", "O", "--sku", "S", "--output", "json"],
            ["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--disk", disk,
             "--target-region", "eastus=2", "--target-region", "westeurope=1"],
            ["version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--replication-status", "--output", "json"],
            ["version", "show", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--replication-status"],
            ["version", "update", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--target-region", "eastus=3",
             "--target-region", "northeurope=1", "--exclude-region-from-latest", "westeurope", "--output", "json"],
            ["version", "update", "--gallery", "G", "--image", "I", "--version", "1.0.0", "--target-region", "mars=1"],   // 2
            ["version", "wait", "--gallery", "G", "--image", "I", "--version", "1.0.0"],
            ["version", "publish", "--gallery", "G", "--image", "I", "--version", "1.1.0", "--disk", disk, "--target-region", "eastus=1"],
            ["version", "list", "--gallery", "G", "--image", "I"],
            ["version", "list", "--gallery", "G", "--image", "I", "--output", "json"],
            ["image", "latest", "--gallery", "G", "--image", "I"],
            ["image", "latest", "--gallery", "G", "--image", "I", "--region", "westeurope"],                          // none: 2
            ["image", "resolve", "--gallery", "G", "--image", "I", "--version", "latest", "--region", "eastus", "--output", "json"],
            ["image", "rollback", "--gallery", "G", "--image", "I"],                                                  // 1.0.0 is excluded in westeurope: 2
            ["image", "rollback", "--gallery", "G", "--image", "I", "--region", "eastus"],
            ["image", "latest", "--gallery", "G", "--image", "I", "--region", "eastus", "--output", "json"],
            ["image", "history", "--gallery", "G", "--image", "I"],
            ["image", "rollback", "--gallery", "G", "--image", "I", "--undo", "--output", "json"],
            ["image", "rollback", "--gallery", "G", "--image", "I", "--to", "7.7.7"],                                 // 2
            ["image", "history", "--gallery", "G", "--image", "I", "--output", "json"],
            ["version", "show", "--gallery", "G", "--image", "I", "--version", "9.9.9"],                               // 2
            ["image", "list", "--gallery", "G"],
            ["image", "show", "--gallery", "G", "--name", "I"],
            ["gallery", "list", "--output", "json"],
            ["gallery", "show", "--name", "G"],
            ["gallery", "delete", "--name", "G"],                                                                     // not empty: 2
            ["version", "delete", "--gallery", "G", "--image", "I", "--version", "1.0.0"],
            ["version", "delete", "--gallery", "G", "--image", "I", "--version", "1.1.0", "--output", "json"],
            ["version", "list", "--gallery", "G", "--image", "I"],
            ["image", "delete", "--gallery", "G", "--name", "I"],
            ["gallery", "delete", "--name", "G", "--output", "json"],
            ["gallery", "list"],
            // 35: the rest of the commands.
            ["regions", "list"],
            ["regions", "list", "--output", "json"],
            ["gallery", "create", "--name", "G2"],
            ["image", "create", "--gallery", "G2", "--name", "I2", "--os-type", "Linux", "--os-state", "Generalized",
             "--publisher", "P", "--offer", "O", "--sku", "S"],
            ["version", "publish", "--gallery", "G2", "--image", "I2", "--version", "1.0.0", "--disk", disk,
             "--target-region", "eastus=1", "--expected-deployments", "westeurope=50", "--output", "json"],                 // 39
            ["version", "publish", "--gallery", "G2", "--image", "I2", "--version", "2.0.0", "--disk", disk,
             "--expected-deployments", "eastus=0"],                                                                        // 2
            ["version", "update", "--gallery", "G2", "--image", "I2", "--version", "1.0.0", "--expected-deployments", "eastus=100",
             "--output", "json"],                                                                                           // 41
            ["version", "publish", "--gallery", "G2", "--image", "I2", "--version", "1.1.0", "--disk", disk, "--target-region", "eastus=1"],
            ["image", "rollback", "--gallery", "G2", "--image", "I2", "--to", "1.0.0"],
            ["version", "delete", "--gallery", "G2", "--image", "I2", "--version", "1.0.0"],                                 // rollback target: 2
            ["version", "delete", "--gallery", "G2", "--image", "I2", "--version", "1.0.0", "--force"],
            ["version", "deprecate", "--gallery", "G2", "--image", "I2", "--version", "1.1.0", "--state", "Retired"],        // 2
            ["version", "deprecate", "--gallery", "G2", "--image", "I2", "--version", "1.1.0", "--replacement", "9.9.9"],    // 2
            ["version", "deprecate", "--gallery", "G2", "--image", "I2", "--version", "1.1.0", "--state", "Obsolete"],       // 48
            ["image", "resolve", "--gallery", "G2", "--image", "I2", "--version", "1.1.0"],                                  // Obsolete: 2
            ["version", "reconcile", "--gallery", "G2", "--image", "I2", "--version", "1.1.0"],                              // 50
            ["version", "reconcile", "--gallery", "G2", "--image", "I2", "--version", "1.1.0", "--output", "json"],
            ["version", "list", "--gallery", "G2", "--image", "I2"],
        ]
        var codes: [Int32] = []
        var outputs: [String] = []
        for step in steps {
            let e = try await embedded.run(step)
            let r = try await client.run(step + remote)
            #expect(e.exitCode == r.exitCode, "\(step): embedded \(e.exitCode) \(e.stderr) / server \(r.exitCode) \(r.stderr)")
            #expect(Self.normalized(e.stdout) == Self.normalized(r.stdout),
                    "\(step):\n--- embedded\n\(e.stdout)\n--- server\n\(r.stdout)")
            codes.append(r.exitCode)
            outputs.append(r.stdout)
        }
        #expect(codes == [0, 2, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,
                          0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 2, 2, 0, 2, 0, 0, 0], "\(codes)")

        // What the server answered is what the commands are about, not just equal on both sides.
        #expect(outputs[13].trimmingCharacters(in: .whitespacesAndNewlines) == "1.1.0", "latest before the rollback")
        #expect(outputs[18].contains(#""name" : "1.0.0""#), "latest in eastus after the rollback: \(outputs[18])")
        #expect(outputs[19].contains("rollback") && outputs[19].contains("cli") && outputs[19].contains("eastus"), "history: \(outputs[19])")
        #expect(outputs[5].contains(#""aggregatedState" : "Completed""#) && outputs[5].contains("westeurope"))

        #expect(outputs[35].contains("westeurope") && outputs[35].contains("topology: "), "regions: \(outputs[35])")
        #expect(outputs[39].contains("50 expected deployments") && outputs[39].contains(#""regionalReplicaCount" : 3"#), "\(outputs[39])")
        #expect(outputs[41].contains(#""regionalReplicaCount" : 5"#), "eastus from 100 expected deployments: \(outputs[41])")
        #expect(outputs[48].contains("version 1.1.0 is Obsolete"), "\(outputs[48])")
        #expect(outputs[50].contains("Completed"), "\(outputs[50])")
        #expect(!outputs[52].contains("1.0.0") && outputs[52].contains("1.1.0"), "the forced delete removed 1.0.0: \(outputs[52])")
        // A wrong token is refused by the server: exit 2, nothing local.
        let stranger = VMIBProcess(stateDirectory: client.stateDirectory, environment: ["VMIB_TOKEN": "not-a-token"])
        let badToken = try await stranger.run(["gallery", "list", "--server", "https://127.0.0.1:\(port)", "--insecure"])
        #expect(badToken.exitCode == 2 && badToken.stderr.contains("token"), "\(badToken.stderr)")
        let noToken = try await client.run(["gallery", "list", "--server", "https://127.0.0.1:\(port)"])
        #expect(noToken.exitCode == 2 && noToken.stderr.contains("VMIB_TOKEN"))
        #expect(!FileManager.default.fileExists(atPath: client.stateDirectory + "/state.db"), "a client keeps no state")
    }

    /// Timestamps differ between two runs; everything else must not.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "<time>", options: .regularExpression)
    }
}
