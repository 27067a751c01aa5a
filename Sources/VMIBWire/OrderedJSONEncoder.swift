import Foundation
import VMIBCore

/// Encodes to JSON keeping object members in the order they were encoded. Foundation's
/// JSONEncoder does not (it sorts or hashes them), and a request body's maps of region names
/// (`expectedDeployments`) mean something in their order: the regions are added in it.
enum OrderedJSONEncoder {
    static func encode(_ value: some Encodable) throws -> Data {
        let root = Node()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        return Data(root.json.text.utf8)
    }

    /// A place in the document being built (shared by the containers that write to it).
    final class Node {
        enum Kind { case empty, value(JSONValue), object([(String, Node)]), array([Node]) }
        var kind = Kind.empty

        var json: JSONValue {
            switch kind {
            case .empty: .object([])
            case .value(let v): v
            case .object(let members): .object(members.map { ($0.0, $0.1.json) })
            case .array(let items): .array(items.map(\.json))
            }
        }

        func member(_ key: String) -> Node {
            let child = Node()
            var members: [(String, Node)] = []
            if case .object(let m) = kind { members = m }
            if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = child } else { members.append((key, child)) }
            kind = .object(members)
            return child
        }

        func append() -> Node {
            let child = Node()
            var items: [Node] = []
            if case .array(let a) = kind { items = a }
            items.append(child)
            kind = .array(items)
            return child
        }

        func set(_ value: some Encodable, codingPath: [any CodingKey]) throws {
            switch value {
            case let v as String: kind = .value(.string(v))
            case let v as Bool: kind = .value(.bool(v))
            case let v as Int: kind = .value(.number(Double(v)))
            case let v as Int64: kind = .value(.number(Double(v)))
            case let v as Double: kind = .value(.number(v))
            case let v as Date: kind = .value(.string(ISO8601.formatFractional(v)))
            default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
            }
        }
    }

    struct NodeEncoder: Encoder {
        let node: Node
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .object = node.kind {} else { node.kind = .object([]) }
            return KeyedEncodingContainer(Keyed(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .array = node.kind {} else { node.kind = .array([]) }
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).kind = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try node.member(key.stringValue).set(value, codingPath: codingPath + [key])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.member("super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int { if case .array(let a) = node.kind { a.count } else { 0 } }

        mutating func encodeNil() throws { node.append().kind = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try node.append().set(value, codingPath: codingPath) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: node.append(), codingPath: codingPath).container(keyedBy: keyType)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            NodeEncoder(node: node.append(), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.append(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.kind = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try node.set(value, codingPath: codingPath) }
    }
}
