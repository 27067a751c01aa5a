import Foundation

/// Paths checked against the directories a server lets templates read from or write to:
/// where a path really leads (symbolic links and `..` resolved), and whether that lies
/// under one of the roots.
enum PathRoots {
    static func path(of uri: String) -> String {
        uri.hasPrefix("file://") ? String(uri.dropFirst("file://".count)) : uri
    }

    /// The longest prefix of `path` that exists (the path itself when it does).
    static func deepestExisting(_ path: String) -> String {
        var p = path.isEmpty ? "/" : path
        while !FileManager.default.fileExists(atPath: p), p != "/" {
            p = (p as NSString).deletingLastPathComponent
            if p.isEmpty { p = "/" }
        }
        return p
    }

    static func real(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }

    static func inside(_ path: String, _ roots: [String]) -> Bool {
        roots.contains { root in root == "/" || path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
    }
}
