// TEMPORARY (replaced by the relay-plan branch's parser).
extension TopologyParser {
    static func tmpAgents(_ root: JSONValue, _ topology: inout DeploymentTopology) {
        guard let a = root["agents"], case .string(let origin)? = a["origin"]?["endpoint"] else { return }
        func n(_ v: JSONValue?) -> Int64 { if case .number(let d)? = v { return Int64(d) }; return 0 }
        var key: String?; if case .string(let k)? = a["keyEnv"] { key = k }
        var relay = RelayShape.tree; if case .string(let r)? = a["relay"] { relay = RelayShape(rawValue: r) ?? .tree }
        topology.agents = AgentSettings(origin: AgentLink(endpoint: origin, uplinkBytesPerSecond: n(a["origin"]?["uplinkBytesPerSecond"]), downlinkBytesPerSecond: 0), keyEnv: key, keyFile: nil, relay: relay)
        guard case .array(let items)? = root["regions"] else { return }
        for item in items {
            guard case .string(let name)? = item["name"], case .string(let ep)? = item["agent"]?["endpoint"],
                  let i = topology.regions.firstIndex(where: { $0.name == name }) else { continue }
            topology.regions[i].agent = AgentLink(endpoint: ep, uplinkBytesPerSecond: n(item["agent"]?["uplinkBytesPerSecond"]), downlinkBytesPerSecond: n(item["agent"]?["downlinkBytesPerSecond"]))
        }
    }
}
