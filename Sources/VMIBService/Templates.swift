import Foundation
import VMIBBuild
import VMIBCore
import VMIBStore

/// Image templates: a source, customizations and where the result goes.
public struct Templates: ServicePart {
    let root: VMIBService
}

extension Templates {
    /// The key of a template, its names checked.
    public func key(subscription: String? = nil, resourceGroup: String, name: String) throws -> TemplateKey {
        try ResourceName.validateResourceGroup(resourceGroup)
        try ResourceName.validateTemplate(name)
        return TemplateKey(subscription: subscription ?? self.subscription, resourceGroup: resourceGroup, name: name)
    }

    /// What `resourceGroup().location` is in a deployment template. A vmib resource group has
    /// no location, and a template that builds "where its resource group is" must build in a
    /// build region: the first region of the topology that is one (the topology's order is
    /// its preference, as for storage types), else the catalog's first build region.
    public var resourceGroupLocation: String {
        topology.regions.first { catalog[$0.name]?.buildRegion == true }?.name ?? catalog.buildRegions.first?.name ?? "eastus"
    }

    var templateContext: TemplateParser.Context {
        TemplateParser.Context(buildRegions: catalog.buildRegions.map(\.name), knownRegions: Set(catalog.regions.map(\.name)),
                               buildHost: topology.builds, sourceRegion: root.homeRegion)
    }

    /// Validates and records a template. Creating the same body again changes nothing;
    /// a different body under an existing name is refused (templates are immutable).
    /// - Throws: `DomainError` naming the field (with Azure's provisioningErrorCode).
    /// - Parameter authorize: checks every resource the template names against the caller
    ///   (the server's role and scope), before anything is stored; throws to refuse.
    public func create(_ request: CreateTemplateRequest) throws -> CreateTemplateResult {
        try create(request, authorize: { _ in })
    }

    public func create(_ request: CreateTemplateRequest,
                               authorize: (ImageTemplate) throws -> Void) throws -> CreateTemplateResult {
        let scope = ARMDeployment.Scope(subscriptionID: request.key.subscription, resourceGroup: request.key.resourceGroup,
                                        location: resourceGroupLocation)
        let resource = try ARMDeployment.resolveImageTemplate(request.document, parameters: request.parameters, scope: scope)
        let parsed = try TemplateParser.parse(resource, name: request.key.name, resourceGroup: request.key.resourceGroup, context: templateContext)
        try checkServed(parsed.template)
        try authorize(parsed.template)
        let body = resource.text
        let record = TemplateRecord(key: request.key, body: body, createdAt: Date(), createdBy: request.principal)
        if let existing = try templateStore.template(request.key) {
            // Equal up to member order: a body re-serialised by a tool is the same template.
            guard (try? JSONParser.parse(existing.body))?.canonical == resource.canonical else {
                throw DomainError(.refused, field: .template, "image template '\(request.key.name)' exists with a different body; templates cannot be updated by a create (an update changes only tags, identity, properties.distribute and properties.vmProfile): delete it, or create one under a new name")
            }
            return CreateTemplateResult(details: try details(request.key), created: false, warnings: parsed.warnings)
        }
        try templateStore.createTemplate(record)
        return CreateTemplateResult(details: TemplateDetails(record: record, template: parsed.template, lastRun: nil),
                                    created: true, warnings: parsed.warnings)
    }

    /// The members of a template Azure lets an update change (ImageTemplateUpdateParameters):
    /// top-level `tags` and `identity`, and `properties.distribute` and `properties.vmProfile`.
    public static let updatableTemplateMembers = (top: ["tags", "identity"], properties: ["distribute", "vmProfile"])

    /// Azure's template update: the members `patch` gives among `updatableTemplateMembers`
    /// replace the stored ones; the result is validated as a whole like a new template.
    /// - Throws: `DomainError` naming the field (with the provisioningErrorCode) or refusing a
    ///   member that cannot change; `StoreError.refused` while a run is active. Nothing
    ///   changes then.
    public func update(_ key: TemplateKey, patch: JSONValue) throws -> TemplateDetails {
        try update(key, patch: patch, principal: nil, authorize: { _ in })
    }

    /// - Parameter principal: who updates it (the API's caller), recorded on the template.
    public func update(_ key: TemplateKey, patch: JSONValue, principal: String?,
                               authorize: (ImageTemplate) throws -> Void) throws -> TemplateDetails {
        let record = try details(key).record
        guard case .object(var members) = try JSONParser.parse(record.body), let changes = patch.objectValue else {
            throw DomainError.invalid(.named("body"), "an update is a JSON object (tags, identity, properties.distribute, properties.vmProfile)")
        }
        func put(_ key: String, _ value: JSONValue, into list: inout [(key: String, value: JSONValue)]) {
            if let i = list.firstIndex(where: { $0.key == key }) { list[i].value = value } else { list.append((key, value)) }
        }
        for (name, value) in changes {
            if name == "properties" {
                guard let props = value.objectValue else { throw DomainError.invalid(.named("properties"), "must be an object") }
                var stored = members.first { $0.key == "properties" }?.value.objectValue ?? []
                for (p, v) in props {
                    guard Self.updatableTemplateMembers.properties.contains(p) else {
                        throw DomainError(.refused, field: .named("properties.\(p)"), "image template property '\(p)' cannot be updated; only properties.distribute and properties.vmProfile can (and tags, identity)")
                    }
                    put(p, v, into: &stored)
                }
                put("properties", .object(stored), into: &members)
            } else {
                guard Self.updatableTemplateMembers.top.contains(name) else {
                    throw DomainError(.refused, field: .named(name), "'\(name)' cannot be updated; an update changes tags, identity, properties.distribute and properties.vmProfile")
                }
                put(name, value, into: &members)
            }
        }
        let updated = JSONValue.object(members)
        let parsed = try TemplateParser.parse(updated, name: key.name, resourceGroup: key.resourceGroup, context: templateContext)
        try checkServed(parsed.template)
        try authorize(parsed.template)
        try templateStore.replaceTemplateBody(key, body: updated.text, by: principal)
        return try details(key)
    }

    /// Refuses a customizer's `file://` URI outside the configured source roots, at create,
    /// update and when a run starts (the roots may have changed since).
    func checkFileSources(_ t: ImageTemplate) throws {
        guard let roots = configuration.sourceRoots else { return }
        let real = roots.map(PathRoots.real)
        for (i, c) in t.customize.enumerated() {
            let (uri, member): (String, String)
            switch c {
            case .shell(_, .uri(let u), _): (uri, member) = (u, "scriptUri")
            case .file(_, let u, _, _): (uri, member) = (u, "sourceUri")
            default: continue
            }
            guard uri.lowercased().hasPrefix("file://") else { continue }
            let path = PathRoots.real(PathRoots.path(of: uri).removingPercentEncoding ?? "")
            guard PathRoots.inside(path, real) else {
                throw DomainError.invalid(.named("properties.customize[\(i)].\(member)"), "'\(uri)' is outside the directories this server reads files from (vmib serve --source-root): \(roots.isEmpty ? "none; use an https URL" : roots.joined(separator: ", "))")
            }
        }
    }

    /// SharedImage target regions must be served by this deployment; VHD and file URIs must
    /// stay under the server's roots.
    private func checkServed(_ t: ImageTemplate) throws {
        try checkFileSources(t)
        let outputs = VHDOutput(roots: configuration.outputRoots)
        for (i, d) in t.distribute.enumerated() {
            if case .vhd(_, let uri?) = d { try outputs.check(uri, field: .named("properties.distribute[\(i)].uri")) }
            guard case .sharedImage(_, let s) = d else { continue }
            for (j, r) in s.targetRegions.enumerated() {
                guard let served = topology[r.name] else {
                    throw ProvisioningErrorCode.BadSharedImageDistribute.error(.named("properties.distribute[\(i)].targetRegions[\(j)].name"),
                        "region '\(r.name)' is not served by this deployment (topology '\(topology.name)'); served: \(topology.regions.map(\.name).joined(separator: ", "))")
                }
                if let type = r.storageAccountType, served.spec(for: type) == nil {
                    throw ProvisioningErrorCode.BadSharedImageDistribute.error(.named("properties.distribute[\(i)].targetRegions[\(j)].storageAccountType"),
                        "region '\(r.name)' does not offer \(type.rawValue); it offers: \(served.offeredTypes.map(\.rawValue).joined(separator: ", "))")
                }
            }
        }
    }

    public func details(_ key: TemplateKey) throws -> TemplateDetails {
        guard let record = try templateStore.template(key) else {
            throw DomainError.notFound(.template, "image template '\(key.name)' does not exist in resource group '\(key.resourceGroup)'")
        }
        let body = try JSONParser.parse(record.body)
        // A stored template is read as accepted: sizes and networks are checked again when a
        // run starts, and a Shallow distributor's regions when it publishes.
        var context = templateContext
        context.buildHost = nil
        context.sourceRegion = nil
        let template = try TemplateParser.parse(body, name: record.key.name, resourceGroup: record.key.resourceGroup, context: context).template
        return TemplateDetails(record: record, template: template, lastRun: try templateStore.runs(of: record.key).first)
    }

    public func list(subscription: String? = nil, resourceGroup: String?) throws -> [TemplateDetails] {
        try templateStore.templates(subscription: subscription ?? self.subscription, resourceGroup: resourceGroup).map { try details($0.key) }
    }

    /// Deletes a template, its runs, run outputs and every staging area of its runs.
    public func delete(_ key: TemplateKey) throws {
        let details = try details(key)
        if let run = details.lastRun, run.state.isActive, try root.runs.isAbandoned(run) {
            try root.runs.finishAbandoned(run)
        }
        let runs = try templateStore.runs(of: key)
        try templateStore.deleteTemplate(key)
        for run in runs { RunWorkspace(path: run.staging).remove() }
    }

    var stagingRoot: String { configuration.stateDirectory + "/staging" }
}
