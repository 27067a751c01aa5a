import Foundation
import VMIBCore
import VMIBReplication
import VMIBService

/// What the gallery, image and version commands need of vmib: the embedded service (this
/// machine's state directory) or a running server (`--server URL`). The commands print the
/// same tables and JSON and exit with the same codes either way.
protocol VMIBBackend: Sendable {
    var subscription: String { get }
    /// Checks the names locally (bad input never reaches a server).
    func galleryRef(resourceGroup: String, name: String) throws -> GalleryRef

    func createGallery(_ ref: GalleryRef, description: String?) async throws -> Gallery
    func gallery(_ ref: GalleryRef) async throws -> Gallery
    func galleries(resourceGroup: String?) async throws -> [Gallery]
    func deleteGallery(_ ref: GalleryRef) async throws

    func createImage(_ r: ImageRequest) async throws -> ImageDefinition
    func image(_ ref: ImageRef) async throws -> ImageDefinition
    func images(in gallery: GalleryRef) async throws -> [ImageDefinition]
    func deleteImage(_ ref: ImageRef) async throws

    func publish(_ request: PublishRequest) async throws -> ImageVersion
    /// What a publish would move and store, after its checks; changes nothing.
    func publishPlan(_ request: PublishRequest) async throws -> TransferPlan
    func update(_ r: UpdateRequest) async throws -> ImageVersion
    func versions(of image: ImageRef) async throws -> [ImageVersion]
    func details(_ ref: VersionRef) async throws -> VersionDetails

    func latestVersion(of image: ImageRef, region: String?) async throws -> ImageVersion
    func resolveVersion(_ image: ImageRef, version: String, region: String?) async throws -> (version: ImageVersion, warning: String?)
    /// `undo`: revert the last rollback (to and region are then nil).
    func rollbackImage(_ image: ImageRef, to: String?, region: String?, undo: Bool, principal: String) async throws -> RollbackEntry
    func rollbackHistory(_ image: ImageRef) async throws -> [RollbackEntry]
    func deprecate(_ ref: VersionRef, state: String, replacement: String?) async throws -> ImageVersion
    /// Deletes a version (its replicas in every region, then the record) and returns when it
    /// is gone. `force`: even while it is the target of the latest rollback.
    func deleteVersion(_ ref: VersionRef, force: Bool, ifMatch: Int64?) async throws

    /// Brings a version to its desired state: embedded, the controller runs here (`progress`
    /// shows it); against a server, its controller does the work and this polls. With
    /// `requeueFailed`, failed replicas are tried again and an interrupted delete finishes.
    func replicate(_ ref: VersionRef, requeueFailed: Bool, progress: LiveProgress) async throws -> ReplicationEnd
    /// Re-verifies the version's Completed replicas and re-makes the missing or corrupt ones.
    /// What each check found comes back when the checks ran here (embedded); a server's
    /// controller checks on its own pass, and then only the version's end state is known.
    func verify(_ ref: VersionRef, deep: Bool, progress: LiveProgress) async throws -> (findings: [ScrubFinding]?, end: ReplicationEnd)

    /// The regions served and the topology's name.
    func servedRegions() async throws -> (regions: [RegionInfo], topology: String)

    /// Checks the names locally.
    func templateKey(resourceGroup: String, name: String) throws -> TemplateKey
    func createTemplate(_ request: CreateTemplateRequest) async throws -> CreateTemplateResult
    /// Azure's template update (tags, identity, properties.distribute, properties.vmProfile).
    func updateTemplate(_ key: TemplateKey, patch: JSONValue) async throws -> TemplateDetails
    func templateDetails(_ key: TemplateKey) async throws -> TemplateDetails
    func templates(resourceGroup: String?) async throws -> [TemplateDetails]
    func deleteTemplate(_ key: TemplateKey) async throws
    /// Starts a run: with `wait`, returns it as it ended; else as recorded (it goes on in a
    /// worker process, or on the server).
    func runTemplate(_ key: TemplateKey, wait: Bool) async throws -> TemplateRun
    func cancelRun(_ key: TemplateKey) async throws -> TemplateRun
    func runOutputs(_ key: TemplateKey) async throws -> [RunOutput]
    /// Every run of the template, newest first.
    func runs(_ key: TemplateKey) async throws -> [TemplateRun]
    func plan(_ key: TemplateKey) async throws -> TemplatePlan
    /// The last run's customization.log.
    func runLogText(_ key: TemplateKey) async throws -> String

    /// Checks the trigger's name locally (embedded) or leaves it to the server.
    func triggerKey(_ template: TemplateKey, name: String) throws -> TriggerKey
    /// Azure's trigger PUT: created, or the existing one unchanged.
    func createTrigger(_ key: TriggerKey, kind: TriggerKind) async throws -> (trigger: TemplateTrigger, created: Bool)
    func trigger(_ key: TriggerKey) async throws -> TemplateTrigger
    func triggers(of template: TemplateKey) async throws -> [TemplateTrigger]
    func deleteTrigger(_ key: TriggerKey) async throws
    /// Checks every trigger once and starts the runs they fire (embedded; a server checks
    /// its own every --trigger-interval seconds).
    func checkTriggers(wait: Bool) async throws -> [TemplateRun]
    /// Usage figures: storage now, moves and runs since `since`, summarized `by`.
    func usage(since: Date?, by: UsageGrouping, resourceGroup: String?) async throws -> UsageReport
}

/// How a version's replication ended, for a command to report.
enum ReplicationEnd: Sendable {
    /// The version was being deleted, and that delete finished.
    case deleted
    /// Every region is Completed or Failed: the version as it then is.
    case settled(VersionDetails)
}
