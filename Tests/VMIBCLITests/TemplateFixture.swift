import Foundation
import Testing
import VMIBTestSupport
import VMIBTransfer

/// An e2e setup for templates: a state directory with gallery G / image I, a real local
/// HTTP server serving busybox images, scripts and files, and a marketplace catalog that
/// points at it (so the libcurl download path runs).
final class TemplateFixture: @unchecked Sendable {
    let dir: URL
    let www: URL
    let port: Int
    let server: Process
    let vmib: VMIBProcess
    static let sub = "00000000-0000-0000-0000-000000000000"
    static let imageID = "/subscriptions/\(sub)/resourceGroups/vmib/providers/Microsoft.Compute/galleries/G/images/I"

    init(extraEnvironment: [String: String] = [:]) async throws {
        dir = try TestFiles.directory("vmib-template")
        www = dir.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        // Port 0: python reports the port it bound ("Serving HTTP on 127.0.0.1 port P (http://127.0.0.1:P/)").
        let httpOut = dir.appendingPathComponent("http.out")
        server = try ChildProcess.launch(["python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "0", "--directory", www.path],
                                         stdout: httpOut, stderr: dir.appendingPathComponent("http.err"))
        do {
            port = try await ReportedPort.read(from: httpOut, marker: "Serving HTTP on", process: server)
        } catch {
            ChildProcess.kill9(server)
            throw error
        }
        var env = ["VMIB_MARKETPLACE": dir.appendingPathComponent("marketplace.json").path]
        env.merge(extraEnvironment) { _, b in b }
        vmib = VMIBProcess(stateDirectory: dir.appendingPathComponent("state").path, environment: env)
        let gpt = try await make("gpt")
        try catalog([("gpt", "1.0.0", gpt)])
        try expectSuccess(await vmib.run("gallery", "create", "--name", "G"))
        try expectSuccess(await vmib.run("image", "create", "--gallery", "G", "--name", "I", "--os-type", "Linux",
                                         "--os-state", "Generalized", "--publisher", "P", "--offer", "O", "--sku", "S"))
    }

    /// The server stops and the directory goes (work disks, VHDs: a grown disk is a GiB).
    deinit {
        ChildProcess.kill9(server)
        try? FileManager.default.removeItem(at: dir)
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// A busybox image in the web root; returns its file name.
    func make(_ layout: String) async throws -> String {
        let name = "busybox-\(layout).img"
        let r = try await ChildProcess.run([RepositoryPaths.root.appendingPathComponent("scripts/make-busybox-image").path,
                                            www.appendingPathComponent(name).path, "--layout", layout])
        guard r.status == 0 else { throw CommandFailed(description: r.stderr) }
        return name
    }

    /// Writes the marketplace catalog: (sku, version, file in the web root).
    func catalog(_ entries: [(String, String, String)], sha256Override: String? = nil) throws {
        var items: [[String: Any]] = []
        for (sku, version, file) in entries {
            let path = www.appendingPathComponent(file).path
            let sha = try sha256Override ?? Self.sha256(path)
            items.append(["publisher": "vmib", "offer": "busybox", "sku": sku, "version": version, "url": "\(base)/\(file)",
                          "sha256": sha, "diskFormat": "raw", "osType": "Linux", "hyperVGeneration": "V2"])
        }
        let data = try JSONSerialization.data(withJSONObject: ["entries": items])
        try data.write(to: dir.appendingPathComponent("marketplace.json"))
    }

    func serve(_ name: String, _ text: String) throws -> (url: String, sha256: String) {
        let path = www.appendingPathComponent(name)
        try text.write(to: path, atomically: true, encoding: .utf8)
        return ("\(base)/\(name)", try Self.sha256(path.path))
    }

    static func sha256(_ path: String) throws -> String {
        try FileDigest.of(path).sha256
    }

    /// Writes a template body to a file and returns its path.
    func templateFile(_ name: String, _ body: [String: Any]) throws -> String {
        let url = dir.appendingPathComponent("\(name).json")
        try JSONSerialization.data(withJSONObject: body, options: [.prettyPrinted]).write(to: url)
        return url.path
    }

    static func body(source: [String: Any] = ["type": "PlatformImage", "publisher": "vmib", "offer": "busybox", "sku": "gpt", "version": "latest"],
                     customize: [[String: Any]], distribute: [[String: Any]], extra: [String: Any] = [:]) -> [String: Any] {
        var props: [String: Any] = ["source": source, "customize": customize, "distribute": distribute]
        props.merge(extra) { _, b in b }
        return ["type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2025-10-01", "location": "eastus",
                "tags": ["purpose": "test"], "properties": props]
    }

    static func sharedImage(_ name: String = "gallery", regions: [[String: Any]] = [["name": "eastus", "replicaCount": 1]],
                            versioning: [String: Any]? = nil) -> [String: Any] {
        var d: [String: Any] = ["type": "SharedImage", "runOutputName": name, "galleryImageId": imageID, "targetRegions": regions]
        if let versioning { d["versioning"] = versioning }
        return d
    }

    func showJSON(_ name: String) async throws -> [String: Any] {
        let r = try await vmib.run("template", "show", "--name", name, "--output", "json")
        return try r.json() as? [String: Any] ?? [:]
    }

    func lastRun(_ name: String) async throws -> [String: Any] {
        try await showJSON(name).properties["lastRunStatus"] as? [String: Any] ?? [:]
    }

    func versions() async throws -> String {
        try await vmib.run("version", "list", "--gallery", "G", "--image", "I").stdout
    }
}

/// The template e2e suites, one test at a time: each builds real images in namespaces and
/// starts HTTP servers; run side by side on 2 cores they starve the timing-sensitive tests
/// of other suites (rate limits, Retry-After dates).
@Suite(.serialized) enum TemplateCLISuites {}
