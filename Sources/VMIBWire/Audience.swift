import Foundation
import VMIBCore

/// Who reads a resource's rendering. There is one rendering of each resource, in Resource
/// Manager's shape (`id`, `name`, `type`, `properties`); the API's clients also get what
/// Resource Manager keeps beside it (location, tags) and vmib's own record under
/// `properties.vmib`, which Azure's clients ignore and vmib's CLI reads back. The CLI's
/// `--output json` prints the same resource without those, so that embedded and client mode
/// print the same.
public enum Audience: Sendable {
    case api(ResourceEnvelope)
    case cli

    var envelope: ResourceEnvelope? {
        if case .api(let e) = self { return e }
        return nil
    }
}

/// A list of resources, `{"value": [...]}` (vmib returns every item in one page).
public struct ARMList<T: Codable & Sendable>: Codable, Sendable {
    public var value: [T]
    public init(value: [T]) { self.value = value }
}

/// The wire's JSON: ISO 8601 dates (with or without fractional seconds) both ways.
public enum WireJSON {
    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = ISO8601.date(from: text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date: \(text)"))
        }
        return d
    }()

    /// - Parameter pretty: for people (the CLI): indented, whole seconds; else compact, with
    ///   fractional seconds (the API).
    public static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(pretty ? ISO8601.format(date) : ISO8601.formatFractional(date))
        }
        return e
    }
}
