import VMIBCore
import VMIBReplication
import VMIBStore

/// One noun of the service (`Galleries`, `Images`, `Versions`, `Templates`, `Runs`): its use
/// cases, over what the root (`VMIBService`) holds for all of them.
protocol ServicePart: Sendable {
    var root: VMIBService { get }
}

extension ServicePart {
    var configuration: ServiceConfiguration { root.configuration }
    var catalog: RegionCatalog { root.catalog }
    var topology: DeploymentTopology { root.topology }
    var store: any StateStore { root.store }
    var templateStore: any TemplateStore { root.templateStore }
    var origin: OriginStore { root.origin }
    var subscription: String { root.subscription }
    func replication() throws -> ReplicationController { try root.replication() }
}
