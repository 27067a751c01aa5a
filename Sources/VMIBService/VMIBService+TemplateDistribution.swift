import Foundation
import VMIBBuild
import VMIBCore
import VMIBTransfer

extension VMIBService {
    /// Runs every distributor concurrently; each yields a run output, Succeeded or Failed.
    func distribute(_ template: ImageTemplate, built: BuiltImage, source: ResolvedSource, run: TemplateRun, log: BuildLog) async throws -> [RunOutput] {
        // One fixed VHD of the result, shared by the distributors that need it.
        let needsVHD = template.distribute.contains { if case .managedImage = $0 { false } else { true } }
        let vhd = run.staging + "/image.vhd"
        if needsVHD {
            let size = try await DiskPackager.fixedVHD(from: built.disk, to: vhd)
            log.line("packaged a fixed VHD of \(size) bytes")
        }
        let outputs = await withTaskGroup(of: RunOutput.self) { group in
            for d in template.distribute {
                group.addTask {
                    do {
                        let o = try await self.distribute(d, template: template, built: built, vhd: vhd, source: source, run: run)
                        log.line("distributor \(d.typeName) '\(d.runOutputName)': Succeeded \(o.artifactId ?? o.artifactUri ?? "")")
                        return o
                    } catch {
                        log.line("distributor \(d.typeName) '\(d.runOutputName)': Failed: \(error)")
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
        for o in outputs { try templateStore.saveRunOutput(o, of: run.template) }
        return template.distribute.compactMap { d in outputs.first { $0.name == d.runOutputName } }
    }

    private func distribute(_ d: TemplateDistributor, template: ImageTemplate, built: BuiltImage, vhd: String,
                            source: ResolvedSource, run: TemplateRun) async throws -> RunOutput {
        switch d {
        case .vhd(let name, let uri):
            let destination = uri.map { String($0.dropFirst("file://".count)) } ?? "\(run.staging)/\(name).vhd"
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: destination)
            _ = try FileDigest.copy(vhd, to: destination)
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
            let existing = try versions(of: s.image).map(\.ref.version)
            let sourceVersion = source.exactVersion.flatMap { try? VersionNumber(parsing: $0) }
            guard let number = s.versioning.next(existing: existing, sourceVersion: sourceVersion) else {
                throw DomainError.invalid("versioning", "Source versioning needs a Major.Minor.Patch source version; the source's is '\(source.exactVersion ?? "none")'")
            }
            let version = try publish(PublishRequest(
                image: s.image, version: number.description, disk: vhd,
                targetRegions: s.targetRegions.map { TargetRegionRequest(name: $0.name, regionalReplicaCount: $0.replicaCount,
                                                                         storageAccountType: $0.storageAccountType?.rawValue) },
                excludeFromLatest: s.excludeFromLatest))
            let outcome = try await reconcile(version.ref)
            guard outcome.state == .Succeeded else {
                let failed = outcome.status.summary.filter { $0.state == .Failed }.map { "\($0.region) (\($0.details))" }
                throw DomainError(.refused, "version \(number) replication \(outcome.state.rawValue): \(failed.joined(separator: "; "))")
            }
            return RunOutput(name: name, runID: run.id, type: "SharedImage", artifactId: version.ref.id, artifactUri: nil,
                             provisioningState: "Succeeded")
        }
    }
}
