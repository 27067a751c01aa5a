import Foundation

/// Passes progress on at most every `interval`, so a fast transfer does not flood its
/// observer (which may persist it) with a call per chunk.
struct ProgressThrottle {
    private let report: @Sendable (Int64) -> Void
    private let interval: TimeInterval
    private var last = Date.distantPast

    init(interval: TimeInterval = 0.25, _ report: @escaping @Sendable (Int64) -> Void) {
        self.interval = interval
        self.report = report
    }

    mutating func update(_ total: Int64) {
        let now = Date()
        guard now.timeIntervalSince(last) >= interval else { return }
        last = now
        report(total)
    }
}
