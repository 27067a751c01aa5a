import Foundation
import VMIBCore
import VMIBStore

/// Triggers on image templates (Azure's imageTemplates/triggers, kind SourceImage): a
/// template whose source is a gallery or marketplace image at `latest` runs once for each
/// new version of it. `check` is what fires them: the server calls it on a timer, the
/// embedded CLI when asked (`vmib template trigger check`).
public struct Triggers: ServicePart {
    let root: VMIBService
}

extension Triggers {
    /// The key of a trigger, its name checked.
    public func key(_ template: TemplateKey, name: String) throws -> TriggerKey {
        try ResourceName.validateTrigger(name)
        return TriggerKey(template: template, name: name)
    }

    /// Azure's PUT of a trigger: creates it, recording the source's latest version now, so
    /// that only a later version starts a run. The same PUT again changes nothing.
    /// - Throws: `DomainError` when the template does not exist, or its source is not one a
    ///   trigger can follow (an exact version, a managed image).
    /// - Parameter authorize: checks the template's resources against whoever creates the
    ///   trigger: its runs start with no caller, so the creator must be one who may run it.
    public func create(_ key: TriggerKey, kind: TriggerKind, principal: String? = nil,
                       authorize: (ImageTemplate) throws -> Void = { _ in }) throws -> (trigger: TemplateTrigger, created: Bool) {
        let template = try root.templates.details(key.template).template
        if let existing = try templateStore.trigger(key) { return (existing, false) }
        guard template.source.followsLatest else {
            throw DomainError(.refused, field: .triggerKind,
                              "a SourceImage trigger follows a source taken at latest, and image template '\(key.template.name)' takes \(describe(template.source)), which never changes; give its properties.source a SharedImageVersion id ending in /versions/latest, or a PlatformImage with version latest")
        }
        try authorize(template)
        let now = Date()
        let seen = observe(template.source, lastTriggered: nil, at: now)
        let trigger = TemplateTrigger(key: key, kind: kind, createdAt: now, createdBy: principal,
                                      lastSourceVersion: seen.latest, status: seen.status)
        try templateStore.createTrigger(trigger)
        // As stored (its times as the store keeps them), so that it reads back equal.
        return (try templateStore.trigger(key) ?? trigger, true)
    }

    public func get(_ key: TriggerKey) throws -> TemplateTrigger {
        _ = try root.templates.details(key.template)
        guard let t = try templateStore.trigger(key) else {
            throw DomainError.notFound(.trigger, "image template '\(key.template.name)' has no trigger '\(key.name)'")
        }
        return t
    }

    public func list(_ template: TemplateKey) throws -> [TemplateTrigger] {
        _ = try root.templates.details(template)
        return try templateStore.triggers(of: template)
    }

    /// Deletes a trigger; a run it started goes on.
    public func delete(_ key: TriggerKey) throws {
        _ = try get(key)
        try templateStore.deleteTrigger(key)
    }

    /// Checks a trigger: when its template's source has a version higher than any it has
    /// seen and the template has no active run, starts one run for that version (returned;
    /// the caller carries it out). Records the trigger's status either way. Two processes
    /// checking at once start one run between them (`TemplateStore.fireTrigger`).
    public func check(_ trigger: TemplateTrigger, now: Date = Date()) throws -> TemplateRun? {
        let details = try root.templates.details(trigger.key.template)
        let seen = observe(details.template.source, lastTriggered: trigger, at: now)
        let active = details.lastRun.flatMap { $0.state.isActive ? $0.id : nil }
        switch trigger.decide(latest: seen.latest, activeRun: active) {
        case .idle:
            try record(seen.status, on: trigger)
            return nil
        case .wait(let version, let run):
            try record(TriggerStatus(code: .Enabled, message: "source version \(version) is new; it starts a run when run \(run) ends", time: now), on: trigger)
            return nil
        case .fire(let version):
            let fired = TriggerStatus(code: .Enabled, message: "source version \(version) started a run", time: now)
            return try root.runs.start(trigger, version: version, status: fired)
        }
    }

    /// Checks every trigger of the served subscriptions; the runs they started, and the
    /// triggers that could not be checked with why.
    public func checkAll(now: Date = Date()) throws -> (started: [TemplateRun], failed: [(TriggerKey, any Error)]) {
        var started: [TemplateRun] = [], failed: [(TriggerKey, any Error)] = []
        for t in try templateStore.triggers(of: nil) where root.served(t.key.template.subscription) != nil {
            do { if let run = try check(t, now: now) { started.append(run) } } catch { failed.append((t.key, error)) }
        }
        return (started, failed)
    }

    /// The source's latest version now (nil: none yet, or it cannot be read: the status is
    /// Disabled then, saying why), and the status that makes for the trigger.
    private func observe(_ source: TemplateSource, lastTriggered t: TemplateTrigger?, at now: Date) -> (latest: String?, status: TriggerStatus) {
        let latest: String?
        do { latest = try root.templates.latestVersion(of: source) } catch {
            return (nil, TriggerStatus(code: .Disabled, message: "cannot follow \(describe(source)): \((error as? DomainError)?.message ?? "\(error)")", time: now))
        }
        var message = "follows \(describe(source))"
        message += latest.map { "; latest is \($0)" } ?? "; it has no version yet"
        if let v = t?.lastTriggeredVersion { message += "; last triggered by \(v)" + (t?.lastRunID.map { " (run \($0))" } ?? "") }
        return (latest, TriggerStatus(code: .Enabled, message: message, time: now))
    }

    /// Writes a status only when it says something new, so that a quiet trigger checked
    /// every few seconds keeps the time of its last change.
    private func record(_ status: TriggerStatus, on t: TemplateTrigger) throws {
        guard status.code != t.status.code || status.message != t.status.message else { return }
        try templateStore.setTriggerStatus(t.key, status, seen: nil)
    }

    private func describe(_ source: TemplateSource) -> String {
        switch source {
        case .sharedImageVersion(let image, let v): "gallery image \(image.gallery.gallery)/\(image.image) at \(v?.description ?? "latest")"
        case .platformImage(let p, let o, let s, let v): "platform image \(p):\(o):\(s) at \(v)"
        case .managedImage(let id): "managed image \(id.name)"
        }
    }
}
