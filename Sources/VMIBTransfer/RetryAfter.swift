import Foundation

/// The HTTP `Retry-After` header: delay-seconds (`120`) or an HTTP-date
/// (`Fri, 31 Dec 1999 23:59:59 GMT`, RFC 9110 §10.2.3).
enum RetryAfter {
    /// Seconds to wait, never negative; nil when the value is neither form.
    static func seconds(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let delay = Double(trimmed), delay.isFinite {
            return max(0, delay)
        }
        // asctime pads the day with a space ("Nov  6"); one space is what the formats expect.
        let normalized = trimmed.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: normalized) {
                return max(0, date.timeIntervalSince(now).rounded(.up))
            }
        }
        return nil
    }

    /// IMF-fixdate, then the obsolete RFC 850 and asctime forms recipients must accept.
    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",
        "EEEE, dd-MMM-yy HH:mm:ss zzz",
        "EEE MMM d HH:mm:ss yyyy",
    ]
}
