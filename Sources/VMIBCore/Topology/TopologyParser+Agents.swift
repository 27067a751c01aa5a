import Foundation

extension TopologyParser {
    static let agentsMembers = ["origin", "keyEnv", "keyFile", "relay"]
    static let originAgentMembers = ["endpoint", "uplinkBytesPerSecond", "downlinkBytesPerSecond"]
    static let regionAgentMembers = ["endpoint", "uplinkBytesPerSecond", "downlinkBytesPerSecond", "fetchFrom"]

    /// `"agents": {"origin": {"endpoint": URL, "uplinkBytesPerSecond": N}, "keyEnv": NAME,
    /// "keyFile": PATH, "relay": "tree"|"star"}`, then what only the whole topology shows:
    /// every region agent's `fetchFrom` names the origin or a region with an agent, and no two
    /// agents share an endpoint. A region's `agent` without this section is refused.
    /// - Parameter value: the `agents` member, nil when the topology has none.
    static func agents(_ value: JSONValue?, regions: [DeploymentTopology.Region], file: String) throws -> AgentSettings? {
        guard let value else {
            if let i = regions.firstIndex(where: { $0.agent != nil }) {
                throw DomainError.invalid(.named("\(file): regions[\(i)].agent"),
                                          "a region's agent needs the top-level \"agents\" section (the origin's agent, the key, the relay shape)")
            }
            return nil
        }
        let path = "\(file): agents"
        guard case .object(let members) = value else {
            throw DomainError.invalid(.named(path), "expected an object with \(agentsMembers.joined(separator: ", "))")
        }
        try refuseUnknown(members, allowed: agentsMembers, path: path)
        guard let o = value["origin"] else {
            throw DomainError.invalid(.named("\(path).origin"), "is required: the origin's agent, {\"endpoint\": URL, \"uplinkBytesPerSecond\": N}")
        }
        let origin = try agentLink(o, path: "\(path).origin", allowed: originAgentMembers)
        let keyEnv = try string(value["keyEnv"], "\(path).keyEnv", optional: true)
        let keyFile = try string(value["keyFile"], "\(path).keyFile", optional: true)
        guard keyEnv != nil || keyFile != nil else {
            throw DomainError.invalid(.named(path), "needs keyEnv (an environment variable) or keyFile (a file; relative: under the state directory) holding the deployment key, or both")
        }
        var relay = RelayShape.tree
        if let r = value["relay"] {
            let s = try string(r, "\(path).relay")!
            guard let shape = RelayShape(rawValue: s) else {
                throw DomainError.invalid(.named("\(path).relay"), "'\(s)' is not allowed; allowed: \(RelayShape.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            relay = shape
        }
        try checkEndpoints(origin: origin, regions: regions, file: file)
        try checkFetchFrom(regions, file: file)
        return AgentSettings(origin: origin, keyEnv: keyEnv, keyFile: keyFile, relay: relay)
    }

    /// A region's `"agent": {"endpoint": URL, "uplinkBytesPerSecond": N, "downlinkBytesPerSecond":
    /// N, "fetchFrom": ["origin", REGION…]}`; the names in `fetchFrom` are checked against the
    /// other regions by `agents(_:regions:file:)`, once every region is parsed.
    static func regionAgent(_ value: JSONValue, catalog: RegionCatalog, path: String) throws -> AgentLink {
        var link = try agentLink(value, path: path, allowed: regionAgentMembers)
        guard value["downlinkBytesPerSecond"] != nil else {
            throw DomainError.invalid(.named("\(path).downlinkBytesPerSecond"), "is required: what the region's link can receive, an integer in 1…10000000000000 bytes/s")
        }
        if let f = value["fetchFrom"] {
            guard case .array(let items) = f, !items.isEmpty else {
                throw DomainError.invalid(.named("\(path).fetchFrom"), "expected a non-empty array of \"\(RelayPlan.origin)\" and region names (leave it out: every agent and the origin)")
            }
            var names: [String] = []
            for (j, item) in items.enumerated() {
                let p = "\(path).fetchFrom[\(j)]"
                let given = try string(item, p)!
                let name = given == RelayPlan.origin ? given : try catalog.region(named: given, field: .named(p)).name
                guard !names.contains(name) else { throw DomainError.invalid(.named(p), "'\(given)' is listed twice") }
                names.append(name)
            }
            link.fetchFrom = names
        }
        return link
    }

    /// The members an agent object shares: `endpoint`, the byte rates (each an integer
    /// 1…1e13; the uplink required, the downlink where given).
    private static func agentLink(_ value: JSONValue, path: String, allowed: [String]) throws -> AgentLink {
        guard case .object(let members) = value else {
            throw DomainError.invalid(.named(path), "expected an object with \(allowed.joined(separator: ", "))")
        }
        try refuseUnknown(members, allowed: allowed, path: path)
        let endpoint = try string(value["endpoint"], "\(path).endpoint")!
        let url = URL(string: endpoint)
        guard let url, ["http", "https"].contains(url.scheme?.lowercased() ?? ""), let host = url.host, !host.isEmpty,
              ["", "/"].contains(url.path), url.query == nil, url.fragment == nil, url.user == nil, url.password == nil else {
            throw DomainError.invalid(.named("\(path).endpoint"), "'\(endpoint)' is not allowed; an http(s) URL with a host, an optional port and no path (e.g. http://10.0.0.4:7101)")
        }
        guard let up = value["uplinkBytesPerSecond"] else {
            throw DomainError.invalid(.named("\(path).uplinkBytesPerSecond"), "is required: what the agent's link can send, an integer in 1…10000000000000 bytes/s")
        }
        let uplink = Int64(try number(up, "\(path).uplinkBytesPerSecond", range: 1...1e13, integer: true))
        let downlink = try value["downlinkBytesPerSecond"].map { Int64(try number($0, "\(path).downlinkBytesPerSecond", range: 1...1e13, integer: true)) }
        return AgentLink(endpoint: endpoint, uplinkBytesPerSecond: uplink, downlinkBytesPerSecond: downlink ?? 0)
    }

    /// Unknown members are refused (a misspelt rate would silently fall back), and a `key`
    /// member most of all: the key lives in an environment variable or a file.
    private static func refuseUnknown(_ members: [(key: String, value: JSONValue)], allowed: [String], path: String) throws {
        for (key, _) in members where !allowed.contains(key) {
            if key == "key" {
                throw DomainError.invalid(.named("\(path).key"), "the key may not be written into the topology; name where it is with agents.keyEnv or agents.keyFile")
            }
            throw DomainError.invalid(.named("\(path).\(key)"), "unknown setting; allowed: \(allowed.joined(separator: ", "))")
        }
    }

    /// Two agents at one address would be one agent planned as two.
    private static func checkEndpoints(origin: AgentLink, regions: [DeploymentTopology.Region], file: String) throws {
        var seen: [String: String] = [endpointKey(origin.endpoint): "agents.origin"]
        for (i, r) in regions.enumerated() {
            guard let a = r.agent else { continue }
            let here = "regions[\(i)].agent"
            if let other = seen.updateValue(here, forKey: endpointKey(a.endpoint)) {
                throw DomainError.invalid(.named("\(file): \(here).endpoint"), "'\(a.endpoint)' is already the endpoint of \(other); each agent has its own")
            }
        }
    }

    /// scheme://host:port, the port spelt out, so that `http://h` and `http://H:80/` are one.
    private static func endpointKey(_ endpoint: String) -> String {
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return endpoint }
        return "\(scheme)://\(host):\(url.port ?? (scheme == "https" ? 443 : 80))"
    }

    private static func checkFetchFrom(_ regions: [DeploymentTopology.Region], file: String) throws {
        let withAgents = regions.filter { $0.agent != nil }.map(\.name)
        for (i, r) in regions.enumerated() {
            for (j, name) in (r.agent?.fetchFrom ?? []).enumerated() where name != RelayPlan.origin {
                let p = "\(file): regions[\(i)].agent.fetchFrom[\(j)]"
                guard name != r.name else { throw DomainError.invalid(.named(p), "a region's agent does not fetch from itself; allowed: \(RelayPlan.origin) and regions with an agent") }
                guard withAgents.contains(name) else {
                    let allowed = ([RelayPlan.origin] + withAgents.filter { $0 != r.name }).joined(separator: ", ")
                    throw DomainError.invalid(.named(p), "'\(name)' is not a region of this topology with an agent; allowed: \(allowed)")
                }
            }
        }
    }
}
