import CoreMetrics
import Foundation
import Prometheus
import VMIBCore
import VMIBService

/// The server's metrics, in its own Prometheus registry (swift-metrics API over
/// swift-prometheus), rendered in the text format at /metrics.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
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
        if let census = try? service.replicaCensus() {
            for (region, states) in census {
                for state in Replica.State.allCases {
                    Gauge(label: "vmib_replicas", dimensions: [("region", region), ("state", state.rawValue)], factory: factory)
                        .record(states[state] ?? 0)
                }
            }
        }
        // Build runs by state (every run recorded, whoever started it: this server or a CLI).
        if let runs = try? service.templateRunCensus() {
            for state in RunState.allCases {
                Gauge(label: "vmib_build_runs", dimensions: [("state", state.rawValue)], factory: factory).record(runs[state] ?? 0)
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
