import Foundation
import Testing
@testable import VMIBCore

@Suite struct TransferPlanTests {
    static let size: Int64 = 64 << 20
    static let chunk: Int64 = 1 << 20
    static let targets: [TransferPlan.Target] = [
        .init(region: "eastus", replicas: 2, storageAccountType: "Standard_LRS"),
        .init(region: "eastus2", replicas: 1, storageAccountType: "Standard_LRS"),
        .init(region: "westus", replicas: 1, storageAccountType: "Standard_LRS"),
        .init(region: "westus2", replicas: 1, storageAccountType: "Standard_LRS"),
        .init(region: "centralus", replicas: 1, storageAccountType: "Standard_LRS"),
    ]

    /// Agents at 8 MB/s each way in eastus, eastus2, westus; centralus's may fetch only from
    /// westeurope, which is no target; westus2 has none.
    static let relay: TransferPlan.RelayInput = {
        func agent(_ port: Int, fetchFrom: [String]? = nil) -> AgentLink {
            AgentLink(endpoint: "http://127.0.0.1:\(port)", uplinkBytesPerSecond: 8_000_000, downlinkBytesPerSecond: 8_000_000, fetchFrom: fetchFrom)
        }
        return TransferPlan.RelayInput(
            settings: AgentSettings(origin: agent(7100), keyEnv: "K", keyFile: nil),
            agents: ["eastus": agent(7101), "eastus2": agent(7102), "westus": agent(7103), "centralus": agent(7104, fetchFrom: ["westeurope"])],
            chunkSize: chunk)
    }()

    static let prices = PriceSheet(storagePerGiBMonth: ["Standard_LRS": ["default": 0.05]],
                                   transferPerGiB: ["origin->eastus": 0.01, "eastus->eastus2": 0.03, "inRegion": 0, "default": 0.02])

    @Test func linksIntoAgentRegionsFollowTheRelayTreeAndTheRestComeFromTheOrigin() throws {
        let plan = TransferPlan.make(sizeBytes: Self.size, targets: Self.targets, prices: Self.prices, relay: Self.relay)
        #expect(plan.links.map { "\($0.from)>\($0.to)" } == ["origin>eastus", "eastus>eastus", "eastus>eastus2", "eastus2>westus",
                                                             "origin>westus2", "origin>centralus"])
        #expect(plan.movedBytes == 5 * Self.size && plan.inRegionBytes == Self.size && plan.storedBytes == 6 * Self.size)

        let relay = try #require(plan.relay)
        #expect(relay.shape == "tree" && relay.rateBytesPerSecond == 8_000_000 && relay.depth == 3)
        #expect(relay.regions.map(\.region) == ["eastus", "eastus2", "westus"])
        #expect(relay.regions.map(\.parent) == ["origin", "eastus", "eastus2"])
        #expect(relay.regions.last?.sources == ["eastus2", "eastus", "origin"])
        #expect(relay.excluded.map(\.region) == ["centralus"])
        #expect(relay.excluded.first?.reason.hasPrefix("fed by the origin over its storage, as without an agent: no source its agent may fetch from (fetchFrom: westeurope)") == true)
        #expect(relay.withoutAgent == ["westus2"])
        // The image at 8 MB/s, and a chunk per hop for the pipeline to fill.
        #expect(relay.estimatedSeconds == Double(Self.size + 3 * Self.chunk) / 8_000_000)
        #expect(relay.note.contains("delta may move less"))
    }

    @Test func eachLinkIsPricedAsTheLinkFromTheParent() throws {
        let plan = TransferPlan.make(sizeBytes: Self.size, targets: Self.targets, prices: Self.prices, relay: Self.relay)
        let gib = Double(Self.size) / PriceSheet.gib
        // origin→eastus 0.01, the in-region copy 0, eastus→eastus2 0.03, eastus2→westus and
        // the two links from the origin the default 0.02.
        let e = try #require(plan.estimate)
        #expect(abs(e.transfers - gib * (0.01 + 0 + 0.03 + 0.02 + 0.02 + 0.02)) < 1e-12, "\(e)")
        #expect(e.unpriced.isEmpty)
        // Without the default, the region-to-region links are named as unpriced.
        var bare = Self.prices
        bare.transferPerGiB["default"] = nil
        let unpriced = TransferPlan.make(sizeBytes: Self.size, targets: Self.targets, prices: bare, relay: Self.relay).estimate?.unpriced
        #expect(unpriced == ["transfer eastus2 → westus", "transfer origin → westus2", "transfer origin → centralus"])
    }

    @Test func withoutAgentsEveryRegionIsFedByTheOriginAndTheJSONIsUnchanged() throws {
        let plan = TransferPlan.make(sizeBytes: Self.size, targets: Self.targets, prices: nil)
        #expect(plan.relay == nil)
        #expect(plan.links.filter { !$0.inRegion }.allSatisfy { $0.from == UsageLink.origin })
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan)) as? [String: Any])
        #expect(Set(json.keys) == ["links", "movedBytes", "inRegionBytes", "storedBytes"])

        let relayed = TransferPlan.make(sizeBytes: Self.size, targets: Self.targets, prices: Self.prices, relay: Self.relay)
        #expect(try JSONDecoder().decode(TransferPlan.self, from: JSONEncoder().encode(relayed)) == relayed)
    }

    @Test func aTopologyWithAgentsGivesTheRelayInput() throws {
        var topology = DeploymentTopology(name: "t", regions: ["eastus", "westus"].map {
            DeploymentTopology.Region(name: $0, displayName: $0, storage: [(.Standard_LRS, .directory(path: $0))], limits: .default)
        })
        #expect(TransferPlan.RelayInput(topology: topology) == nil)
        let link = AgentLink(endpoint: "http://127.0.0.1:7101", uplinkBytesPerSecond: 1, downlinkBytesPerSecond: 1)
        topology.agents = AgentSettings(origin: link, keyEnv: "K", keyFile: nil, relay: .star)
        topology.regions[1].agent = link
        let input = try #require(TransferPlan.RelayInput(topology: topology))
        #expect(input.agents == ["westus": link] && input.settings.relay == .star && input.chunkSize == topology.chunkSize)
    }
}
