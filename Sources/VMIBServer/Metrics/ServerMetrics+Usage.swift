import CoreMetrics
import VMIBCore
import VMIBService

/// The usage figures (`vmib usage`) as gauges, read from the store (every process's work,
/// this server's or a CLI's), per served subscription:
/// `vmib_usage_stored_bytes{subscription,region,storage_account_type}`,
/// `vmib_usage_stored_replicas{…}`, `vmib_usage_moved_bytes{subscription,from,to,in_region}`,
/// `vmib_usage_storage_operations{subscription,region}`, `vmib_usage_run_seconds{subscription,resource_group,template}`,
/// and with a price sheet `vmib_usage_estimate{subscription,currency,part}` (an estimate).
extension ServerMetrics {
    func recordUsage(service: VMIBService) {
        guard let reports = try? usageCensus.value(reading: {
            try service.configuration.subscriptions.map { ($0, try service.usage.report(subscription: $0, since: nil, by: .region)) }
        }) else { return }
        var series: [String: (String, [(String, String)], Double)] = [:]
        func set(_ label: String, _ dimensions: [(String, String)], _ value: Double) {
            series[label + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")] = (label, dimensions, value)
        }
        for (subscription, r) in reports {
            let s = ("subscription", subscription)
            for row in r.storage {
                let d = [s, ("region", row.region), ("storage_account_type", row.storageAccountType)]
                set("vmib_usage_stored_bytes", d, Double(row.bytes))
                set("vmib_usage_stored_replicas", d, Double(row.replicas))
            }
            for l in r.links {
                set("vmib_usage_moved_bytes", [s, ("from", l.from), ("to", l.to), ("in_region", l.inRegion ? "true" : "false")], Double(l.bytes))
            }
            for q in r.requests { set("vmib_usage_storage_operations", [s, ("region", q.region)], Double(q.requests)) }
            var runs: [String: (String, String, Double)] = [:]
            for b in r.builds { runs["\(b.resourceGroup)/\(b.template)", default: (b.resourceGroup, b.template, 0)].2 += b.minutes * 60 }
            for (rg, template, seconds) in runs.values {
                set("vmib_usage_run_seconds", [s, ("resource_group", rg), ("template", template)], seconds)
            }
            if let e = r.estimate {
                for (part, value) in [("storage_month", e.storagePerMonth), ("transfers", e.transfers), ("builds", e.builds), ("total", e.total)] {
                    set("vmib_usage_estimate", [s, ("currency", e.currency), ("part", part)], value)
                }
            }
        }
        // A series shown before and gone now (the last replica of a region deleted) reads 0,
        // not its last value.
        let gone = usageSeries.withLock { seen in
            let gone = seen.filter { series[$0.key] == nil }
            for (key, value) in series { seen[key] = (value.0, value.1) }
            return gone
        }
        for (label, dimensions) in gone.values { Gauge(label: label, dimensions: dimensions, factory: factory).record(0) }
        for (label, dimensions, value) in series.values { Gauge(label: label, dimensions: dimensions, factory: factory).record(value) }
    }
}
