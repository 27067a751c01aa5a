import VMIBCore

/// A plan's bytes per link and, with a price sheet, its estimate, as lines for people.
enum TransferPlanView {
    static func lines(_ p: TransferPlan) -> [String] {
        var lines = ["bytes to move: \(p.movedBytes) over links (\(UsageView.human(p.movedBytes))), "
                     + "\(p.inRegionBytes) copied in-region (\(UsageView.human(p.inRegionBytes))); "
                     + "\(p.storedBytes) bytes stored once done (\(UsageView.human(p.storedBytes)))"]
        for l in p.links {
            lines.append("  \(l.inRegion ? "\(l.to) (in-region copy)" : "\(l.from) → \(l.to)"): \(l.bytes) bytes")
        }
        if let r = p.relay { lines += relayLines(r) }
        if let e = p.estimate {
            var parts = ["transfers \(UsageView.money(e.transfers, e.currency))",
                         "storage \(UsageView.money(e.storagePerMonth, e.currency))/month"]
            if let b = e.buildsAtMost { parts.append("build at most \(UsageView.money(b, e.currency))") }
            lines.append("ESTIMATE: \(UsageView.money(e.total, e.currency)) (" + parts.joined(separator: ", ") + "); \(e.note)")
            if !e.unpriced.isEmpty { lines.append("  not priced by the sheet (counted as 0): " + e.unpriced.joined(separator: "; ")) }
        } else {
            lines.append("no price sheet in the topology (\"prices\"): no estimate")
        }
        return lines
    }

    /// The relay tree, a chain per line, branches indented under their sender:
    /// `origin → eastus → eastus2`, then `       → westus (2.0 MB/s)` for a second child of the origin.
    static func relayLines(_ r: TransferPlan.Relay) -> [String] {
        let slower = r.regions.contains { $0.rateBytesPerSecond < r.rateBytesPerSecond }
        var head = "relay (\(r.shape)"
        if !r.regions.isEmpty {
            head += slower ? ", \(rate(r.rateBytesPerSecond)), slower where marked" : ", every region at \(rate(r.rateBytesPerSecond))"
            head += ", depth \(r.depth)"
            if let s = r.estimatedSeconds { head += ", about " + String(format: s < 10 ? "%.1f s" : "%.0f s", s) }
        }
        var lines = [head + "):"]
        let byName = Dictionary(r.regions.map { ($0.region, $0) }, uniquingKeysWith: { a, _ in a })
        func label(_ name: String) -> String {
            guard let region = byName[name], region.rateBytesPerSecond < r.rateBytesPerSecond else { return name }
            return "\(name) (\(rate(region.rateBytesPerSecond)))"
        }
        func subtree(_ name: String) -> [String] {
            let own = label(name)
            var out: [String] = []
            for (k, kid) in r.regions.filter({ $0.parent == name }).map(\.region).enumerated() {
                let below = subtree(kid)
                out.append((k == 0 ? own : String(repeating: " ", count: own.count)) + " → " + below[0])
                out += below.dropFirst().map { String(repeating: " ", count: own.count + 3) + $0 }
            }
            return out.isEmpty ? [own] : out
        }
        if !r.regions.isEmpty { lines += subtree(RelayPlan.origin).map { "  " + $0 } }
        for e in r.excluded { lines.append("  \(e.region): \(e.reason)") }
        for w in r.withoutAgent { lines.append("  \(w): fed by the origin over its storage (no agent)") }
        if !r.regions.isEmpty { lines.append("  about the time: \(r.note)") }
        return lines
    }

    /// Decimal, as the topology's rates are written: 8000000 is 8.0 MB/s.
    static func rate(_ bytesPerSecond: Int64) -> String {
        let v = Double(bytesPerSecond)
        for (unit, scale) in [("GB/s", 1e9), ("MB/s", 1e6), ("kB/s", 1e3)] where v >= scale {
            return String(format: "%.1f %@", v / scale, unit)
        }
        return "\(bytesPerSecond) B/s"
    }
}
