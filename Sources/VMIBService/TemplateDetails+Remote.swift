import VMIBCore

extension TemplateDetails {
    /// A template as another vmib (a server) reported it.
    public init(remote record: TemplateRecord, template: ImageTemplate, lastRun: TemplateRun?) {
        self.init(record: record, template: template, lastRun: lastRun)
    }
}

extension CreateTemplateResult {
    public init(remote details: TemplateDetails, created: Bool) {
        self.init(details: details, created: created, warnings: [])
    }
}
