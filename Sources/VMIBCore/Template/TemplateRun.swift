import Foundation

/// A template's address: `/subscriptions/S/resourceGroups/RG/providers/Microsoft.VirtualMachineImages/imageTemplates/T`.
public struct TemplateKey: Sendable, Hashable, Codable {
    public var subscription: String
    public var resourceGroup: String
    public var name: String
    public init(subscription: String, resourceGroup: String, name: String) {
        self.subscription = subscription; self.resourceGroup = resourceGroup; self.name = name
    }
    public var id: String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/\(ImageTemplate.resourceType)/\(name)"
    }
}

/// A stored template: the accepted body, verbatim.
public struct TemplateRecord: Sendable, Hashable {
    public var key: TemplateKey
    public var body: String
    public var createdAt: Date
    /// Bumped by every change of the template (its ETag).
    public var generation: Int64
    /// The principal that created it (the API's caller; nil from the embedded CLI).
    public var createdBy: String?
    /// The principal of the last update, and when it was.
    public var lastModifiedBy: String?
    public var lastModifiedAt: Date?
    public init(key: TemplateKey, body: String, createdAt: Date, generation: Int64 = 1, createdBy: String? = nil,
                lastModifiedBy: String? = nil, lastModifiedAt: Date? = nil) {
        self.key = key; self.body = body; self.createdAt = createdAt; self.generation = generation
        self.createdBy = createdBy; self.lastModifiedBy = lastModifiedBy; self.lastModifiedAt = lastModifiedAt
    }
}

/// Azure's RunState.
public enum RunState: String, Sendable, Hashable, Codable, CaseIterable {
    case Running, Canceling, Succeeded, PartiallySucceeded, Failed, Canceled
    public var isActive: Bool { self == .Running || self == .Canceling }
}

/// Azure's RunSubState (the ones vmib goes through).
public enum RunSubState: String, Sendable, Hashable, Codable, CaseIterable {
    case Queued, Building, Customizing, Validating, Distributing
}

/// One execution of a template.
public struct TemplateRun: Sendable, Hashable, Codable {
    public var id: String
    public var template: TemplateKey
    public var state: RunState
    public var subState: RunSubState?
    public var message: String
    public var startTime: Date
    public var endTime: Date?
    /// The run's staging area, `IT_<resourceGroup>_<templateName>_<guid>`.
    public var staging: String
    /// The process carrying the run out (for `--no-wait` runs).
    public var workerPID: Int32?
    /// The trigger that started the run, and the source version it started it for (nil: a
    /// person or autoRun started it).
    public var triggeredBy: RunTrigger?

    public init(id: String, template: TemplateKey, state: RunState, subState: RunSubState?, message: String,
                startTime: Date, endTime: Date? = nil, staging: String, workerPID: Int32? = nil, triggeredBy: RunTrigger? = nil) {
        self.id = id; self.template = template; self.state = state; self.subState = subState; self.message = message
        self.startTime = startTime; self.endTime = endTime; self.staging = staging; self.workerPID = workerPID
        self.triggeredBy = triggeredBy
    }
}

/// What a distributor produced (Azure's runOutputs).
public struct RunOutput: Sendable, Hashable, Codable {
    public var name: String
    public var runID: String
    public var type: String
    public var artifactId: String?
    public var artifactUri: String?
    /// Succeeded, Failed, Creating.
    public var provisioningState: String
    public var message: String?

    public init(name: String, runID: String, type: String, artifactId: String?, artifactUri: String?,
                provisioningState: String, message: String? = nil) {
        self.name = name; self.runID = runID; self.type = type; self.artifactId = artifactId
        self.artifactUri = artifactUri; self.provisioningState = provisioningState; self.message = message
    }
}

/// A managed image made by a ManagedImage distributor.
public struct ManagedImageRecord: Sendable, Hashable {
    public var id: ManagedImageID
    public var location: String
    public var path: String
    public var sha256: String
    public var sizeBytes: Int64
    public var createdAt: Date
    public init(id: ManagedImageID, location: String, path: String, sha256: String, sizeBytes: Int64, createdAt: Date) {
        self.id = id; self.location = location; self.path = path; self.sha256 = sha256; self.sizeBytes = sizeBytes; self.createdAt = createdAt
    }
}
