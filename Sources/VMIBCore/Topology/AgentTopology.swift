/// A `vmib agent`'s place in the topology: where it answers and what its link carries.
public struct AgentLink: Sendable, Hashable {
    /// The agent's base URL (`http://host:port`).
    public var endpoint: String
    /// What this end can send, in bytes/s (what its children share).
    public var uplinkBytesPerSecond: Int64
    /// What this end can receive, in bytes/s (the origin's is not used).
    public var downlinkBytesPerSecond: Int64
    /// The sources this agent can reach: region names and `origin` (`RelayPlan.origin`);
    /// nil: every agent and the origin.
    public var fetchFrom: [String]?

    public init(endpoint: String, uplinkBytesPerSecond: Int64, downlinkBytesPerSecond: Int64, fetchFrom: [String]? = nil) {
        self.endpoint = endpoint; self.uplinkBytesPerSecond = uplinkBytesPerSecond
        self.downlinkBytesPerSecond = downlinkBytesPerSecond; self.fetchFrom = fetchFrom
    }
}

/// How the controller lays out a distribution over agents.
public enum RelayShape: String, Sendable, CaseIterable {
    /// A tree planned from the link capacities: the origin sends each chunk once or a few
    /// times, agents forward to others while they still receive.
    case tree
    /// Every agent fetches from the origin (today's star, over agents): a baseline.
    case star
}

/// The topology's `agents` section: the origin's agent, the deployment key, the shape.
public struct AgentSettings: Sendable, Hashable {
    /// The agent beside the origin copies (`vmib agent --origin`), the root of every tree.
    public var origin: AgentLink
    /// Where the per-deployment key that agents and the controller present to each other
    /// lives: an environment variable, or a file (relative: under the state directory).
    /// Never the key itself, and never in the database.
    public var keyEnv: String?
    public var keyFile: String?
    public var relay: RelayShape

    public init(origin: AgentLink, keyEnv: String?, keyFile: String?, relay: RelayShape = .tree) {
        self.origin = origin; self.keyEnv = keyEnv; self.keyFile = keyFile; self.relay = relay
    }
}
