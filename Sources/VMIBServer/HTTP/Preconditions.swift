import Foundation
import Hummingbird

/// Conditional requests (RFC 9110 §13) over a record's generation: `ETag: "<generation>"`
/// on every resource answer; `If-Match` (a list of ETags, or `*`) and `If-None-Match: *`
/// on PUT, PATCH and DELETE. A condition that does not hold is a 412 PreconditionFailed and
/// changes nothing.
enum Preconditions {
    static func etag(_ generation: Int64) -> String { "\"\(generation)\"" }

    static func header(_ generation: Int64) -> (String, String) { ("ETag", etag(generation)) }

    /// The generation an `If-Match` names, for a compare-and-set in the store; nil for no
    /// header or `*` (which `check` handles).
    static func ifMatchGeneration(_ request: Request) throws -> Int64? {
        guard let value = request.headers[.ifMatch], value.trimmingCharacters(in: .whitespaces) != "*" else { return nil }
        let tags = tags(value)
        guard tags.count == 1, let generation = Int64(tags[0]) else {
            // Several ETags or one vmib never issued: checked against the record in `check`.
            return nil
        }
        return generation
    }

    /// Refuses the request when its conditions do not hold for a record at `current`
    /// (nil: no such record).
    static func check(_ request: Request, current: Int64?) throws {
        if let value = request.headers[.ifMatch] {
            guard let current else {
                throw failed("If-Match", "the resource does not exist")
            }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed != "*", !tags(trimmed).contains(String(current)) {
                throw failed("If-Match", "the resource's ETag is \(etag(current)), not \(trimmed)")
            }
        }
        if let value = request.headers[.ifNoneMatch], let current {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed == "*" || tags(trimmed).contains(String(current)) {
                throw failed("If-None-Match", "the resource exists (ETag \(etag(current)))")
            }
        }
    }

    /// The opaque parts of an ETag list: `W/"3", "4"` → ["3", "4"].
    private static func tags(_ value: String) -> [String] {
        value.split(separator: ",").map { part in
            var t = part.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("W/") { t.removeFirst(2) }
            return t.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
    }

    private static func failed(_ header: String, _ why: String) -> ARMError {
        ARMError(.preconditionFailed, code: "PreconditionFailed", "The condition in \(header) does not hold: \(why).", target: header)
    }
}
