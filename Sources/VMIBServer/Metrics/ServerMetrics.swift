import CoreMetrics
import Foundation
import Prometheus
import Synchronization
import VMIBCore
import VMIBService

/// The server's metrics, in its own Prometheus registry (swift-metrics API over
/// swift-prometheus), rendered in the text format at /metrics.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// Replicas by region and state (one grouped query), read at most once per second.
    let replicaCensus: ExpiringValue<[String: [Replica.State: Int]]>
    /// Regions the census showed before: one whose last replica went is reported as 0, not
    /// left at its last count.
    private let censusRegions = Mutex<Set<String>>([])
    /// The usage figures per served subscription, read at most once per `censusMaxAge`.
    let usageCensus: ExpiringValue<[(String, UsageReport)]>
    /// Usage series shown before (label and dimensions by key), so one that is gone reads 0.
    let usageSeries = Mutex<[String: (String, [(String, String)])]>([:])

    /// - Parameters:
    ///   - censusMaxAge: how old the replica census on /metrics may be.
    ///   - now: the time (tests move it).
    public init(censusMaxAge: Duration = .seconds(1),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
        replicaCensus = ExpiringValue(maxAge: censusMaxAge, now: now)
        usageCensus = ExpiringValue(maxAge: censusMaxAge, now: now)
    }

    func countRequest(route: String, method: String, status: Int) {
        Counter(label: "vmib_api_requests_total", dimensions: [("route", route), ("method", method), ("status", "\(status)")],
                factory: factory).increment()
    }

    func transferred(bytes: Int64, region: String) {
        guard bytes > 0 else { return }
        Counter(label: "vmib_replication_bytes_total", dimensions: [("region", region)], factory: factory).increment(by: bytes)
    }

    func retried(region: String, cause: String) {
        Counter(label: "vmib_replication_retries_total", dimensions: [("region", region), ("cause", cause)], factory: factory).increment()
    }

    func transferFinished(region: String, state: String, seconds: Double) {
        Timer(label: "vmib_replica_transfer_duration_seconds", dimensions: [("region", region), ("state", state)], factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func runStarted() {
        Counter(label: "vmib_build_runs_started_total", factory: factory).increment()
    }

    func runEnded(state: String) {
        Counter(label: "vmib_build_runs_ended_total", dimensions: [("state", state)], factory: factory).increment()
    }

    /// The text format, after refreshing the gauges read from the store.
    public func render(service: VMIBService) -> String {
        if let census = try? replicaCensus.value(reading: { try service.versions.replicaCensus() }) {
            let regions = censusRegions.withLock { seen in
                seen.formUnion(census.keys)
                return seen
            }
            for region in regions {
                for state in Replica.State.allCases {
                    Gauge(label: "vmib_replicas", dimensions: [("region", region), ("state", state.rawValue)], factory: factory)
                        .record(census[region]?[state] ?? 0)
                }
            }
        }
        // Build runs by state (every run recorded, whoever started it: this server or a CLI).
        if let runs = try? service.runs.census() {
            for state in RunState.allCases {
                Gauge(label: "vmib_build_runs", dimensions: [("state", state.rawValue)], factory: factory).record(runs[state] ?? 0)
            }
        }
        recordUsage(service: service)
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
