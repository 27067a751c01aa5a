import Foundation
import VMIBCore

/// The run's `customization.log`: each customizer's name, start, end, exit code and output.
public final class BuildLog: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()

    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    }

    public func line(_ text: String) {
        append("[\(Self.timestamp())] \(text)\n")
    }

    /// Appends the contents of another file (a customizer's captured output), indented.
    public func output(of file: String) {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        guard !text.isEmpty else { return }
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        append(body.split(separator: "\n", omittingEmptySubsequences: false).map { "    | " + $0 }.joined(separator: "\n") + "\n")
    }

    private func append(_ s: String) {
        lock.lock(); defer { lock.unlock() }
        guard let h = FileHandle(forWritingAtPath: path) else { return }
        defer { try? h.close() }
        _ = try? h.seekToEnd()
        h.write(Data(s.utf8))
    }

    static func timestamp() -> String {
        ISO8601.formatFractional(Date())
    }

    /// The last lines of a tool's output, for one-line error messages.
    public static func tail(_ text: String, lines: Int = 5) -> String {
        text.split(separator: "\n").suffix(lines).joined(separator: " / ").trimmingCharacters(in: .whitespaces)
    }
}
