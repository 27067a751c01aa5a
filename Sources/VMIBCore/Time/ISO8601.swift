import Foundation

/// ISO 8601 dates, UTC, written and read the one way vmib does everywhere (CLI, API, logs).
///
/// Formatting goes through `Date.ISO8601FormatStyle` values made once: making an
/// `ISO8601DateFormatter` per date costs about 46 µs, and a version with its replicas has a
/// dozen dates. Parsing shares formatters behind a lock, as `ISO8601DateFormatter` is a class.
public enum ISO8601 {
    private static let whole = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `2027-12-31T00:00:00Z`, as `ISO8601DateFormatter` writes it by default.
    public static func format(_ date: Date) -> String { date.formatted(whole) }

    /// `2027-12-31T00:00:00.123Z`: with milliseconds, as Azure writes resource dates.
    public static func formatFractional(_ date: Date) -> String { date.formatted(fractional) }

    /// A date-time with a zone, with or without fractional seconds; nil for anything else.
    public static func date(from text: String) -> Date? {
        parsers.withLock { p in p.whole.date(from: text) ?? p.fractional.date(from: text) }
    }

    /// A date as people write one: a date-time (as `date(from:)`) or a plain date, which is
    /// midnight UTC.
    /// - Throws: `DomainError.invalid(field, …)` for anything else.
    public static func parse(_ text: String, field: Field) throws -> Date {
        if let d = date(from: text) { return d }
        if text.count == 10, let d = parsers.withLock({ $0.day.date(from: text) }) { return d }
        throw DomainError.invalid(field, "'\(text)' is not an ISO 8601 date; expected e.g. 2027-12-31 or 2027-12-31T00:00:00Z")
    }

    private static let parsers = Parsers()

    private final class Parsers: @unchecked Sendable {
        private let lock = NSLock()
        let whole = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()

        init() {
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            day.formatOptions = [.withFullDate]
        }

        func withLock<T>(_ body: (Parsers) -> T) -> T {
            lock.lock(); defer { lock.unlock() }
            return body(self)
        }
    }
}
