import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed S3 XML document: just enough of a tree to read responses like
/// `<ListBucketResult><Contents><Key>…</Key></Contents>…`. Namespaces are ignored.
struct S3XML: Sendable {
    var name: String
    var text: String
    var children: [S3XML]

    /// Parses `data`, or returns nil when it is not XML.
    static func parse(_ data: Data) -> S3XML? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// Direct children named `name`.
    func all(_ name: String) -> [S3XML] { children.filter { $0.name == name } }

    /// The first direct child named `name`.
    func first(_ name: String) -> S3XML? { children.first { $0.name == name } }

    /// The text of the first direct child named `name`.
    func value(_ name: String) -> String? { first(name)?.text }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [S3XML] = []
        var root: S3XML?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            stack.append(S3XML(name: elementName, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            guard var node = stack.popLast() else { return }
            if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
        }
    }
}
