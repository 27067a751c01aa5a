import Foundation

/// `COMMAND --name value ...`, all a benchmark driver needs; a bad option ends the process.
struct BenchArguments {
    let command: String
    private var values: [String: String] = [:]

    init(_ args: ArraySlice<String>) {
        command = args.first ?? ""
        var rest = args.dropFirst()
        while let name = rest.popFirst() {
            guard name.hasPrefix("--"), let value = rest.popFirst() else { Self.fail("expected --name value, found '\(name)'") }
            values[String(name.dropFirst(2))] = value
        }
    }

    func string(_ name: String, default fallback: String? = nil) -> String {
        guard let v = values[name] ?? fallback else { Self.fail("--\(name) is required") }
        return v
    }

    func int(_ name: String, default fallback: Int) -> Int {
        guard let text = values[name] else { return fallback }
        guard let v = Int(text) else { Self.fail("--\(name): '\(text)' is not an integer") }
        return v
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("vmib-bench: \(message)\n".utf8))
        exit(2)
    }
}
