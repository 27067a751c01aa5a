import Foundation

/// Walks a directory store's tree for the keys under a prefix, skipping reserved names.
struct DirectoryListing {
    let root: String

    /// Keys starting with `prefix` (a plain string prefix, as in S3), sorted.
    func keys(prefix: String) -> [String] {
        // Only the directory the prefix names for certain needs walking: "a/b/c" → "a/b".
        let start = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        var keys: [String] = []
        walk(relative: start, into: &keys)
        return keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    private func walk(relative: String, into keys: inout [String]) {
        let directory = relative.isEmpty ? root : root + "/" + relative
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where !name.hasPrefix(StagedFile.reservedPrefix) {
            let key = relative.isEmpty ? name : relative + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + key, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                walk(relative: key, into: &keys)
            } else {
                keys.append(key)
            }
        }
    }
}
