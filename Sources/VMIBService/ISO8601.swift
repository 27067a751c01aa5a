import Foundation
import VMIBCore

/// Dates as users write them: ISO 8601, a full date-time with zone or a plain date (midnight UTC).
enum ISO8601 {
    static func parse(_ text: String, field: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let d = full.date(from: text) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = fractional.date(from: text) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if text.count == 10, let d = day.date(from: text) { return d }
        throw DomainError.invalid(field, "'\(text)' is not an ISO 8601 date; expected e.g. 2027-12-31 or 2027-12-31T00:00:00Z")
    }

    /// `2027-12-31T00:00:00Z`, as ISO8601DateFormatter writes it, without making one per date.
    static func format(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
}
