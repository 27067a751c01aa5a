import Foundation
import VMIBCore
import VMIBService

/// A resource's location and tags as a PUT or PATCH body gives them, checked as Resource
/// Manager checks them: the location must be a region (Azure's names; "East US" reads as
/// eastus), an existing resource cannot move (409 InvalidResourceLocation), and tags follow
/// Azure's limits (50 per resource, names up to 512 characters without `<>%&\?/`, values up
/// to 256).
enum EnvelopeBody {
    /// - Parameters:
    ///   - id: the resource's id. What is recorded for it is what it cannot move from; nothing
    ///     is recorded for a resource being created, nor for one the CLI or a template run
    ///     made (that one takes the body's location).
    ///   - replace: a PUT (tags absent means no tags) rather than a PATCH (absent: unchanged).
    static func read(_ body: JSONBody, api: API, id: String, replace: Bool, resource: String) throws -> ResourceEnvelope {
        let existing = try armCall { try api.service.envelope(of: id) }
        var envelope = existing ?? ResourceEnvelope(location: api.location)
        if let given = try body.string("location") {
            let name = try armCall { try api.service.catalog.region(named: given, field: .location).name }
            if let existing, existing.location.lowercased() != name.lowercased() {
                throw ARMError(.conflict, code: "InvalidResourceLocation",
                               "The resource '\(resource)' already exists in location '\(existing.location)'. A resource with the same name cannot be created in location '\(name)'.",
                               target: "location")
            }
            envelope.location = name
        }
        if let tags = try body.stringMap("tags") {
            guard tags.count <= 50 else { throw ARMError(.badRequest, code: "InvalidTag", "At most 50 tags are allowed; the body has \(tags.count).", target: "tags") }
            for (name, value) in tags {
                guard !name.isEmpty, name.count <= 512, !name.contains(where: { "<>%&\\?/".contains($0) }) else {
                    throw ARMError(.badRequest, code: "InvalidTagNameCharacters",
                                   "The tag name '\(name)' is not allowed: 1-512 characters, none of < > % & \\ ? /.", target: "tags.\(name)")
                }
                guard value.count <= 256 else {
                    throw ARMError(.badRequest, code: "InvalidTag", "The value of tag '\(name)' is longer than 256 characters.", target: "tags.\(name)")
                }
            }
            envelope.tags = tags
        } else if replace {
            envelope.tags = [:]
        }
        return envelope
    }
}

extension API {
    /// What a resource reports as its location and tags: what its PUT recorded, else (made by
    /// the CLI or a template run) the server's location and no tags.
    func envelope(_ id: String) -> ResourceEnvelope {
        ((try? service.envelope(of: id)) ?? nil) ?? ResourceEnvelope(location: location)
    }

    /// The same for every resource below `parent`, read at once (for lists).
    func envelopes(under parent: String) -> (String) -> ResourceEnvelope {
        let all = (try? service.envelopes(under: parent)) ?? [:]
        let fallback = ResourceEnvelope(location: location)
        return { all[$0.lowercased()] ?? fallback }
    }
}
