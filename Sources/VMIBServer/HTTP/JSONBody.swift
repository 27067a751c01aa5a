import Foundation
import Hummingbird
import VMIBCore
import VMIBWire

/// A request body (or a part of it) with its JSON path, read strictly: a member of the wrong
/// type, or one the resource does not have, is a 400 naming the path, as Azure's Compute
/// resource provider answers ("Could not find member 'x' on object of type 'y'").
struct JSONBody {
    let value: JSONValue
    /// `properties.publishingProfile.targetRegions[0]`; empty for the whole body.
    let path: String

    /// Reads and parses the whole body (at most `ARMRequestContext.bodyLimit` bytes).
    static func parse(_ request: Request, context: ARMRequestContext) async throws -> JSONBody {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ARMError.invalidContent("The request content was empty; a JSON object is required.", target: "body")
        }
        do {
            let value = try JSONParser.parse(text)
            guard case .object = value else {
                throw ARMError.invalidContent("The request content must be a JSON object, not \(value.typeName).", target: "body")
            }
            return JSONBody(value: value, path: "")
        } catch let e as JSONParser.SyntaxError {
            throw ARMError.invalidContent("The request content was invalid and could not be deserialized: \(e.description).", target: "body")
        }
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Checks that this is an object whose members are all in `allowed`.
    /// - Parameter type: Azure's name for the object's type, for the message.
    @discardableResult
    func object(allowing allowed: Set<String>, type: String) throws -> JSONBody {
        guard case .object(let members) = value else {
            throw ARMError.invalidContent("\(path.isEmpty ? "The body" : "'\(path)'") must be an object (\(type)), not \(value.typeName).", target: path.isEmpty ? "body" : path)
        }
        for m in members where !allowed.contains(m.key) {
            throw ARMError.invalidContent("Could not find member '\(m.key)' on object of type '\(type)'. Path '\(child(m.key))'.", target: child(m.key))
        }
        return self
    }

    /// The member `key`; nil when absent or null.
    subscript(key: String) -> JSONBody? {
        guard let v = value[key] else { return nil }
        if case .null = v { return nil }
        return JSONBody(value: v, path: child(key))
    }

    func string(_ key: String) throws -> String? {
        guard let m = self[key] else { return nil }
        guard case .string(let s) = m.value else { throw m.wrongType("a string") }
        return s
    }

    func int(_ key: String) throws -> Int? {
        guard let m = self[key] else { return nil }
        guard case .number(let n) = m.value, n.rounded() == n, abs(n) < 1e15 else { throw m.wrongType("an integer") }
        return Int(n)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let m = self[key] else { return nil }
        guard case .bool(let b) = m.value else { throw m.wrongType("a boolean") }
        return b
    }

    func array(_ key: String) throws -> [JSONBody]? {
        guard let m = self[key] else { return nil }
        guard case .array(let items) = m.value else { throw m.wrongType("an array") }
        return items.enumerated().map { JSONBody(value: $1, path: "\(m.path)[\($0)]") }
    }

    /// A string-to-string map (`tags`).
    func stringMap(_ key: String) throws -> [String: String]? {
        guard let m = self[key] else { return nil }
        guard case .object(let members) = m.value else { throw m.wrongType("an object of strings") }
        var out: [String: String] = [:]
        for (k, v) in members {
            guard case .string(let s) = v else { throw JSONBody(value: v, path: "\(m.path).\(k)").wrongType("a string") }
            out[k] = s
        }
        return out
    }

    /// This object as one of the wire's request bodies: only its members, each of the type
    /// the payload declares (a 400 naming the member otherwise).
    /// - Parameter azureType: Azure's name for the object's type, for the message.
    func decode<T: Payload>(_ type: T.Type, as azureType: String) throws -> T {
        try object(allowing: T.members, type: azureType)
        do {
            return try WireJSON.decoder.decode(T.self, from: Data(value.text.utf8))
        } catch let DecodingError.keyNotFound(key, context) {
            let member = member(at: context.codingPath + [key])
            throw ARMError.invalidParameter("Required parameter '\(member.path)' is missing (null).", target: member.path)
        } catch let DecodingError.valueNotFound(_, context) {
            let member = member(at: context.codingPath)
            throw ARMError.invalidParameter("Required parameter '\(member.path)' is missing (null).", target: member.path)
        } catch let DecodingError.typeMismatch(expected, context) {
            throw member(at: context.codingPath).wrongType(Self.describe(expected))
        } catch let DecodingError.dataCorrupted(context) {
            throw member(at: context.codingPath).wrongType("a value of the member's type")
        }
    }

    /// The member a decoding error's path names (as far as it exists in the document).
    private func member(at path: [any CodingKey]) -> JSONBody {
        var here = self
        for key in path {
            if let i = key.intValue, case .array(let items) = here.value, items.indices.contains(i) {
                here = JSONBody(value: items[i], path: "\(here.path)[\(i)]")
            } else if let next = here.value[key.stringValue] {
                here = JSONBody(value: next, path: here.child(key.stringValue))
            } else {
                return JSONBody(value: .null, path: here.child(key.stringValue))
            }
        }
        return here
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type: "an integer"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    func required<T>(_ value: T?, _ key: String) throws -> T {
        guard let value else { throw ARMError.invalidParameter("Required parameter '\(child(key))' is missing (null).", target: child(key)) }
        return value
    }

    func wrongType(_ expected: String) -> ARMError {
        ARMError.invalidContent("Error converting value at '\(path)': expected \(expected), got \(value.typeName).", target: path)
    }

    /// A 400 about this member.
    func invalid(_ message: String, member: String? = nil) -> ARMError {
        ARMError.invalidParameter(message, target: member.map(child) ?? path)
    }
}
