import Foundation
import VMIBCore
import VMIBStore

extension VMIBService {
    /// The key of a template, its names checked.
    public func templateKey(resourceGroup: String, name: String, field: String = "--name") throws -> TemplateKey {
        try ResourceName.validateResourceGroup(resourceGroup)
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
              name.first.map({ $0.isLetter || $0.isNumber }) == true else {
            throw DomainError.invalid(field, "'\(name)' is not a valid image template name: expected 1–64 characters: letters, digits, '-', '_', '.', starting with a letter or digit")
        }
        return TemplateKey(subscription: subscription, resourceGroup: resourceGroup, name: name)
    }

    var templateContext: TemplateParser.Context {
        TemplateParser.Context(buildRegions: catalog.buildRegions.map(\.name), knownRegions: Set(catalog.regions.map(\.name)))
    }

    /// Validates and records a template. Creating the same body again changes nothing;
    /// a different body under an existing name is refused (templates are immutable).
    /// - Throws: `DomainError` naming the field (with Azure's provisioningErrorCode).
    public func createTemplate(_ request: CreateTemplateRequest) throws -> CreateTemplateResult {
        let resource = try ARMDeployment.resolveImageTemplate(request.document, parameters: request.parameters)
        let parsed = try TemplateParser.parse(resource, name: request.key.name, resourceGroup: request.key.resourceGroup, context: templateContext)
        try checkServed(parsed.template)
        let body = resource.text
        let record = TemplateRecord(key: request.key, body: body, createdAt: Date())
        if let existing = try templateStore.template(request.key) {
            // Equal up to member order: a body re-serialised by a tool is the same template.
            guard (try? JSONParser.parse(existing.body))?.canonical == resource.canonical else {
                throw DomainError(.refused, field: "--name", "image template '\(request.key.name)' exists with a different body; templates cannot be updated: delete it, or create one under a new name")
            }
            return CreateTemplateResult(details: try templateDetails(request.key), created: false, warnings: parsed.warnings)
        }
        try templateStore.createTemplate(record)
        return CreateTemplateResult(details: TemplateDetails(record: record, template: parsed.template, lastRun: nil),
                                    created: true, warnings: parsed.warnings)
    }

    /// SharedImage target regions must be served by this deployment.
    private func checkServed(_ t: ImageTemplate) throws {
        for (i, d) in t.distribute.enumerated() {
            guard case .sharedImage(_, let s) = d else { continue }
            for (j, r) in s.targetRegions.enumerated() {
                guard let served = topology[r.name] else {
                    throw ProvisioningErrorCode.BadSharedImageDistribute.error("properties.distribute[\(i)].targetRegions[\(j)].name",
                        "region '\(r.name)' is not served by this deployment (topology '\(topology.name)'); served: \(topology.regions.map(\.name).joined(separator: ", "))")
                }
                if let type = r.storageAccountType, served.spec(for: type) == nil {
                    throw ProvisioningErrorCode.BadSharedImageDistribute.error("properties.distribute[\(i)].targetRegions[\(j)].storageAccountType",
                        "region '\(r.name)' does not offer \(type.rawValue); it offers: \(served.offeredTypes.map(\.rawValue).joined(separator: ", "))")
                }
            }
        }
    }

    public func templateDetails(_ key: TemplateKey) throws -> TemplateDetails {
        guard let record = try templateStore.template(key) else {
            throw DomainError.notFound("--name", "image template '\(key.name)' does not exist in resource group '\(key.resourceGroup)'")
        }
        let body = try JSONParser.parse(record.body)
        let template = try TemplateParser.parse(body, name: record.key.name, resourceGroup: record.key.resourceGroup, context: templateContext).template
        return TemplateDetails(record: record, template: template, lastRun: try templateStore.runs(of: record.key).first)
    }

    public func templates(resourceGroup: String?) throws -> [TemplateDetails] {
        try templateStore.templates(subscription: subscription, resourceGroup: resourceGroup).map { try templateDetails($0.key) }
    }

    /// Deletes a template, its runs, run outputs and every staging area of its runs.
    public func deleteTemplate(_ key: TemplateKey) throws {
        let details = try templateDetails(key)
        if let run = details.lastRun, run.state.isActive, !workerAlive(run) {
            try finishAbandoned(run)
        }
        let runs = try templateStore.runs(of: key)
        try templateStore.deleteTemplate(key)
        for run in runs { try? FileManager.default.removeItem(atPath: run.staging) }
    }

    var stagingRoot: String { configuration.stateDirectory + "/staging" }
}
