import ArgumentParser
import Foundation
import VMIBCore
import VMIBReplication
import VMIBService

struct VersionVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Re-verify a version's Completed replicas now and re-make the missing or corrupt ones.",
        discussion: """
            Each replica gets a HEAD (exists, size, ETag as recorded); --deep also reads it back and re-hashes it. \
            A replica found missing or corrupt goes back to Pending and is re-made from a verified replica in its \
            region (or uploaded); the command waits for that like `version wait`. Exits 1 when something could \
            not be checked or repaired.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @Flag(name: .customLong("deep"), help: "Also read every replica back and re-hash it (costs its size in reads).")
    var deep = false

    func run() async throws {
        let backend = try global.backend()
        let ref = try version.ref(backend)
        guard let service = backend as? VMIBService else {
            guard let remote = backend as? RemoteBackend else { return }
            // The server's controller checks and re-makes; this follows it like `version wait`.
            try await remote.requestVerification(ref, deep: deep)
            return try await ReplicationRun.follow(remote, ref, requeueFailed: false, output: global.output)
        }
        let progress = LiveProgress()
        let report = try await progress.watch(service, ref) {
            try await service.verify(ref, deep: deep, observer: progress)
        }
        let details = try service.details(ref)
        if global.output == .json {
            try JSONOutput.print(VerifyView(checks: report.findings.map(VerifyView.Check.init),
                                            version: VersionView(details.version, details: details)))
        } else {
            Terminal.out(Self.table(report.findings))
            Terminal.out("version \(ref.version) of \(ref.image.gallery.gallery)/\(ref.image.image): provisioningState \(details.version.provisioningState.rawValue)")
            Terminal.out(StatusTable.render(details.status))
        }
        let unchecked = report.findings.filter { if case .unchecked = $0.result { true } else { false } }
        let unrepaired = details.status.summary.filter { $0.state != .Completed }
        if !unchecked.isEmpty || !unrepaired.isEmpty {
            let parts = unchecked.map { "\($0.region) replica \($0.index) not checked" }
                + unrepaired.map { "\($0.region) \($0.state.rawValue) (\($0.details))" }
            throw CLIFailure(message: "version \(ref.version): " + parts.joined(separator: "; "), exitCode: 1)
        }
    }

    /// Per region: how many replicas were checked, how many held, and what was found.
    static func table(_ findings: [ScrubFinding]) -> String {
        var t = Table("REGION", "CHECK", "CHECKED", "VERIFIED", "REQUEUED", "FOUND")
        for region in Array(Set(findings.map(\.region))).sorted() {
            let mine = findings.filter { $0.region == region }
            let found = mine.compactMap { f -> String? in
                switch f.result {
                case .verified: nil
                case .requeued(let why): "replica \(f.index): \(why)"
                case .unchecked(let why): "replica \(f.index) not checked: \(why)"
                }
            }
            let requeued = mine.filter { if case .requeued = $0.result { true } else { false } }.count
            let verified = mine.filter { $0.result == .verified }.count
            t.add(region, mine.contains { $0.deep } ? "deep" : "head", "\(mine.count)", "\(verified)", "\(requeued)",
                  found.isEmpty ? "-" : found.joined(separator: "; "))
        }
        return t.rendered
    }
}

/// `version verify --output json`: what each check found, then the version as `version show` prints it.
struct VerifyView: Encodable {
    struct Check: Encodable {
        var region: String
        var index: Int
        var deep: Bool
        /// verified, requeued or unchecked.
        var result: String
        var found: String?
        init(_ f: ScrubFinding) {
            region = f.region; index = f.index; deep = f.deep
            switch f.result {
            case .verified: result = "verified"
            case .requeued(let why): result = "requeued"; found = why
            case .unchecked(let why): result = "unchecked"; found = why
            }
        }
    }
    var checks: [Check]
    var version: VersionView
}
