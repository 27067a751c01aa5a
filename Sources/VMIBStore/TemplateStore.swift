import VMIBCore

/// Image templates, their runs and run outputs, and the managed images runs made.
/// Each call is one transaction.
public protocol TemplateStore: Sendable {
    /// - Throws: `StoreError.alreadyExists` when the name is taken.
    func createTemplate(_ record: TemplateRecord) throws
    func template(_ key: TemplateKey) throws -> TemplateRecord?
    func templates(subscription: String, resourceGroup: String?) throws -> [TemplateRecord]
    /// Deletes the template with its runs and run outputs; refused while a run is active.
    func deleteTemplate(_ key: TemplateKey) throws
    /// Replaces the body of a template (an update Azure allows); refused while a run is active.
    func replaceTemplateBody(_ key: TemplateKey, body: String, by principal: String?) throws

    /// Records a new run; refused while another run of the template is active.
    func createRun(_ run: TemplateRun) throws
    /// With `fence` (the run's lease, when several servers share the store), refused
    /// (`StoreError.fenced`) once another server took the run over; this and
    /// `saveRunOutput` are the writes a run makes while it is carried out.
    func updateRun(_ run: TemplateRun, fence: Fence?) throws
    func run(id: String) throws -> TemplateRun?
    /// Runs of a template, newest first.
    func runs(of key: TemplateKey) throws -> [TemplateRun]
    /// Moves an active run to Canceling; false when it was not Running.
    func requestCancel(runID: String, message: String) throws -> Bool

    func saveRunOutput(_ output: RunOutput, of key: TemplateKey, fence: Fence?) throws
    func runOutputs(of key: TemplateKey) throws -> [RunOutput]

    /// - Throws: `StoreError.alreadyExists` when the template has a trigger of that name;
    ///   `.notFound` when the template does not exist.
    func createTrigger(_ trigger: TemplateTrigger) throws
    func trigger(_ key: TriggerKey) throws -> TemplateTrigger?
    /// A template's triggers by name; with no template, every trigger of every template.
    func triggers(of template: TemplateKey?) throws -> [TemplateTrigger]
    /// - Throws: `StoreError.notFound` when there is no such trigger.
    func deleteTrigger(_ key: TriggerKey) throws
    /// Records a trigger's status, and (when given) the source version it has now seen.
    func setTriggerStatus(_ key: TriggerKey, _ status: TriggerStatus, seen: String?) throws
    /// Starts a run for a trigger, in one transaction: only if the trigger's last source
    /// version is still `expecting` (another process did not fire it meanwhile) and the
    /// template has no active run; then records the run (with `run.triggeredBy`) and moves
    /// the trigger's last source version to it. False when it was not fired.
    func fireTrigger(_ key: TriggerKey, expecting: String?, run: TemplateRun, status: TriggerStatus) throws -> Bool

    func saveManagedImage(_ image: ManagedImageRecord) throws
    func managedImage(_ id: ManagedImageID) throws -> ManagedImageRecord?
}

extension TemplateStore {
    /// Unfenced: a user's request, or one machine's store.
    public func updateRun(_ run: TemplateRun) throws { try updateRun(run, fence: nil) }
    public func saveRunOutput(_ output: RunOutput, of key: TemplateKey) throws { try saveRunOutput(output, of: key, fence: nil) }
}
