/// Why a request to the domain was refused. Errors name the field concerned (semantically:
/// each edge, the CLI and the HTTP API, renders it in its own words) and what is allowed,
/// so that every edge can print one clear line.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// A value is malformed or out of range.
        case invalidArgument
        /// A named resource does not exist.
        case notFound
        /// A resource with that name already exists.
        case alreadyExists
        /// The request is well formed but not allowed in the current state.
        case refused
        /// The request was conditional (If-Match, --if-match) and the resource has changed
        /// since: the caller's view is stale, nothing was written.
        case preconditionFailed
    }

    public var code: Code
    /// The field concerned, if any.
    public var field: Field?
    public var message: String

    public init(_ code: Code, field: Field? = nil, _ message: String) {
        self.code = code; self.field = field; self.message = message
    }

    public static func invalid(_ field: Field, _ message: String) -> DomainError {
        DomainError(.invalidArgument, field: field, message)
    }

    public static func notFound(_ field: Field, _ message: String) -> DomainError {
        DomainError(.notFound, field: field, message)
    }

    /// For logs and run messages: the field by its neutral name.
    public var description: String {
        if let field { return "\(field): \(message)" }
        return message
    }
}

/// What a refusal is about. The CLI renders a field as its option (`--target-region`), the
/// API as the request's parameter or member (`properties.publishingProfile.targetRegions`);
/// neither edge's words live in the domain.
public enum Field: Hashable, Sendable, CustomStringConvertible {
    // The resources a request addresses.
    case subscription, resourceGroup, location, gallery, image, version, template, runID, trigger
    // A template's trigger.
    case triggerKind
    // An image definition.
    case osType, osState, hyperVGeneration, publisher, offer, sku
    // A version.
    case disk, targetRegions, removeRegions, excludeRegionsFromLatest, includeRegionsInLatest, replicaCount, endOfLife
    case expectedDeployments, ifMatch, replicationMode
    /// One member of the i-th target region a request gave (`targetRegions[1].name`).
    case targetRegion(Int, TargetRegionMember)
    // Latest, rollback and lifecycle.
    case region, rollbackTarget, undo, lifecycleState, replacement
    // A template given as a deployment template, and its parameters.
    case templateDocument, templateParameter
    // This deployment's configuration.
    case topology
    /// A member of a document by its path (`properties.customize[0].inline`, a topology's
    /// `regions[1].storage`), or a setting only one edge has: both edges show it as it is.
    case named(String)

    /// Every field but `named`.
    public static let semantic: [Field] = [
        .subscription, .resourceGroup, .location, .gallery, .image, .version, .template, .runID, .trigger, .triggerKind,
        .osType, .osState, .hyperVGeneration, .publisher, .offer, .sku,
        .disk, .targetRegions, .removeRegions, .excludeRegionsFromLatest, .includeRegionsInLatest, .replicaCount, .endOfLife,
        .expectedDeployments, .ifMatch, .replicationMode, .region, .rollbackTarget, .undo, .lifecycleState, .replacement,
        .templateDocument, .templateParameter, .topology,
    ]

    /// A neutral name (for logs, and for the wire, where `init(name:)` reads it back).
    public var description: String {
        switch self {
        case .subscription: "subscription"
        case .resourceGroup: "resourceGroup"
        case .location: "location"
        case .gallery: "gallery"
        case .image: "image"
        case .version: "version"
        case .template: "template"
        case .runID: "runId"
        case .trigger: "trigger"
        case .triggerKind: "triggerKind"
        case .osType: "osType"
        case .osState: "osState"
        case .hyperVGeneration: "hyperVGeneration"
        case .publisher: "publisher"
        case .offer: "offer"
        case .sku: "sku"
        case .disk: "disk"
        case .targetRegions: "targetRegions"
        case .removeRegions: "removeRegions"
        case .excludeRegionsFromLatest: "excludeRegionsFromLatest"
        case .includeRegionsInLatest: "includeRegionsInLatest"
        case .replicaCount: "replicaCount"
        case .endOfLife: "endOfLife"
        case .expectedDeployments: "expectedDeployments"
        case .ifMatch: "ifMatch"
        case .replicationMode: "replicationMode"
        case .targetRegion(let i, let member): "targetRegions[\(i)].\(member.rawValue)"
        case .region: "region"
        case .rollbackTarget: "rollbackTarget"
        case .undo: "undo"
        case .lifecycleState: "lifecycleState"
        case .replacement: "replacement"
        case .templateDocument: "templateDocument"
        case .templateParameter: "templateParameter"
        case .topology: "topology"
        case .named(let name): name
        }
    }

    /// The field a neutral name stands for (any other name is `named`).
    public init(name: String) {
        if let field = Self.semantic.first(where: { $0.description == name }) { self = field; return }
        let prefix = "targetRegions["
        if name.hasPrefix(prefix), let close = name.firstIndex(of: "]"),
           let i = Int(name[name.index(name.startIndex, offsetBy: prefix.count)..<close]),
           name[close...].hasPrefix("]."), let member = TargetRegionMember(rawValue: String(name[name.index(close, offsetBy: 2)...])) {
            self = .targetRegion(i, member)
            return
        }
        self = .named(name)
    }
}
