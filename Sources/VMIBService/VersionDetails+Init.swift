import VMIBCore

extension VersionDetails {
    /// A version and its replicas as another vmib (a server) reported them; the status is
    /// derived the same way the service derives it.
    public init(version: ImageVersion, replicas: [Replica]) {
        self.init(version: version, replicas: replicas,
                  status: ReplicationStatus(targets: version.publishingProfile.targetRegions, replicas: replicas,
                                            sizeBytes: version.storageProfile.sizeBytes))
    }
}

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
