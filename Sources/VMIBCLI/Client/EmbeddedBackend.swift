import Foundation
import VMIBCore
import VMIBReplication
import VMIBService

/// The commands' backend on this machine's state directory: the service itself, its
/// controller running in this process.
struct EmbeddedBackend: VMIBBackend {
    let service: VMIBService

    var subscription: String { service.subscription }

    func galleryRef(resourceGroup: String, name: String) throws -> GalleryRef {
        try service.galleries.ref(resourceGroup: resourceGroup, name: name)
    }
    func createGallery(_ ref: GalleryRef, description: String?) throws -> Gallery { try service.galleries.create(ref, description: description) }
    func gallery(_ ref: GalleryRef) throws -> Gallery { try service.galleries.get(ref) }
    func galleries(resourceGroup: String?) throws -> [Gallery] { try service.galleries.list(resourceGroup: resourceGroup) }
    func deleteGallery(_ ref: GalleryRef) throws { try service.galleries.delete(ref) }

    func createImage(_ r: ImageRequest) throws -> ImageDefinition { try service.images.create(r) }
    func image(_ ref: ImageRef) throws -> ImageDefinition { try service.images.get(ref) }
    func images(in gallery: GalleryRef) throws -> [ImageDefinition] { try service.images.list(in: gallery) }
    func deleteImage(_ ref: ImageRef) throws { try service.images.delete(ref) }

    func publish(_ request: PublishRequest) async throws -> ImageVersion { try await service.versions.publish(request) }
    func update(_ r: UpdateRequest) throws -> ImageVersion { try service.versions.update(r) }
    func versions(of image: ImageRef) throws -> [ImageVersion] { try service.versions.list(of: image) }
    func details(_ ref: VersionRef) throws -> VersionDetails { try service.versions.details(ref) }
    func deprecate(_ ref: VersionRef, state: String, replacement: String?) throws -> ImageVersion {
        try service.versions.deprecate(ref, state: state, replacement: replacement)
    }

    func deleteVersion(_ ref: VersionRef, force: Bool, ifMatch: Int64?) async throws {
        try service.versions.beginDelete(ref, force: force, ifMatch: ifMatch)
        try await service.versions.purge(ref)
    }

    func replicate(_ ref: VersionRef, requeueFailed: Bool, progress: LiveProgress) async throws -> ReplicationEnd {
        let versions = service.versions
        if try versions.details(ref).version.provisioningState == .Deleting {
            // An interrupted delete: finish it.
            try await versions.purge(ref)
            return .deleted
        }
        let outcome = try await progress.watch(service, ref) {
            try await versions.reconcile(ref, requeueFailed: requeueFailed, observer: progress)
        }
        var settled = try versions.details(ref)
        settled.version.provisioningState = outcome.state
        settled.status = outcome.status
        return .settled(settled)
    }

    func verify(_ ref: VersionRef, deep: Bool, progress: LiveProgress) async throws -> (findings: [ScrubFinding]?, end: ReplicationEnd) {
        let versions = service.versions
        let report = try await progress.watch(service, ref) {
            try await versions.verify(ref, deep: deep, observer: progress)
        }
        return (report.findings, .settled(try versions.details(ref)))
    }

    func latestVersion(of image: ImageRef, region: String?) throws -> ImageVersion { try service.versions.latest(of: image, region: region) }

    func resolveVersion(_ image: ImageRef, version: String, region: String?) throws -> (version: ImageVersion, warning: String?) {
        let r = try service.versions.resolve(image, version: version, region: region)
        return (r.version, r.warning)
    }

    func rollbackImage(_ image: ImageRef, to: String?, region: String?, undo: Bool, principal: String) throws -> RollbackEntry {
        undo ? try service.images.undoRollback(image, principal: principal)
             : try service.images.rollback(image, to: to, region: region, principal: principal)
    }

    func rollbackHistory(_ image: ImageRef) throws -> [RollbackEntry] { try service.images.history(image) }

    func servedRegions() -> (regions: [RegionInfo], topology: String) { (service.regions(), service.topology.name) }

    func templateKey(resourceGroup: String, name: String) throws -> TemplateKey {
        try service.templates.key(resourceGroup: resourceGroup, name: name)
    }
    func createTemplate(_ request: CreateTemplateRequest) throws -> CreateTemplateResult { try service.templates.create(request) }
    func updateTemplate(_ key: TemplateKey, patch: JSONValue) throws -> TemplateDetails { try service.templates.update(key, patch: patch) }
    func templateDetails(_ key: TemplateKey) throws -> TemplateDetails { try service.templates.details(key) }
    func templates(resourceGroup: String?) throws -> [TemplateDetails] { try service.templates.list(resourceGroup: resourceGroup) }
    func deleteTemplate(_ key: TemplateKey) throws { try service.templates.delete(key) }
    func cancelRun(_ key: TemplateKey) throws -> TemplateRun { try service.runs.cancel(key) }
    func runOutputs(_ key: TemplateKey) throws -> [RunOutput] { try service.runs.outputs(key) }
    func runs(_ key: TemplateKey) throws -> [TemplateRun] { try service.runs.list(key) }
    func plan(_ key: TemplateKey) throws -> TemplatePlan { try service.templates.plan(key) }
    func runLogText(_ key: TemplateKey) throws -> String { try service.runs.log(key).text }
    func publishPlan(_ request: PublishRequest) throws -> TransferPlan { try service.versions.plan(request) }
    func usage(since: Date?, by: UsageGrouping, resourceGroup: String?) throws -> UsageReport {
        try service.usage.report(resourceGroup: resourceGroup, since: since, by: by)
    }

    func runTemplate(_ key: TemplateKey, wait: Bool) async throws -> TemplateRun {
        guard wait else {
            // A `vmib template run-worker` carries it out, so that this command can return.
            return try service.runs.startInBackground(key, worker: worker)
        }
        let run = try service.runs.start(key)
        return run.state == .Running ? try await service.runs.execute(id: run.id) : run
    }

    /// The command line of a `vmib template run-worker` for a recorded run.
    private func worker(_ r: TemplateRun) -> [String] {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let state = service.configuration.stateDirectory, topology = service.configuration.topologyFile
        let minute = BuildMinuteOption.arguments(service.configuration.buildMinute)
        return [exe, "template", "run-worker", "--run-id", r.id, "--state-dir", state] + (topology.map { ["--topology", $0] } ?? []) + minute
    }

    func triggerKey(_ template: TemplateKey, name: String) throws -> TriggerKey { try service.triggers.key(template, name: name) }
    func createTrigger(_ key: TriggerKey, kind: TriggerKind) throws -> (trigger: TemplateTrigger, created: Bool) {
        try service.triggers.create(key, kind: kind)
    }
    func trigger(_ key: TriggerKey) throws -> TemplateTrigger { try service.triggers.get(key) }
    func triggers(of template: TemplateKey) throws -> [TemplateTrigger] { try service.triggers.list(template) }
    func deleteTrigger(_ key: TriggerKey) throws { try service.triggers.delete(key) }

    /// Embedded, nothing checks triggers on its own: this does, once, and each run it
    /// starts goes on in a worker process (with `wait`, here, one after the other).
    func checkTriggers(wait: Bool) async throws -> [TemplateRun] {
        let checked = try service.triggers.checkAll()
        if let (key, error) = checked.failed.first { throw CLIFailure(message: "trigger \(key.name) of \(key.template.name): \(error)", exitCode: 1) }
        var runs: [TemplateRun] = []
        for run in checked.started {
            if wait {
                runs.append(run.state == .Running ? try await service.runs.execute(id: run.id) : run)
            } else {
                runs.append(try service.runs.carryOutInBackground(run, worker: worker))
            }
        }
        return runs
    }
}
