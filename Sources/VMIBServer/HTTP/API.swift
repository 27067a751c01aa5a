import Foundation
import Hummingbird
import VMIBCore
import VMIBService

/// What every route shares: the service (the application's one API), the server's settings
/// and its metrics.
public final class API: Sendable {
    public let service: VMIBService
    public let settings: ServerSettings
    public let metrics: ServerMetrics
    /// Where template runs go to be carried out (the server's `TemplateRunService`).
    public let runInbox = TemplateRunInbox()
    /// Versions' JSON by the tag it was rendered at (`$expand` is the variant).
    let versionRenders = RenderCache<VersionTag>()
    /// Galleries' and image definitions' JSON by the record and envelope it was rendered from.
    let galleryRenders = RenderCache<RenderInputs<Gallery>>()
    let imageRenders = RenderCache<RenderInputs<ImageDefinition>>()

    public init(service: VMIBService, settings: ServerSettings, metrics: ServerMetrics) {
        self.service = service; self.settings = settings; self.metrics = metrics
    }

    /// The server's home region (`--location`, default the topology's first region): where
    /// its operations live, and the location of resources made without a PUT (by the CLI
    /// or a template run). A resource created through the API reports its own.
    var location: String { settings.location ?? service.topology.regions.first?.name ?? "local" }
}

/// Settings of `vmib serve` that shape the API.
public struct ServerSettings: Sendable {
    /// The server's home region (see `API.location`).
    public var location: String?
    /// Directories a version's `storageProfile.source.uri` may name a disk in (realpath
    /// prefix); empty: file sources are refused.
    public var sourceRoots: [String]
    /// Seconds a client should wait between polls of an operation.
    public var retryAfterSeconds: Int
    /// Whether the server speaks HTTPS (for the URLs it hands out).
    public var https: Bool

    public init(location: String? = nil, sourceRoots: [String] = [], retryAfterSeconds: Int = 1, https: Bool = false) {
        self.location = location; self.sourceRoots = sourceRoots; self.retryAfterSeconds = retryAfterSeconds; self.https = https
    }
}

/// The scope part of a Resource Manager path, checked in the order Azure checks it: who
/// may do this here (403), api-version (400), the subscription served (404).
struct ScopeParams {
    var subscription: String
    var resourceGroup: String?

    static func check(_ request: Request, _ context: ARMRequestContext, api: API, access: Access, action: String,
                      apiVersions: [String] = APIVersion.compute, resourceGroupLevel: Bool = true) throws -> ScopeParams {
        let subscription = try context.parameters.name("subscriptionId")
        let rg = resourceGroupLevel ? try context.parameters.name("resourceGroupName") : nil
        try context.authorize(access, subscription: subscription, resourceGroup: rg, action: action)
        try APIVersion.require(request, supported: apiVersions)
        guard let served = api.service.served(subscription) else {
            throw ARMError(.notFound, code: "SubscriptionNotFound", "The subscription '\(subscription)' could not be found.", target: "subscriptionId")
        }
        if let rg {
            do { try ResourceName.validateResourceGroup(rg) } catch let e as DomainError { throw ARMError(e) }
        }
        return ScopeParams(subscription: served, resourceGroup: rg)
    }
}

/// The domain's fields as the API names them: the request's parameters and members.
enum APIFields {
    static func name(_ field: Field) -> String {
        switch field {
        case .subscription: "subscriptionId"
        case .resourceGroup: "resourceGroupName"
        case .location: "location"
        case .gallery: "galleryName"
        case .image: "galleryImageName"
        case .version: "galleryImageVersionName"
        case .template: "imageTemplateName"
        case .runID: "runId"
        case .trigger: "triggerName"
        case .triggerKind: "properties.kind"
        case .osType: "properties.osType"
        case .osState: "properties.osState"
        case .hyperVGeneration: "properties.hyperVGeneration"
        case .publisher: "properties.identifier.publisher"
        case .offer: "properties.identifier.offer"
        case .sku: "properties.identifier.sku"
        case .disk: "properties.storageProfile.source"
        case .targetRegions, .removeRegions, .excludeRegionsFromLatest, .includeRegionsInLatest:
            "properties.publishingProfile.targetRegions"
        case .replicaCount: "properties.publishingProfile.replicaCount"
        case .endOfLife: "properties.publishingProfile.endOfLifeDate"
        case .expectedDeployments: "properties.vmib.expectedDeployments"
        case .ifMatch: "If-Match"
        case .replicationMode: "properties.publishingProfile.replicationMode"
        case .targetRegion(let i, let member): "properties.publishingProfile.targetRegions[\(i)].\(member.rawValue)"
        case .region: "region"
        case .rollbackTarget: "to"
        case .undo: "undo"
        case .lifecycleState: "state"
        case .replacement: "replacement"
        case .templateDocument: "body"
        case .templateParameter: "parameters"
        case .topology: "topology"
        case .named(let name): name
        }
    }
}

/// Runs a service call, turning its errors into ARM errors that name request members
/// (`names`: where this route names a field otherwise than `APIFields`).
func armCall<T>(_ names: [Field: String] = [:], _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw ARMError.from(error, fields: names) }
}

func armCall<T>(_ names: [Field: String] = [:], _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw ARMError.from(error, fields: names) }
}
