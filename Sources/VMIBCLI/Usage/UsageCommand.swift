import ArgumentParser
import Foundation
import VMIBCore

extension UsageGrouping: ExpressibleByArgument {}

/// `vmib usage`: what the regions store, what moved over each link, the storage operations
/// per region and the run minutes per template; with a price sheet, an estimate.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Show stored and moved bytes, storage operations and run minutes (and an estimate, with a price sheet).",
        discussion: """
            Stored bytes are what the regions hold now (Completed replicas × size). Moved bytes, \
            operations and run minutes are counted as the work happens, since --since if given. \
            With "prices" in the topology, an estimate is added: one month of what is stored now \
            plus the moves and runs counted. It is an estimate from the operator's prices, not a bill.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Count moves and runs from this date on (ISO 8601: 2027-12-31 or 2027-12-31T00:00:00Z).") var since: String?
    @Option(help: "Summary rows per region, image or template.") var by: UsageGrouping = .region
    @Option(name: .customLong("resource-group"), help: "Only this resource group.") var resourceGroup: String?

    func run() async throws {
        let since = try self.since.map { try ISO8601.parse($0, field: .named("--since")) }
        let report = try await global.backend().usage(since: since, by: by, resourceGroup: resourceGroup)
        if global.output == .json { return try JSONOutput.print(report) }
        Terminal.out(UsageView.render(report))
    }
}

/// `vmib usage` as tables for people.
enum UsageView {
    static func render(_ r: UsageReport) -> String {
        var out: [String] = []
        var storage = Table("REGION", "STORAGE TYPE", "REPLICAS", "BYTES STORED", "")
        for s in r.storage { storage.add(s.region, s.storageAccountType, "\(s.replicas)", "\(s.bytes)", human(s.bytes)) }
        out.append("stored now (Completed replicas × size): \(r.storedBytes) bytes (\(human(r.storedBytes)))")
        out.append(storage.rendered)
        let period = r.since.map { "since \(ISO8601.format($0))" } ?? "ever recorded"
        var links = Table("FROM", "TO", "KIND", "TRANSFERS", "BYTES MOVED", "")
        for l in r.links {
            links.add(l.from, l.to, l.inRegion ? "in-region copy" : "link", "\(l.transfers)", "\(l.bytes)", human(l.bytes))
        }
        out.append("\nmoved \(period): \(r.movedBytes) bytes over links (\(human(r.movedBytes))), "
                   + "\(r.inRegionBytes) bytes copied in-region (\(human(r.inRegionBytes)))")
        out.append(links.rendered)
        var requests = Table("REGION", "STORAGE OPERATIONS")
        for q in r.requests { requests.add(q.region, "\(q.requests)") }
        out.append("\nstorage operations \(period):")
        out.append(requests.rendered)
        var builds = Table("TEMPLATE", "RUN", "REGION", "MINUTES", "ENDED")
        for b in r.builds {
            builds.add("\(b.resourceGroup)/\(b.template)", b.runID, b.region ?? "", String(format: "%.2f", b.minutes), ISO8601.format(b.endedAt))
        }
        out.append("\nrun minutes \(period): " + String(format: "%.2f", r.buildMinutes))
        out.append(builds.rendered)
        let priced = r.estimate != nil
        var groups = priced ? Table(r.by.rawValue.uppercased(), "REPLICAS", "BYTES STORED", "BYTES MOVED", "IN-REGION BYTES",
                                    "OPERATIONS", "RUNS", "RUN MINUTES", "ESTIMATE")
                            : Table(r.by.rawValue.uppercased(), "REPLICAS", "BYTES STORED", "BYTES MOVED", "IN-REGION BYTES",
                                    "OPERATIONS", "RUNS", "RUN MINUTES")
        for g in r.groups {
            var cells = [g.key, "\(g.replicas)", "\(g.storedBytes)", "\(g.movedBytes)", "\(g.inRegionBytes)", "\(g.requests)",
                         "\(g.runs)", String(format: "%.2f", g.buildMinutes)]
            if let e = g.estimate { cells.append(money(e, r.estimate!.currency)) }
            groups.add(cells)
        }
        out.append("\nby \(r.by.rawValue):")
        out.append(groups.rendered)
        if let e = r.estimate {
            out.append("\nESTIMATE (\(e.note)):")
            out.append("  storage, one month: \(money(e.storagePerMonth, e.currency))")
            out.append("  transfers:          \(money(e.transfers, e.currency))")
            out.append("  run minutes:        \(money(e.builds, e.currency))")
            out.append("  total (estimate):   \(money(e.total, e.currency))")
            if !e.unpriced.isEmpty { out.append("  not priced by the sheet (counted as 0): " + e.unpriced.joined(separator: "; ")) }
        } else {
            out.append("\nno price sheet in the topology (\"prices\"): no estimate")
        }
        return out.joined(separator: "\n")
    }

    static func human(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes), i = 0
        while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
        return i == 0 ? "\(bytes) B" : String(format: "%.1f %@", v, units[i])
    }

    static func money(_ amount: Double, _ currency: String) -> String {
        String(format: "%.4f %@", amount, currency)
    }
}
