import VMIBCore

/// What one check of one Completed replica found (a scrub).
public struct ScrubFinding: Sendable, Hashable {
    public enum Result: Sendable, Hashable {
        /// The replica is what was made; its lastVerifiedAt moved.
        case verified
        /// Missing or corrupt: the replica went back to Pending to be re-made. The text is
        /// what was found ("missing in eastus", "size/ETag differs…", "SHA-256 differs…").
        case requeued(String)
        /// The check could not be made (the endpoint failed); the replica was left as it is.
        case unchecked(String)
    }

    public var region: String
    public var index: Int
    /// True for a full re-hash, false for a HEAD.
    public var deep: Bool
    public var result: Result

    public init(region: String, index: Int, deep: Bool, result: Result) {
        self.region = region; self.index = index; self.deep = deep; self.result = result
    }
}
