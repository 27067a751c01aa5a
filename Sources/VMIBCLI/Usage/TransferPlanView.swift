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
}
