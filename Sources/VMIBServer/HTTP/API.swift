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
        let subscription = try context.parameters.require("subscriptionId")
        let rg = resourceGroupLevel ? try context.parameters.require("resourceGroupName") : nil
        try context.authorize(access, subscription: subscription, resourceGroup: rg, action: action)
        try APIVersion.require(request, supported: apiVersions)
        guard subscription.lowercased() == api.service.subscription.lowercased() else {
            throw ARMError(.notFound, code: "SubscriptionNotFound", "The subscription '\(subscription)' could not be found.", target: "subscriptionId")
        }
        if let rg {
            do { try ResourceName.validateResourceGroup(rg, field: "resourceGroupName") } catch let e as DomainError { throw ARMError(e) }
        }
        return ScopeParams(subscription: api.service.subscription, resourceGroup: rg)
    }
}

/// CLI option names the service reports in errors, as the request's parameters and members.
enum FieldNames {
    static let common: [String: String] = [
        "--resource-group": "resourceGroupName", "--gallery": "galleryName", "--image": "galleryImageName",
        "--version": "galleryImageVersionName",
        "--os-type": "properties.osType", "--os-state": "properties.osState",
        "--hyper-v-generation": "properties.hyperVGeneration", "--publisher": "properties.identifier.publisher",
        "--offer": "properties.identifier.offer", "--sku": "properties.identifier.sku",
        "--target-region": "properties.publishingProfile.targetRegions",
        "--remove-region": "properties.publishingProfile.targetRegions",
        "--exclude-region-from-latest": "properties.publishingProfile.targetRegions",
        "--include-region-in-latest": "properties.publishingProfile.targetRegions",
        "--replica-count": "properties.publishingProfile.replicaCount",
        "--end-of-life": "properties.publishingProfile.endOfLifeDate",
        "--disk": "properties.storageProfile.source",
    ]

    static func with(name: String) -> [String: String] { common.merging(["--name": name]) { $1 } }
}

/// Runs a service call, turning its errors into ARM errors that name request members.
func armCall<T>(_ names: [String: String] = FieldNames.common, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw ARMError.from(error, fields: names) }
}

func armCall<T>(_ names: [String: String] = FieldNames.common, _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw ARMError.from(error, fields: names) }
}
