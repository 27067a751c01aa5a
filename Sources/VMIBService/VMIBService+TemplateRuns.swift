import Foundation
import VMIBBuild
import VMIBCore
import VMIBStore

extension VMIBService {
    /// Records a new run (Running/Queued) with its staging area. A template with Windows
    /// customizers fails at once: there is no Windows build host.
    /// - Throws: `DomainError`/`StoreError` when the template is missing or a run is active.
    public func startRun(_ key: TemplateKey) throws -> TemplateRun {
        let details = try templateDetails(key)
        if let last = details.lastRun, last.state.isActive, !workerAlive(last) { try finishAbandoned(last) }
        let guid = UUID().uuidString.lowercased()
        let staging = "\(stagingRoot)/IT_\(key.resourceGroup)_\(key.name)_\(guid)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: staging + "/customization.log", contents: nil)
        var run = TemplateRun(id: guid, template: key, state: .Running, subState: .Queued, message: "queued",
                              startTime: Date(), staging: staging, workerPID: getpid())
        if let w = details.template.customize.first(where: { if case .windows = $0 { true } else { false } }) {
            run.state = .Failed
            run.subState = nil
            run.endTime = Date()
            run.message = "customizer '\(w.name)' (\(w.typeName)) needs a Windows build host, and none is configured; this deployment builds Linux images only"
        }
        do { try templateStore.createRun(run) } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        return run
    }

    public func run(id: String) throws -> TemplateRun {
        guard let r = try templateStore.run(id: id) else { throw DomainError.notFound("--run-id", "run '\(id)' does not exist") }
        return r
    }

    /// Carries a recorded run out to its end state. A cancel request (`cancelRun`, from any
    /// process) is noticed within a fraction of a second and kills the customizer's tree.
    @discardableResult
    public func executeRun(id: String) async throws -> TemplateRun {
        var run = try self.run(id: id)
        guard run.state == .Running else { return run }
        run.workerPID = getpid()
        try templateStore.updateRun(run)
        let details = try templateDetails(run.template)
        let template = details.template
        let log = try BuildLog(path: run.staging + "/customization.log")
        let minute = Double(configuration.environment["VMIB_BUILD_MINUTE_SECONDS"] ?? "") ?? 60
        let deadline = ContinuousClock.now + .milliseconds(Int64(Double(template.buildTimeoutInMinutes) * minute * 1000))
        log.line("run \(run.id) of \(run.template.id): build region \(template.location), timeout \(template.buildTimeoutInMinutes) min")

        let store = templateStore
        let progress: @Sendable (RunSubState, String) async -> Void = { sub, message in
            guard var r = try? store.run(id: id), r.state == .Running else { return }
            r.subState = sub; r.message = message
            try? store.updateRun(r)
        }
        let snapshot = run
        let work = Task { [snapshot] () throws -> [RunOutput] in
            let source = try self.resolveSource(template.source)
            await progress(.Building, "fetching source \(source.exact)")
            let local = try await self.fetchSource(source, log: log)
            let built = try await ImageBuilder.build(
                BuildJob(source: local, customizers: template.customize, workspace: snapshot.staging, deadline: deadline,
                         timeoutMinutes: template.buildTimeoutInMinutes, cache: self.downloadCache),
                log: log) { phase in
                    switch phase {
                    case .building: await progress(.Building, "preparing the disk")
                    case .customizing: await progress(.Customizing, "running \(template.customize.count) customizer(s)")
                    }
                }
            try Task.checkCancellation()
            await progress(.Distributing, "distributing to \(template.distribute.count) target(s)")
            log.line("distributing to \(template.distribute.map { "\($0.typeName) '\($0.runOutputName)'" }.joined(separator: ", "))")
            return try await self.distribute(template, built: built, source: source, run: snapshot, log: log)
        }
        let watcher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                if (try? store.run(id: id))?.state == .Canceling { work.cancel(); return }
            }
        }
        let result = await work.result
        watcher.cancel()

        run = try self.run(id: id)
        run.endTime = Date()
        run.subState = nil
        var keepWorkspace = false
        switch result {
        case .success(let outputs):
            let ok = outputs.filter { $0.provisioningState == "Succeeded" }.count
            run.state = ok == outputs.count ? .Succeeded : ok == 0 ? .Failed : .PartiallySucceeded
            run.message = outputs.map { "\($0.name): \($0.provisioningState)\($0.message.map { " (\($0))" } ?? "")" }.joined(separator: "; ")
        case .failure(let error):
            if error is CancellationError || run.state == .Canceling {
                run.state = .Canceled
                run.message = "canceled by request; the customizer's processes were killed"
            } else {
                run.state = .Failed
                run.message = "\(error)"
                keepWorkspace = template.errorHandling.onCustomizerError == .abort
            }
        }
        log.line("run \(run.state.rawValue): \(run.message)")
        if keepWorkspace {
            log.line("errorHandling.onCustomizerError is abort: the workspace is kept for inspection in \(run.staging)")
        } else {
            cleanIntermediates(run.staging)
        }
        try templateStore.updateRun(run)
        return run
    }

    private func fetchSource(_ source: ResolvedSource, log: BuildLog) async throws -> String {
        if let path = source.localPath {
            guard FileManager.default.fileExists(atPath: path) else { throw BuildError(.source, "the disk of \(source.exact) is missing (\(path))") }
            return path
        }
        let got = try await downloadCache.fetch(source.url!, sha256: source.sha256, what: "source \(source.exact)")
        log.line("source \(source.exact): \(got.outcome == .hit ? "cache hit" : "downloaded \(source.url!)"), SHA-256 \(source.sha256 ?? "") verified")
        return got.path
    }

    /// Removes work disks, unpacked trees and downloads; keeps the log and the outputs.
    func cleanIntermediates(_ staging: String) {
        for name in ["work.raw", "rootfs", "downloads", "mnt", "image.vhd"] {
            try? FileManager.default.removeItem(atPath: "\(staging)/\(name)")
        }
    }

    /// Asks the active run of a template to stop; the run ends Canceled.
    public func cancelRun(_ key: TemplateKey) throws -> TemplateRun {
        let details = try templateDetails(key)
        guard let run = details.lastRun, run.state.isActive else {
            throw DomainError(.refused, field: "--name", "image template '\(key.name)' has no run in progress")
        }
        if !workerAlive(run) { return try finishAbandoned(run, canceled: true) }
        _ = try templateStore.requestCancel(runID: run.id, message: "cancel requested")
        return try self.run(id: run.id)
    }

    func workerAlive(_ run: TemplateRun) -> Bool {
        guard let pid = run.workerPID else { return false }
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Ends a run whose worker died (killed, crashed).
    @discardableResult
    func finishAbandoned(_ run: TemplateRun, canceled: Bool = false) throws -> TemplateRun {
        var r = run
        r.state = canceled ? .Canceled : .Failed
        r.subState = nil
        r.endTime = Date()
        r.message = canceled ? "canceled; the run's worker had already stopped" : "the run's worker process stopped before the run ended"
        try templateStore.updateRun(r)
        cleanIntermediates(r.staging)
        return r
    }

    /// The last run's customization.log.
    public func runLog(_ key: TemplateKey) throws -> (run: TemplateRun, text: String) {
        guard let run = try templateDetails(key).lastRun else {
            throw DomainError(.refused, field: "--name", "image template '\(key.name)' has not been run")
        }
        return (run, (try? String(contentsOfFile: run.staging + "/customization.log", encoding: .utf8)) ?? "")
    }

    public func runOutputs(_ key: TemplateKey) throws -> [RunOutput] {
        _ = try templateDetails(key)
        return try templateStore.runOutputs(of: key)
    }
}
