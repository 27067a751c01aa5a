import Foundation
import VMIBBuild
import VMIBCore
import VMIBTransfer

extension Runs {
    /// Runs every distributor concurrently, each with the run's VHD (when one needs it,
    /// packaged before); each yields a run output, Succeeded or Failed. Each published
    /// version is checkpointed: a resumed run waits for the version it published instead of
    /// publishing another one.
    func distribute(_ template: ImageTemplate, built: BuiltImage, source: ResolvedSource, run: TemplateRun, workspace: RunWorkspace,
                    log: BuildLog, checkpoint: RunCheckpointFile, replication: RunReplication) async throws -> [RunOutput] {
        let vhd = workspace.vhd
        let outputs = await withTaskGroup(of: RunOutput.self) { group in
            for d in template.distribute {
                group.addTask {
                    do {
                        let o = try await self.distribute(d, template: template, built: built, vhd: vhd, source: source, run: run,
                                                          workspace: workspace, log: log, checkpoint: checkpoint, replication: replication)
                        log.line("distributor \(d.typeName) '\(d.runOutputName)': Succeeded \(o.artifactId ?? o.artifactUri ?? "")")
                        return o
                    } catch {
                        // A stopped run records no outputs (checkCancellation below): this one is not a failure.
                        log.line("distributor \(d.typeName) '\(d.runOutputName)': "
                                 + (error is CancellationError || Task.isCancelled ? "stopped" : "Failed: \(error)"))
                        return RunOutput(name: d.runOutputName, runID: run.id, type: d.typeName, artifactId: nil, artifactUri: nil,
                                         provisioningState: "Failed", message: "\(error)")
                    }
                }
            }
            var all: [RunOutput] = []
            for await o in group { all.append(o) }
            return all
        }
        try Task.checkCancellation()
        for o in outputs { try templateStore.saveRunOutput(o, of: run.template, fence: runFence(run.id)) }
        return template.distribute.compactMap { d in outputs.first { $0.name == d.runOutputName } }
    }

    private func distribute(_ d: TemplateDistributor, template: ImageTemplate, built: BuiltImage, vhd: String,
                            source: ResolvedSource, run: TemplateRun, workspace: RunWorkspace, log: BuildLog,
                            checkpoint: RunCheckpointFile, replication: RunReplication) async throws -> RunOutput {
        switch d {
        case .vhd(let name, let uri):
            let destination = try VHDOutput(roots: configuration.outputRoots).write(vhd, uri: uri, name: name, workspace: workspace)
            return RunOutput(name: name, runID: run.id, type: "VHD", artifactId: nil, artifactUri: "file://\(destination)",
                             provisioningState: "Succeeded")
        case .managedImage(let name, let id, let location):
            let dir = "\(configuration.stateDirectory)/managedImages/\(location)/\(id.resourceGroup)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = "\(dir)/\(id.name).raw"
            let digest = try FileDigest.copy(built.disk, to: path)
            try templateStore.saveManagedImage(ManagedImageRecord(id: id, location: location, path: path, sha256: digest.sha256,
                                                                  sizeBytes: digest.size, createdAt: Date()))
            return RunOutput(name: name, runID: run.id, type: "ManagedImage", artifactId: id.id, artifactUri: "file://\(path)",
                             provisioningState: "Succeeded")
        case .sharedImage(let name, let s):
            let ref = try await publishOnce(name, s, vhd: vhd, source: source, log: log, checkpoint: checkpoint)
            let (state, status) = try await replicated(ref, by: replication)
            guard state == .Succeeded else {
                let failed = status.summary.filter { $0.state == .Failed }.map { "\($0.region) (\($0.details))" }
                throw DomainError(.refused, "version \(ref.version) replication \(state.rawValue): \(failed.joined(separator: "; "))")
            }
            return RunOutput(name: name, runID: run.id, type: "SharedImage", artifactId: ref.id, artifactUri: nil,
                             provisioningState: "Succeeded")
        }
    }

    /// The version a SharedImage distributor publishes: the one this run already published
    /// (recorded in the checkpoint, and published from this run's VHD), else a new one, whose
    /// number is checkpointed before it is published.
    private func publishOnce(_ name: String, _ s: SharedImageDistribution, vhd: String, source: ResolvedSource, log: BuildLog,
                             checkpoint: RunCheckpointFile) async throws -> VersionRef {
        let label = "distributor SharedImage '\(name)'"
        let recorded = checkpoint.value.published[name].flatMap { try? VersionNumber(parsing: $0) }
        let existing = try recorded.flatMap { try store.version(s.image.version($0)) }
        let situation: RunEngine.RecordedVersion = recorded == nil ? .none
            : existing == nil ? .unpublished
            : existing?.storageProfile.sourcePath == ServiceConfiguration.absolute(vhd) ? .publishedByThisRun : .publishedByOthers
        let number: VersionNumber
        switch RunEngine.publication(situation) {
        case .awaitReplication:
            log.line("\(label): version \(recorded!) was published by this run before the interruption; waiting for its replication")
            return existing!.ref
        case .publishRecorded:
            number = recorded!
        case .chooseNumber(let again):
            if again { log.line("\(label): version \(recorded!) was published by someone else meanwhile; choosing the number again") }
            let taken = try root.versions.list(of: s.image).map(\.ref.version)
            let sourceVersion = source.exactVersion.flatMap { try? VersionNumber(parsing: $0) }
            guard let next = s.versioning.next(existing: taken, sourceVersion: sourceVersion) else {
                throw DomainError.invalid(.named("versioning"), "Source versioning needs a Major.Minor.Patch source version; the source's is '\(source.exactVersion ?? "none")'")
            }
            number = next
            try checkpoint.update { $0.published[name] = number.description }
        }
        let version = try await root.versions.publish(PublishRequest(
            image: s.image, version: number.description, disk: vhd,
            targetRegions: s.targetRegions.map { TargetRegionRequest(name: $0.name, regionalReplicaCount: $0.replicaCount,
                                                                     storageAccountType: $0.storageAccountType?.rawValue) },
            excludeFromLatest: s.excludeFromLatest, replicationMode: s.replicationMode))
        log.line("\(label): published version \(number)")
        return version.ref
    }

    /// Waits until every region of a published version is Completed or Failed.
    private func replicated(_ ref: VersionRef, by replication: RunReplication) async throws -> (ProvisioningState, ReplicationStatus) {
        switch replication {
        case .inline:
            let outcome = try await root.versions.reconcile(ref)
            return (outcome.state, outcome.status)
        case .controller(let poll):
            while true {
                let d = try root.versions.details(ref)
                switch d.version.provisioningState {
                case .Succeeded, .Failed: return (d.version.provisioningState, d.status)
                case .Deleting: throw DomainError(.refused, "version \(ref.version) is being deleted")
                case .Creating, .Updating: try await Task.sleep(for: poll)
                }
            }
        }
    }
}
