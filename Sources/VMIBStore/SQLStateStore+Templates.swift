import Foundation
import VMIBCore

extension SQLStateStore: TemplateStore {
    private static let keyWhere = "subscription=? AND resource_group=? AND name=?"
    private static func args(_ k: TemplateKey) -> [any SQLBindable] { [k.subscription, k.resourceGroup, k.name] }
    private static func runArgs(_ k: TemplateKey) -> [any SQLBindable] { [k.subscription, k.resourceGroup, k.name] }

    public func createTemplate(_ r: TemplateRecord) throws {
        try write { db in
            if try self.exists(db, "SELECT 1 FROM templates WHERE \(Self.keyWhere)", Self.args(r.key)) {
                throw StoreError(.alreadyExists, "image template '\(r.key.name)' already exists in resource group '\(r.key.resourceGroup)'")
            }
            try db.execute("INSERT INTO templates (subscription, resource_group, name, body, created_at, created_by) VALUES (?,?,?,?,?,?)", [r.key.subscription, r.key.resourceGroup, r.key.name, r.body, r.createdAt.timeIntervalSince1970, r.createdBy])
        }
    }

    public func template(_ key: TemplateKey) throws -> TemplateRecord? {
        try read { db in
            try db.row("SELECT * FROM templates WHERE \(Self.keyWhere)", Self.args(key)).map(Self.templateRecord)
        }
    }

    public func templates(subscription: String, resourceGroup: String?) throws -> [TemplateRecord] {
        try read { db in
            try db.rows("SELECT * FROM templates WHERE subscription=? AND (? IS NULL OR resource_group=?) ORDER BY resource_group, name", [subscription, resourceGroup, resourceGroup]).map(Self.templateRecord)
        }
    }

    public func deleteTemplate(_ key: TemplateKey) throws {
        try write { db in
            if try self.exists(db, "SELECT 1 FROM template_runs WHERE subscription=? AND resource_group=? AND template=? AND state IN ('Running','Canceling')", Self.runArgs(key)) {
                throw StoreError(.refused, "image template '\(key.name)' has a run in progress; cancel it first (vmib template cancel)")
            }
            if try db.execute("DELETE FROM templates WHERE \(Self.keyWhere)", Self.args(key)) == 0 {
                throw StoreError(.notFound, "image template '\(key.name)' does not exist in resource group '\(key.resourceGroup)'")
            }
        }
    }

    public func replaceTemplateBody(_ key: TemplateKey, body: String, by principal: String?) throws {
        try write { db in
            if try self.exists(db, "SELECT 1 FROM template_runs WHERE subscription=? AND resource_group=? AND template=? AND state IN ('Running','Canceling')", Self.runArgs(key)) {
                throw StoreError(.refused, "image template '\(key.name)' has a run in progress; it can be updated when the run ends or after a cancel (vmib template cancel)")
            }
            let updated = try db.execute("UPDATE templates SET body=?, generation=generation+1, last_modified_by=?, last_modified_at=? WHERE \(Self.keyWhere)",
                                         [body, principal, Date().timeIntervalSince1970] + Self.args(key))
            if updated == 0 {
                throw StoreError(.notFound, "image template '\(key.name)' does not exist in resource group '\(key.resourceGroup)'")
            }
        }
    }

    public func createRun(_ r: TemplateRun) throws {
        try write { db in try self.insertRun(db, r) }
    }

    private func activeRun(_ db: any SQLSession, of key: TemplateKey) throws -> String? {
        try db.one(String.self, "SELECT id FROM template_runs WHERE subscription=? AND resource_group=? AND template=? AND state IN ('Running','Canceling')", Self.runArgs(key))
    }

    private func insertRun(_ db: any SQLSession, _ r: TemplateRun) throws {
        if let active = try activeRun(db, of: r.template) {
            throw StoreError(.refused, "image template '\(r.template.name)' already has a run in progress (\(active)); wait for it or cancel it")
        }
        try db.execute("""
            INSERT INTO template_runs (id, subscription, resource_group, template, state, sub_state, message, start_time, end_time, staging, worker_pid,
                                       trigger_name, trigger_source_version)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
            """, [r.id, r.template.subscription, r.template.resourceGroup, r.template.name, r.state.rawValue,
                             r.subState?.rawValue, r.message, r.startTime.timeIntervalSince1970, r.endTime?.timeIntervalSince1970,
                             r.staging, r.workerPID, r.triggeredBy?.trigger, r.triggeredBy?.sourceVersion])
    }

    public func updateRun(_ r: TemplateRun, fence: Fence?) throws {
        try write { db in
            try Self.refuseStale(db, fence)
            // A cancel request wins over a worker's progress report: Canceling is only left for an end state.
            let current = try db.one(String.self, "SELECT state FROM template_runs WHERE id=?", [r.id])
            var state = r.state
            if current == RunState.Canceling.rawValue && state == .Running { state = .Canceling }
            // The run's minutes are counted once, in the transaction that records its end.
            if let end = r.endTime, let row = try db.row("SELECT start_time FROM template_runs WHERE id=? AND end_time IS NULL", [r.id]) {
                let location = try db.one(String.self, "SELECT body FROM templates WHERE subscription=? AND resource_group=? AND name=?", Self.runArgs(r.template)).flatMap(Self.location)
                var event = UsageEvent.build(template: r.template, runID: r.id, start: Date(timeIntervalSince1970: row["start_time"]), end: end)
                event.to = location
                try Self.insertUsage(db, event)
            }
            try db.execute("UPDATE template_runs SET state=?, sub_state=?, message=CASE WHEN ?='Canceling' AND state='Canceling' THEN message ELSE ? END, end_time=?, worker_pid=? WHERE id=?", [state.rawValue, r.subState?.rawValue, state.rawValue, r.message, r.endTime?.timeIntervalSince1970, r.workerPID, r.id])
        }
    }

    public func run(id: String) throws -> TemplateRun? {
        try read { db in try db.row("SELECT * FROM template_runs WHERE id=?", [id]).map(Self.templateRun) }
    }

    public func runs(of key: TemplateKey) throws -> [TemplateRun] {
        try read { db in
            try db.rows("SELECT * FROM template_runs WHERE subscription=? AND resource_group=? AND template=? ORDER BY seq DESC", Self.runArgs(key)).map(Self.templateRun)
        }
    }

    public func requestCancel(runID: String, message: String) throws -> Bool {
        try write { db in
            try db.execute("UPDATE template_runs SET state='Canceling', message=? WHERE id=? AND state='Running'", [message, runID]) > 0
        }
    }

    public func saveRunOutput(_ o: RunOutput, of key: TemplateKey, fence: Fence?) throws {
        try write { db in
            try Self.refuseStale(db, fence)
            try db.execute("""
                INSERT INTO run_outputs (subscription, resource_group, template, name, run_id, type, artifact_id, artifact_uri,
                    provisioning_state, message) VALUES (?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (subscription, resource_group, template, name) DO UPDATE SET run_id=excluded.run_id, type=excluded.type,
                    artifact_id=excluded.artifact_id, artifact_uri=excluded.artifact_uri,
                    provisioning_state=excluded.provisioning_state, message=excluded.message
                """, [
                key.subscription, key.resourceGroup, key.name, o.name, o.runID, o.type, o.artifactId, o.artifactUri,
                o.provisioningState, o.message])
        }
    }

    public func runOutputs(of key: TemplateKey) throws -> [RunOutput] {
        try read { db in
            try db.rows("SELECT * FROM run_outputs WHERE subscription=? AND resource_group=? AND template=? ORDER BY name", Self.runArgs(key)).map {
                RunOutput(name: $0["name"], runID: $0["run_id"], type: $0["type"], artifactId: $0["artifact_id"],
                          artifactUri: $0["artifact_uri"], provisioningState: $0["provisioning_state"], message: $0["message"])
            }
        }
    }

    // MARK: triggers

    private static let triggerWhere = "subscription=? AND resource_group=? AND template=? AND name=?"
    private static func args(_ k: TriggerKey) -> [any SQLBindable] {
        [k.template.subscription, k.template.resourceGroup, k.template.name, k.name]
    }

    public func createTrigger(_ t: TemplateTrigger) throws {
        try write { db in
            guard try self.exists(db, "SELECT 1 FROM templates WHERE \(Self.keyWhere)", Self.args(t.key.template)) else {
                throw StoreError(.notFound, "image template '\(t.key.template.name)' does not exist in resource group '\(t.key.template.resourceGroup)'")
            }
            if try self.exists(db, "SELECT 1 FROM template_triggers WHERE \(Self.triggerWhere)", Self.args(t.key)) {
                throw StoreError(.alreadyExists, "image template '\(t.key.template.name)' already has a trigger '\(t.key.name)'")
            }
            try db.execute("""
                INSERT INTO template_triggers (subscription, resource_group, template, name, kind, created_at, created_by,
                    last_source_version, last_triggered_version, last_run_id, status_code, status_message, status_time)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                """, Self.args(t.key) + [t.kind.rawValue, t.createdAt.timeIntervalSince1970, t.createdBy, t.lastSourceVersion,
                                                   t.lastTriggeredVersion, t.lastRunID, t.status.code.rawValue, t.status.message,
                                                   t.status.time.timeIntervalSince1970])
        }
    }

    public func trigger(_ key: TriggerKey) throws -> TemplateTrigger? {
        try read { db in
            try db.row("SELECT * FROM template_triggers WHERE \(Self.triggerWhere)", Self.args(key)).map(Self.trigger)
        }
    }

    public func triggers(of template: TemplateKey?) throws -> [TemplateTrigger] {
        try read { db in
            guard let template else {
                return try db.rows("SELECT * FROM template_triggers ORDER BY subscription, resource_group, template, name").map(Self.trigger)
            }
            return try db.rows("SELECT * FROM template_triggers WHERE subscription=? AND resource_group=? AND template=? ORDER BY name", Self.runArgs(template)).map(Self.trigger)
        }
    }

    public func deleteTrigger(_ key: TriggerKey) throws {
        try write { db in
            if try db.execute("DELETE FROM template_triggers WHERE \(Self.triggerWhere)", Self.args(key)) == 0 {
                throw StoreError(.notFound, "image template '\(key.template.name)' has no trigger '\(key.name)'")
            }
        }
    }

    public func setTriggerStatus(_ key: TriggerKey, _ status: TriggerStatus, seen: String?) throws {
        try write { db in
            try db.execute("""
                UPDATE template_triggers SET status_code=?, status_message=?, status_time=?,
                    last_source_version=COALESCE(?, last_source_version) WHERE \(Self.triggerWhere)
                """, [status.code.rawValue, status.message, status.time.timeIntervalSince1970, seen] + Self.args(key))
        }
    }

    public func fireTrigger(_ key: TriggerKey, expecting: String?, run: TemplateRun, status: TriggerStatus) throws -> Bool {
        try write { db in
            guard let row = try db.row("SELECT last_source_version FROM template_triggers WHERE \(Self.triggerWhere)", Self.args(key)),
                  (row["last_source_version"] as String?) == expecting,
                  try self.activeRun(db, of: key.template) == nil,
                  let version = run.triggeredBy?.sourceVersion else { return false }
            try self.insertRun(db, run)
            try db.execute("""
                UPDATE template_triggers SET last_source_version=?, last_triggered_version=?, last_run_id=?,
                    status_code=?, status_message=?, status_time=? WHERE \(Self.triggerWhere)
                """, [version, version, run.id, status.code.rawValue, status.message, status.time.timeIntervalSince1970]
                                + Self.args(key))
            return true
        }
    }

    static func trigger(_ row: SQLRow) -> TemplateTrigger {
        let template = TemplateKey(subscription: row["subscription"], resourceGroup: row["resource_group"], name: row["template"])
        return TemplateTrigger(key: TriggerKey(template: template, name: row["name"]), kind: TriggerKind(rawValue: row["kind"]) ?? .SourceImage,
                               createdAt: Date(timeIntervalSince1970: row["created_at"]), createdBy: row["created_by"],
                               lastSourceVersion: row["last_source_version"], lastTriggeredVersion: row["last_triggered_version"],
                               lastRunID: row["last_run_id"],
                               status: TriggerStatus(code: TriggerStatus.Code(rawValue: row["status_code"]) ?? .Disabled,
                                                     message: row["status_message"], time: Date(timeIntervalSince1970: row["status_time"])))
    }

    public func saveManagedImage(_ m: ManagedImageRecord) throws {
        try write { db in
            try db.execute("""
                INSERT INTO managed_images (subscription, resource_group, name, location, path, sha256, size_bytes, created_at)
                VALUES (?,?,?,?,?,?,?,?)
                ON CONFLICT (subscription, resource_group, name) DO UPDATE SET location=excluded.location, path=excluded.path,
                    sha256=excluded.sha256, size_bytes=excluded.size_bytes, created_at=excluded.created_at
                """, [
                m.id.subscription, m.id.resourceGroup, m.id.name, m.location, m.path, m.sha256, m.sizeBytes, m.createdAt.timeIntervalSince1970])
        }
    }

    public func managedImage(_ id: ManagedImageID) throws -> ManagedImageRecord? {
        try read { db in
            try db.row("SELECT * FROM managed_images WHERE subscription=? AND resource_group=? AND name=?", [id.subscription, id.resourceGroup, id.name]).map {
                ManagedImageRecord(id: ManagedImageID(subscription: $0["subscription"], resourceGroup: $0["resource_group"], name: $0["name"]),
                                   location: $0["location"], path: $0["path"], sha256: $0["sha256"], sizeBytes: $0["size_bytes"],
                                   createdAt: Date(timeIntervalSince1970: $0["created_at"]))
            }
        }
    }

    static func templateRecord(_ row: SQLRow) -> TemplateRecord {
        TemplateRecord(key: TemplateKey(subscription: row["subscription"], resourceGroup: row["resource_group"], name: row["name"]),
                       body: row["body"], createdAt: Date(timeIntervalSince1970: row["created_at"]), generation: row["generation"],
                       createdBy: row["created_by"], lastModifiedBy: row["last_modified_by"],
                       lastModifiedAt: (row["last_modified_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    static func templateRun(_ row: SQLRow) -> TemplateRun {
        TemplateRun(id: row["id"], template: TemplateKey(subscription: row["subscription"], resourceGroup: row["resource_group"], name: row["template"]),
                    state: RunState(rawValue: row["state"]) ?? .Failed, subState: (row["sub_state"] as String?).flatMap(RunSubState.init),
                    message: row["message"], startTime: Date(timeIntervalSince1970: row["start_time"]),
                    endTime: (row["end_time"] as Double?).map(Date.init(timeIntervalSince1970:)), staging: row["staging"],
                    workerPID: (row["worker_pid"] as Int64?).map { Int32($0) },
                    triggeredBy: (row["trigger_name"] as String?).map { RunTrigger(trigger: $0, sourceVersion: row["trigger_source_version"] ?? "") })
    }
}
