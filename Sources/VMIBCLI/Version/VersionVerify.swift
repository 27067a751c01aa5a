import ArgumentParser
import Foundation
import VMIBCore
import VMIBWire
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
        let (checked, end) = try await backend.verify(ref, deep: deep, progress: LiveProgress())
        // A server's controller checked on its own pass: report it like `version wait`.
        guard let findings = checked, case .settled(let details) = end else {
            return try await ReplicationRun.report(end, backend, ref, output: global.output)
        }
        if global.output == .json {
            try JSONOutput.print(VerifyView(checks: findings.map(VerifyView.Check.init),
                                            version: VersionResource(details.version, for: .cli, details: details)))
        } else {
            Terminal.out(Self.table(findings))
            Terminal.out("version \(ref.version) of \(ref.image.gallery.gallery)/\(ref.image.image): provisioningState \(details.version.provisioningState.rawValue)")
            Terminal.out(StatusTable.render(details.status))
        }
        let unchecked = findings.filter { if case .unchecked = $0.result { true } else { false } }
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
    var version: VersionResource
}
