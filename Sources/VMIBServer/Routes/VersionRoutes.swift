import Foundation
import Hummingbird
import VMIBCore
import VMIBWire
import VMIBService

/// Microsoft.Compute/galleries/images/versions: PUT (201 Creating + Azure-AsyncOperation),
/// PATCH (desired state in place), GET (`$expand=ReplicationStatus`), DELETE (202), list.
enum VersionRoutes {
    static let path = ImageRoutes.path + "/:galleryImageName/versions"

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.put(RouterPath(path + "/:galleryImageVersionName")) { request, context in
            let ref = try versionRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let spec = try VersionBody.read(body, update: false)
            let existing = try? api.service.versions.details(ref).version
            try Preconditions.check(request, current: existing?.generation)
            let envelope = try EnvelopeBody.read(body, api: api, id: ref.id, replace: true,
                                                 resource: ref.version.description)
            if let existing {
                // createOrUpdate of an existing version: the same source, a new desired state.
                if let source = spec.source { try checkSameSource(existing, try resolve(source, context: context, api: api)) }
                return try await update(existing, spec, envelope: envelope, request: request, api: api)
            }
            let source = try resolve(try body.required(spec.source, "properties.storageProfile.source"), context: context, api: api)
            let defaults = VersionBody.CreateDefaults(apiVersion: try APIVersion.require(request, supported: APIVersion.compute))
            let mode = spec.replicationMode ?? .Full
            // Without targetRegions, Azure replicates to the version's location; a Shallow
            // version's one region is the source region (the service's to choose).
            let byDefault = spec.expectedDeployments.isEmpty && mode == .Full
                ? [TargetRegionRequest(name: envelope.location, storageAccountType: spec.storageAccountType)] : []
            let publish = PublishRequest(
                image: ref.image, version: ref.version.description, disk: source.path,
                targetRegions: spec.targetRegions ?? byDefault,
                replicaCount: spec.replicaCount, excludeFromLatest: spec.excludeFromLatest ?? false,
                endOfLifeDate: spec.endOfLifeDateOnCreate, endOfLifeMonthsAfterPublishing: defaults.endOfLifeMonthsAfterPublishing,
                expectedDeployments: spec.expectedDeployments,
                safetyProfile: SafetyProfile(allowDeletionOfReplicatedLocations: spec.allowDeletionOfReplicatedLocations ?? false,
                                             blockDeletionBeforeEndOfLife: spec.blockDeletionBeforeEndOfLife ?? defaults.blockDeletionBeforeEndOfLife),
                replicationMode: mode)
            var version = try await armCall { try await api.service.versions.publish(publish) }
            try armCall { try api.service.saveEnvelope(envelope, of: ref.id) }
            version = (try? api.service.versions.details(ref).version) ?? version
            let op = Operation(kind: .create, version: ref)
            return try ARMResponse.json(VersionResource(version, for: .api(envelope)), status: .created,
                                        headers: OperationRoutes.headers(for: op, request: request, api: api, location: false)
                                            + [etagHeader(version, api: api)])
        }
        router.patch(RouterPath(path + "/:galleryImageVersionName")) { request, context in
            let ref = try versionRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let spec = try VersionBody.read(body, update: true)
            let existing = try armCall { try api.service.versions.details(ref).version }
            try Preconditions.check(request, current: existing.generation)
            let envelope = try EnvelopeBody.read(body, api: api, id: ref.id, replace: false, resource: ref.version.description)
            if let source = spec.source { try checkSameSource(existing, try resolve(source, context: context, api: api)) }
            return try await update(existing, spec, envelope: envelope, request: request, api: api)
        }
        router.get(RouterPath(path + "/:galleryImageVersionName")) { request, context in
            let ref = try versionRef(request, context, api: api, access: .read)
            var expand = false
            if let e = request.query("$expand") {
                guard e.lowercased() == "replicationstatus" else {
                    throw ARMError.invalidParameter("The value '\(e)' of $expand is not supported; allowed: ReplicationStatus.", target: "$expand")
                }
                expand = true
            }
            // The tag first (one indexed row): an unchanged version is answered from memory;
            // what is read after it for a new rendering is at least as new.
            let tag = try currentTag(ref, api: api)
            return try api.cachedJSON(api.versionRenders, .init(id: ref.id, variant: expand ? 1 : 0), at: tag,
                                      etag: Preconditions.etag(tag), request: request) {
                let d = try armCall { try api.service.versions.details(ref) }
                return VersionResource(d.version, for: .api(api.envelope(ref.id)), details: expand ? d : nil)
            }
        }
        router.delete(RouterPath(path + "/:galleryImageVersionName")) { request, context in
            let ref = try versionRef(request, context, api: api, access: .write)
            let force = try VersionLifecycleRoutes.forceDeletion(request)
            let existing = try? api.service.versions.details(ref).version
            try Preconditions.check(request, current: existing?.generation)
            guard existing != nil else { return ARMResponse.empty(.noContent) }
            try armCall { try api.service.versions.beginDelete(ref, force: force, ifMatch: try Preconditions.ifMatchGeneration(request)) }
            let op = Operation(kind: .delete, version: ref)
            return ARMResponse.empty(.accepted, headers: OperationRoutes.headers(for: op, request: request, api: api, location: true))
        }
        router.get(RouterPath(path)) { request, context in
            let image = try ImageRoutes.imageRef(request, context, api: api, access: .read)
            let list = try armCall { try api.service.versions.list(of: image) }
            let envelope = api.envelopes(under: image.id)
            return try ARMResponse.json(ARMList(value: list.map { VersionResource($0, for: .api(envelope($0.ref.id))) }))
        }
    }

    /// The version's tag; for a version that does not exist, the service's error naming
    /// what is missing (the gallery, the image definition or the version).
    static func currentTag(_ ref: VersionRef, api: API) throws -> VersionTag {
        let tag: VersionTag? = try armCall { try api.service.versions.tag(ref) }
        if let tag { return tag }
        _ = try armCall { try api.service.versions.details(ref) }
        // Published between the two reads.
        return try currentTag(ref, api: api)
    }

    /// The ETag header of a version just written: its tag as stored now (the generation
    /// alone if it went away meanwhile).
    static func etagHeader(_ v: ImageVersion, api: API) -> (String, String) {
        guard let tag = (try? api.service.versions.tag(v.ref)) ?? nil else { return Preconditions.header(v.generation) }
        return Preconditions.header(tag)
    }

    static func versionRef(_ request: Request, _ context: ARMRequestContext, api: API, access: Access) throws -> VersionRef {
        let image = try ImageRoutes.imageRef(request, context, api: api, access: access)
        let name = try context.parameters.name("galleryImageVersionName")
        return image.version(try armCall { try VersionNumber(parsing: name, field: .version) })
    }

    /// A PATCH, or a PUT of an existing version: the desired state changes in place.
    private static func update(_ existing: ImageVersion, _ spec: VersionBody, envelope: ResourceEnvelope,
                               request: Request, api: API) async throws -> Response {
        var r = UpdateRequest(ref: existing.ref)
        // With If-Match the change applies only to the generation the caller saw.
        r.ifMatch = try Preconditions.ifMatchGeneration(request)
        r.expectedDeployments = spec.expectedDeployments
        if let given = spec.targetRegions {
            let names = try armCall { try given.map { try api.service.catalog.region(named: $0.name, field: .targetRegions).name } }
            r.setRegions = zip(given, names).map { g, name in
                var t = g; t.name = name
                if t.storageAccountType == nil, existing.target(name) == nil { t.storageAccountType = spec.storageAccountType }
                return t
            }
            // Regions counted from expected deployments stay too: the body names them there.
            let kept = try armCall {
                try spec.expectedDeployments.map { try api.service.catalog.region(named: $0.region, field: .expectedDeployments).name }
            }
            r.removeRegions = existing.publishingProfile.targetRegions.map(\.name).filter { !names.contains($0) && !kept.contains($0) }
            for (g, name) in zip(given, names) where spec.explicitExclude.contains(g.name) {
                if g.excludeFromLatest { r.excludeRegionsFromLatest.append(name) } else { r.includeRegionsInLatest.append(name) }
            }
        }
        spec.payload.applyChanges(to: &r)
        if let mode = spec.replicationMode, mode != existing.publishingProfile.replicationMode {
            throw ARMError(.conflict, code: "PropertyChangeNotAllowed",
                           "Changing property 'replicationMode' is not allowed: this property is not updatable; version \(existing.ref.version) is \(existing.publishingProfile.replicationMode.rawValue). Publish a new version to use \(mode.rawValue).",
                           target: "properties.publishingProfile.replicationMode")
        }
        if let count = spec.replicaCount, count != existing.publishingProfile.replicaCount {
            throw ARMError(.conflict, code: "PropertyChangeNotAllowed",
                           "Changing 'replicaCount' of an existing version is not supported by vmib; set regionalReplicaCount per target region.",
                           target: "properties.publishingProfile.replicaCount")
        }
        r.excludeFromLatest = spec.excludeFromLatest
        r.endOfLifeDate = spec.endOfLifeDate
        r.allowDeletionOfReplicatedLocations = spec.allowDeletionOfReplicatedLocations
        r.blockDeletionBeforeEndOfLife = spec.blockDeletionBeforeEndOfLife
        // Region edits are named where a PATCH gives them (a PUT's list is turned into them).
        var fields: [Field: String] = [
            .removeRegions: "properties.vmib.targetRegionChanges.remove",
            .excludeRegionsFromLatest: "properties.vmib.targetRegionChanges.excludeFromLatest",
            .includeRegionsInLatest: "properties.vmib.targetRegionChanges.includeInLatest",
        ]
        // A member of the i-th region set by a merge is named there, not in targetRegions.
        if spec.hasTargetRegionChanges {
            for i in r.setRegions.indices {
                for m in TargetRegionMember.allCases {
                    fields[.targetRegion(i, m)] = "properties.vmib.targetRegionChanges.set[\(i)].\(m.rawValue)"
                }
            }
        }
        var v = try armCall(fields) { try api.service.versions.update(r) }
        try armCall { try api.service.saveEnvelope(envelope, of: v.ref.id) }
        v = (try? api.service.versions.details(v.ref).version) ?? v
        let op = Operation(kind: .update, version: v.ref)
        return try ARMResponse.json(VersionResource(v, for: .api(envelope)),
                                    headers: OperationRoutes.headers(for: op, request: request, api: api, location: false)
                                        + [etagHeader(v, api: api)])
    }

    struct ResolvedSource { var path: String; var sha256: String? }

    /// A local disk file (a path or file:// URI under a configured source root), or another
    /// gallery image version whose disk is copied.
    private static func resolve(_ source: VersionBody.Source, context: ARMRequestContext, api: API) throws -> ResolvedSource {
        switch source {
        case .versionID(let id, let target):
            guard let ref = VersionIDParser.parse(id) else {
                throw ARMError.invalidParameter("'\(id)' is not a gallery image version id; vmib can publish from another gallery image version (…/galleries/G/images/I/versions/V) or a disk file (storageProfile.source.uri).", target: target)
            }
            do {
                try context.authorize(.read, subscription: ref.image.gallery.subscription, resourceGroup: ref.image.gallery.resourceGroup,
                                      action: "Microsoft.Compute/galleries/images/versions/read")
            } catch {
                throw ARMError(.forbidden, code: "LinkedAuthorizationFailed", "The client has no permission to read the source '\(id)'.", target: target)
            }
            let d = try armCall([.version: target, .image: target, .gallery: target]) { try api.service.versions.details(ref) }
            return ResolvedSource(path: try armCall { try api.service.versions.originDisk(of: ref) }, sha256: d.version.storageProfile.sha256)
        case .uri(let uri, let target):
            var path = uri
            if uri.hasPrefix("file://") { path = String(uri.dropFirst("file://".count)).removingPercentEncoding ?? "" }
            guard path.hasPrefix("/") else {
                throw ARMError.invalidParameter("'\(uri)' is not a disk vmib can read: give an absolute path or file:// URI of a disk file on the server, under a directory the server allows (vmib serve --source-root).", target: target)
            }
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let roots = api.settings.sourceRoots.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            guard roots.contains(where: { real == $0 || real.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
                throw ARMError(.badRequest, code: "InvalidParameter",
                               "The disk '\(uri)' is outside the directories this server publishes from (vmib serve --source-root).", target: target)
            }
            return ResolvedSource(path: real, sha256: nil)
        }
    }

    private static func checkSameSource(_ v: ImageVersion, _ s: ResolvedSource) throws {
        let same = s.sha256.map { $0 == v.storageProfile.sha256 } ?? (s.path == v.storageProfile.sourcePath)
        guard same else {
            throw ARMError(.conflict, code: "PropertyChangeNotAllowed",
                           "Changing property 'storageProfile.source' is not allowed: a version's disk is immutable; publish a new version.",
                           target: "properties.storageProfile.source")
        }
    }
}
