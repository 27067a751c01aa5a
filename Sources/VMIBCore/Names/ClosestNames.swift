/// Suggestions for a mistyped name: the known names nearest by edit distance.
public enum ClosestNames {
    /// Up to `limit` names from `candidates` closest to `name` (case-insensitive Levenshtein
    /// distance, ties broken alphabetically), only those within a plausible distance.
    public static func to(_ name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let needle = Array(name.lowercased())
        let scored = candidates.map { ($0, distance(needle, Array($0.lowercased()))) }
        let threshold = max(3, needle.count / 2)
        return scored.filter { $0.1 <= threshold }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(limit).map(\.0)
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
