import Testing
@testable import VMIBCore

private let originAgent = #""origin": {"endpoint": "http://127.0.0.1:7100", "uplinkBytesPerSecond": 8000000}"#
private let eastusAgent = #"{"endpoint": "http://127.0.0.1:7101", "uplinkBytesPerSecond": 8000000, "downlinkBytesPerSecond": 8000000}"#

/// A topology with `agents` (its members after the origin) and regions eastus (its agent
/// `eastusAgent` unless given), eastus2 (agent given) and westus (never an agent).
private func topology(agents: String? = "\"keyEnv\": \"VMIB_AGENT_KEY\"", eastus: String? = eastusAgent, eastus2: String? = nil) -> String {
    func region(_ name: String, _ agent: String?) -> String {
        #"{"name": "\#(name)", "storage": {"Standard_LRS": {"kind": "directory", "path": "r/\#(name)"}}"#
            + (agent.map { #", "agent": \#($0)"# } ?? "") + "}"
    }
    let section = agents.map { #""agents": {\#(originAgent), \#($0)}, "# } ?? ""
    return "{" + section + #""regions": ["# + [region("eastus", eastus), region("eastus2", eastus2), region("westus", nil)].joined(separator: ", ") + "]}"
}

@Suite struct TopologyAgentsParserTests {
    let catalog = RegionCatalog(regions: ["eastus", "eastus2", "westus", "westeurope"].map {
        CatalogRegion(name: $0, displayName: $0.uppercased(), geography: "x", latitude: 0, longitude: 0,
                      pairedRegion: nil, buildRegion: true)
    })

    @Test func parsesTheAgentsSectionAndEachRegionsAgent() throws {
        let t = try TopologyParser.parse(topology(
            agents: #""keyEnv": "VMIB_AGENT_KEY", "keyFile": "agent.key", "relay": "star""#,
            eastus2: #"{"endpoint": "https://agent.eastus2.example:7443/", "uplinkBytesPerSecond": 4000000, "downlinkBytesPerSecond": 9000000, "fetchFrom": ["origin", "EastUS"]}"#),
            catalog: catalog)
        let agents = try #require(t.agents)
        #expect(agents.origin == AgentLink(endpoint: "http://127.0.0.1:7100", uplinkBytesPerSecond: 8_000_000, downlinkBytesPerSecond: 0))
        #expect(agents.keyEnv == "VMIB_AGENT_KEY" && agents.keyFile == "agent.key")
        #expect(agents.relay == .star)
        #expect(t["eastus"]?.agent == AgentLink(endpoint: "http://127.0.0.1:7101", uplinkBytesPerSecond: 8_000_000, downlinkBytesPerSecond: 8_000_000))
        // fetchFrom names are the catalog's.
        #expect(t["eastus2"]?.agent == AgentLink(endpoint: "https://agent.eastus2.example:7443/", uplinkBytesPerSecond: 4_000_000,
                                                downlinkBytesPerSecond: 9_000_000, fetchFrom: ["origin", "eastus"]))
        #expect(t["westus"]?.agent == nil)
    }

    @Test func theRelayIsATreeUnlessSaidAndATopologyMayHaveNoAgents() throws {
        #expect(try TopologyParser.parse(topology(), catalog: catalog).agents?.relay == .tree)
        let none = try TopologyParser.parse(topology(agents: nil, eastus: nil), catalog: catalog)
        #expect(none.agents == nil && none.regions.allSatisfy { $0.agent == nil })
        // The key in a file alone is enough.
        #expect(try TopologyParser.parse(topology(agents: #""keyFile": "/etc/vmib/agent.key""#), catalog: catalog).agents?.keyFile == "/etc/vmib/agent.key")
    }

    @Test(arguments: [
        // The agents section.
        (topology(agents: #""keyEnv": "K", "key": "s3cret""#), "topology: agents.key", "the key may not be written into the topology"),
        (topology(agents: #""keyEnv": "K", "shape": "tree""#), "topology: agents.shape", "allowed: origin, keyEnv, keyFile, relay"),
        (topology(agents: #""relay": "tree""#), "topology: agents", "keyEnv"),
        (topology(agents: #""keyEnv": """#), "topology: agents.keyEnv", "non-empty string"),
        (topology(agents: #""keyEnv": "K", "relay": "mesh""#), "topology: agents.relay", "allowed: tree, star"),
        (#"{"agents": {"keyEnv": "K"}, "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "e"}}}]}"#,
         "topology: agents.origin", "is required"),
        (#"{"agents": [], "regions": [{"name": "eastus", "storage": {"Standard_LRS": {"kind": "directory", "path": "e"}}}]}"#,
         "topology: agents", "expected an object"),
        // The origin's agent.
        (topology(agents: #""keyEnv": "K""#).replacingOccurrences(of: #""uplinkBytesPerSecond": 8000000}, "keyEnv""#, with: #""uplinkBytesPerSecond": 0}, "keyEnv""#),
         "topology: agents.origin.uplinkBytesPerSecond", "1…10000000000000"),
        (topology(agents: #""keyEnv": "K""#).replacingOccurrences(of: #", "uplinkBytesPerSecond": 8000000}, "keyEnv""#, with: #"}, "keyEnv""#),
         "topology: agents.origin.uplinkBytesPerSecond", "is required"),
        (topology(agents: #""keyEnv": "K""#).replacingOccurrences(of: "http://127.0.0.1:7100", with: "http://127.0.0.1:7100/agent"),
         "topology: agents.origin.endpoint", "no path"),
        (topology(agents: #""keyEnv": "K""#).replacingOccurrences(of: "http://127.0.0.1:7100", with: "ftp://127.0.0.1:7100"),
         "topology: agents.origin.endpoint", "http(s) URL"),
        (topology(agents: #""keyEnv": "K""#).replacingOccurrences(of: "http://127.0.0.1:7100", with: "http://user:pw@127.0.0.1:7100"),
         "topology: agents.origin.endpoint", "http(s) URL"),
        (topology(agents: #""keyEnv": "K""#).replacingOccurrences(of: #"8000000}, "keyEnv""#, with: #"8000000, "fetchFrom": ["eastus"]}, "keyEnv""#),
         "topology: agents.origin.fetchFrom", "allowed: endpoint, uplinkBytesPerSecond, downlinkBytesPerSecond"),
        // A region's agent.
        (topology(eastus: #"{"endpoint": "http://127.0.0.1:7101", "uplinkBytesPerSecond": 8000000}"#),
         "topology: regions[0].agent.downlinkBytesPerSecond", "is required"),
        (topology(eastus: #"{"endpoint": "http://127.0.0.1:7101", "uplinkBytesPerSecond": 8000000, "downlinkBytesPerSecond": 2.5}"#),
         "topology: regions[0].agent.downlinkBytesPerSecond", "an integer in 1…10000000000000"),
        (topology(eastus: #"{"endpoint": "http://127.0.0.1:7101", "uplinkBytesPerSecond": 1e14, "downlinkBytesPerSecond": 1}"#),
         "topology: regions[0].agent.uplinkBytesPerSecond", "an integer in 1…10000000000000"),
        (topology(eastus: #"{"endpoint": "127.0.0.1:7101", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1}"#),
         "topology: regions[0].agent.endpoint", "http(s) URL with a host"),
        (topology(eastus: #"{"endpoint": "http://127.0.0.1:7101", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "key": "x"}"#),
         "topology: regions[0].agent.key", "the key may not be written into the topology"),
        (topology(eastus: #"{"endpoint": "http://127.0.0.1:7101", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "uplink": 5}"#),
         "topology: regions[0].agent.uplink", "allowed: endpoint, uplinkBytesPerSecond, downlinkBytesPerSecond, fetchFrom"),
        (topology(eastus: "7101"), "topology: regions[0].agent", "expected an object"),
        (topology(agents: nil), "topology: regions[0].agent", "top-level \"agents\""),
        // fetchFrom.
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": []}"#),
         "topology: regions[1].agent.fetchFrom", "non-empty array"),
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": "origin"}"#),
         "topology: regions[1].agent.fetchFrom", "non-empty array"),
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": ["origin", "westus"]}"#),
         "topology: regions[1].agent.fetchFrom[1]", "not a region of this topology with an agent; allowed: origin, eastus"),
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": ["westeurope"]}"#),
         "topology: regions[1].agent.fetchFrom[0]", "not a region of this topology with an agent"),
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": ["eastsu"]}"#),
         "topology: regions[1].agent.fetchFrom[0]", "unknown region 'eastsu'"),
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": ["eastus2"]}"#),
         "topology: regions[1].agent.fetchFrom[0]", "does not fetch from itself"),
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": ["origin", "origin"]}"#),
         "topology: regions[1].agent.fetchFrom[1]", "listed twice"),
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7102", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1, "fetchFrom": [7]}"#),
         "topology: regions[1].agent.fetchFrom[0]", "non-empty string"),
        // Endpoints.
        (topology(eastus2: #"{"endpoint": "http://127.0.0.1:7101/", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1}"#),
         "topology: regions[1].agent.endpoint", "already the endpoint of regions[0].agent"),
        (topology(eastus: #"{"endpoint": "HTTP://127.0.0.1:7100", "uplinkBytesPerSecond": 1, "downlinkBytesPerSecond": 1}"#),
         "topology: regions[0].agent.endpoint", "already the endpoint of agents.origin"),
    ])
    func malformedAgentsNameTheFieldAndWhatIsAllowed(text: String, field: String, expected: String) {
        do {
            _ = try TopologyParser.parse(text, catalog: catalog)
            Issue.record("accepted \(text)")
        } catch let e as DomainError {
            #expect(e.field == .named(field), "\(e)")
            #expect(e.message.contains(expected), "\(e)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
