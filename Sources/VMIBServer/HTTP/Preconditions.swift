import Foundation
import Hummingbird
import VMIBCore

/// Conditional requests (RFC 9110 §13) over a record's generation. Every resource answer
/// carries an ETag: `"<generation>"`, and for a version `"<generation>.<statusGeneration>"`,
/// which also moves with the controller's progress (its JSON does). `If-Match` (a list of
/// ETags, or `*`) and `If-None-Match` on PUT, PATCH and DELETE compare the generation part
/// only, so a replica finishing never fails a user's write; a condition that does not hold
/// is a 412 PreconditionFailed and changes nothing. `If-None-Match` on a GET compares the
/// whole ETag and answers 304 Not Modified.
enum Preconditions {
    static func etag(_ generation: Int64) -> String { "\"\(generation)\"" }

    static func etag(_ tag: VersionTag) -> String { "\"\(tag.generation).\(tag.statusGeneration)\"" }

    static func header(_ generation: Int64) -> (String, String) { ("ETag", etag(generation)) }

    static func header(_ tag: VersionTag) -> (String, String) { ("ETag", etag(tag)) }

    /// The generation an `If-Match` names, for a compare-and-set in the store; nil for no
    /// header or `*` (which `check` handles).
    static func ifMatchGeneration(_ request: Request) throws -> Int64? {
        guard let value = request.headers[.ifMatch], value.trimmingCharacters(in: .whitespaces) != "*" else { return nil }
        let tags = tags(value)
        guard tags.count == 1, let generation = Int64(generationPart(tags[0])) else {
            // Several ETags or one vmib never issued: checked against the record in `check`.
            return nil
        }
        return generation
    }

    /// Refuses a write when its conditions do not hold for a record at generation `current`
    /// (nil: no such record).
    static func check(_ request: Request, current: Int64?) throws {
        if let value = request.headers[.ifMatch] {
            guard let current else {
                throw failed("If-Match", "the resource does not exist")
            }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed != "*", !tags(trimmed).map(generationPart).contains(String(current)) {
                throw failed("If-Match", "the resource's ETag is \(etag(current)), not \(trimmed)")
            }
        }
        if let value = request.headers[.ifNoneMatch], let current {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed == "*" || tags(trimmed).map(generationPart).contains(String(current)) {
                throw failed("If-None-Match", "the resource exists (ETag \(etag(current)))")
            }
        }
    }

    /// Whether a GET's `If-None-Match` names the representation at `etag` (or is `*`): then
    /// the answer is 304 with the ETag and no body. Weak comparison, as RFC 9110 asks for GET.
    static func notModified(_ request: Request, etag: String) -> Bool {
        guard let value = request.headers[.ifNoneMatch] else { return false }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed == "*" || tags(trimmed).contains(String(etag.dropFirst().dropLast()))
    }

    /// The opaque parts of an ETag list: `W/"3", "4.2"` → ["3", "4.2"].
    private static func tags(_ value: String) -> [String] {
        value.split(separator: ",").map { part in
            var t = part.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("W/") { t.removeFirst(2) }
            return t.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
    }

    /// "4.2" → "4": the generation of a version's ETag (a plain generation stays as it is).
    private static func generationPart(_ tag: String) -> String {
        String(tag.prefix { $0 != "." })
    }

    private static func failed(_ header: String, _ why: String) -> ARMError {
        ARMError(.preconditionFailed, code: "PreconditionFailed", "The condition in \(header) does not hold: \(why).", target: header)
    }
}
