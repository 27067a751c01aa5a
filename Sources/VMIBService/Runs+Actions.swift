import Foundation
import VMIBBuild
import VMIBCore

extension Runs {
    /// Carries a run's actions out, in the order the run engine names them from the run's
    /// checkpoint: a finished build (and VHD) is kept, an interrupted build starts over on
    /// a fresh work disk (customizers never run on a half-customized disk).
    func carryOut(_ template: ImageTemplate, run: TemplateRun, workspace: RunWorkspace, checkpoint: RunCheckpointFile,
                  deadline: ContinuousClock.Instant, log: BuildLog, progress: @escaping @Sendable (RunSubState, String) async -> Void,
                  replication: RunReplication, stopReason: @escaping @Sendable () -> String) async throws -> RunResult {
        let needsVHD = template.distribute.contains { if case .managedImage = $0 { false } else { true } }
        var engine = RunEngine(workspace.situation(of: checkpoint.value),
                               plan: .init(needsVHD: needsVHD, sourceValidationOnly: template.validation.sourceValidationOnly))
        var result = RunResult(outputs: [], validationFailure: nil, sourceValidationOnly: false)
        var built: (image: BuiltImage, source: ResolvedSource)?
        func builtSoFar() throws -> (image: BuiltImage, source: ResolvedSource) {
            guard let built else { throw BuildError(.internal, "the run engine went on without a built disk") }
            return built
        }
        while true {
            switch engine.next() {
            case .startOver(let buildLost):
                if workspace.killLeftoverVM() { log.line("killed the build VM that the stopped server left running") }
                if buildLost { log.line("checkpoint built: the customized disk is missing or changed; building again") }
                workspace.cleanForRebuild()
                try checkpoint.update { $0.built = nil; $0.vhd = nil; $0.source = nil }
                log.line("building again from the source, on a fresh work disk")
            case .build:
                built = try await build(template, workspace: workspace, checkpoint: checkpoint, deadline: deadline, log: log,
                                        progress: progress, stopReason: stopReason)
            case .reuseBuild:
                let saved = checkpoint.value
                guard let image = saved.built, let s = saved.source else { throw BuildError(.internal, "the checkpoint has no build to reuse") }
                log.line("checkpoint built: the customized disk \(image.disk) is in place; not building again")
                built = (image, ResolvedSource(type: s.type, exact: s.exact, exactVersion: s.exactVersion, osType: s.osType))
            case .skipDistribution:
                try Task.checkCancellation()
                log.line("validate.sourceValidationOnly: the source passed its validators; nothing is distributed")
                result.sourceValidationOnly = true
            case .startDistributing:
                try Task.checkCancellation()
                await progress(.Distributing, "distributing to \(template.distribute.count) target(s)")
                log.line("distributing to \(template.distribute.map { "\($0.typeName) '\($0.runOutputName)'" }.joined(separator: ", "))")
            case .package:
                // One fixed VHD of the result, shared by the distributors that need it.
                let image = try builtSoFar().image
                let size = try await DiskPackager.fixedVHD(from: image.disk, to: workspace.vhd)
                // Packaging rounds the raw disk up to a whole MiB: record the size it has now.
                try checkpoint.update {
                    $0.vhd = .init(path: workspace.vhd, sizeBytes: size)
                    $0.built?.sizeBytes = RunCheckpoint.size(of: image.disk) ?? image.sizeBytes
                }
                log.line("packaged a fixed VHD of \(size) bytes")
            case .reusePackage:
                log.line("checkpoint packaged: the VHD (\(checkpoint.value.vhd?.sizeBytes ?? 0) bytes) is in place; not packaging again")
            case .distribute:
                let (image, source) = try builtSoFar()
                result.outputs = try await distribute(template, built: image, source: source, run: run, workspace: workspace, log: log,
                                                      checkpoint: checkpoint, replication: replication)
                result.validationFailure = image.validationFailure
            case .end:
                return result
            }
        }
    }

    /// A fresh build: the source resolved and fetched, the work disk made and customized in
    /// the build VM; checkpointed as built.
    private func build(_ template: ImageTemplate, workspace: RunWorkspace, checkpoint: RunCheckpointFile, deadline: ContinuousClock.Instant,
                       log: BuildLog, progress: @escaping @Sendable (RunSubState, String) async -> Void,
                       stopReason: @escaping @Sendable () -> String) async throws -> (BuiltImage, ResolvedSource) {
        let source = try root.templates.resolveSource(template.source)
        var job = BuildJob(source: "", customizers: template.customize, workspace: workspace.path, deadline: deadline,
                           timeoutMinutes: template.buildTimeoutInMinutes, cache: root.templates.downloadCache, stopReason: stopReason)
        try await configureVM(&job, template: template, log: log)
        await progress(.Building, "fetching source \(source.exact)")
        job.source = try await withDeadline(deadline, minutes: template.buildTimeoutInMinutes, what: "fetching the source") {
            try await self.fetchSource(source, log: log)
        }
        let built = try await ImageBuilder.build(fetching(job), log: log) { phase in
            switch phase {
            case .building: await progress(.Building, "preparing the disk")
            case .customizing: await progress(.Customizing, "running \(template.customize.count) customizer(s) in the build VM")
            case .validating: await progress(.Validating, "running \(template.validation.inVMValidations.count) validator(s) in the build VM")
            }
        }
        try checkpoint.update {
            $0.source = .init(type: source.type, exact: source.exact, exactVersion: source.exactVersion, osType: source.osType)
            $0.built = built
        }
        log.line("checkpoint built: \(built.disk), \(built.sizeBytes) bytes")
        return (built, source)
    }

    private func fetchSource(_ source: ResolvedSource, log: BuildLog) async throws -> String {
        if let path = source.localPath {
            guard FileManager.default.fileExists(atPath: path) else { throw BuildError(.source, "the disk of \(source.exact) is missing (\(path))") }
            return path
        }
        let got = try await root.templates.downloadCache.fetch(source.url!, sha256: source.sha256, what: "source \(source.exact)")
        log.line("source \(source.exact): \(got.outcome == .hit ? "cache hit" : "downloaded \(source.url!)"), SHA-256 \(source.sha256 ?? "") verified")
        return got.path
    }

    /// A build job with the addresses its customizers' fetches may reach: public ones only
    /// when this process serves others and the topology does not allow private networks.
    private func fetching(_ job: BuildJob) -> BuildJob {
        var job = job
        job.fetchAddresses = configuration.servesOthers && !topology.fetchFromPrivateNetworks ? .publicOnly : .any
        return job
    }
}
