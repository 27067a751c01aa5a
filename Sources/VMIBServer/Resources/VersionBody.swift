import Foundation
import VMIBCore
import VMIBService
import VMIBWire

/// What a version PUT or PATCH body asks for: the wire's `VersionProperties`, read strictly
/// first (unknown members and wrong types are 400s naming the JSON path), then decoded.
struct VersionBody {
    enum Source {
        case uri(String, target: String)
        case versionID(String, target: String)
    }

    var payload = VersionProperties()
    var source: Source?
    /// Regions (as written) whose excludeFromLatest the body set explicitly.
    var explicitExclude: Set<String> = []
    /// `properties.vmib.expectedDeployments` in the order written (JSONDecoder would not
    /// keep it, and target regions are added in this order).
    var expectedDeployments: [(region: String, deployments: Int)] = []

    var targetRegions: [TargetRegionRequest]? { payload.targetRegionRequests }
    var hasTargetRegionChanges: Bool { payload.vmib?.targetRegionChanges != nil }
    var replicaCount: Int? { payload.publishingProfile?.replicaCount }
    var excludeFromLatest: Bool? { payload.publishingProfile?.excludeFromLatest }
    /// As `UpdateRequest` takes it: a PATCH's null clears it ("none").
    var endOfLifeDate: String? { payload.publishingProfile?.endOfLifeDate?.request }
    /// A new version's end of life (null: none given).
    var endOfLifeDateOnCreate: String? {
        if case .date(let d) = payload.publishingProfile?.endOfLifeDate { return d }
        return nil
    }
    var storageAccountType: String? { payload.publishingProfile?.storageAccountType }
    /// As given (checked when read); nil: not given.
    var replicationMode: ReplicationMode?
    var allowDeletionOfReplicatedLocations: Bool? { payload.safetyProfile?.allowDeletionOfReplicatedLocations }
    var blockDeletionBeforeEndOfLife: Bool? { payload.safetyProfile?.blockDeletionBeforeEndOfLife }

    static func read(_ body: JSONBody, update: Bool) throws -> VersionBody {
        typealias P = VersionProperties
        try body.object(allowing: ResourcePayload<P>.members, type: update ? "GalleryImageVersionUpdate" : "GalleryImageVersion")
        if !update { _ = try body.required(try body.string("location"), "location") }
        var out = VersionBody()
        let props = update ? body["properties"] : try body.required(body["properties"], "properties")
        guard let props else { return out }
        try props.object(allowing: P.members, type: "GalleryImageVersionProperties")
        if let x = props["vmib"] {
            try x.object(allowing: P.Extension.members, type: "VmibVersionExtension")
            if let c = x["targetRegionChanges"] {
                guard update else { throw c.invalid("is allowed only when changing an existing version (PATCH).", member: nil) }
                try c.object(allowing: P.TargetRegionChanges.members, type: "VmibTargetRegionChanges")
                for r in try c.array("set") ?? [] {
                    try r.object(allowing: P.TargetRegionChanges.Set_.members, type: "VmibTargetRegionChange")
                    _ = try r.required(try r.string("name"), "name")
                    _ = try r.int("regionalReplicaCount"); _ = try r.string("storageAccountType")
                }
                for member in ["remove", "excludeFromLatest", "includeInLatest"] {
                    for item in try c.array(member) ?? [] {
                        guard case .string = item.value else { throw item.wrongType("a region name") }
                    }
                }
            }
            if let e = x["expectedDeployments"] {
                guard case .object(let members) = e.value else { throw e.wrongType("an object of region names to deployment counts") }
                out.expectedDeployments = try members.map { name, _ in
                    (name, try e.required(try e.int(name), name))
                }
            }
        }
        if let p = props["publishingProfile"] {
            try p.object(allowing: P.PublishingProfile.members, type: "GalleryImageVersionPublishingProfile")
            _ = try p.int("replicaCount"); _ = try p.bool("excludeFromLatest"); _ = try p.string("storageAccountType")
            _ = try p.string("endOfLifeDate")
            if let mode = try p.string("replicationMode") {
                do { out.replicationMode = try ReplicationMode(parsing: mode, field: .replicationMode) } catch let e as DomainError {
                    throw p.invalid(e.message + ".", member: "replicationMode")
                }
            }
            if let extended = p["targetExtendedLocations"] {
                guard case .array(let items) = extended.value, items.isEmpty else {
                    throw p.invalid("vmib has no extended locations (Azure Edge Zones): give the regions in targetRegions and leave targetExtendedLocations out.",
                                    member: "targetExtendedLocations")
                }
            }
            for r in try p.array("targetRegions") ?? [] {
                try r.object(allowing: P.TargetRegion.members, type: "TargetRegion")
                let name = try r.required(try r.string("name"), "name")
                _ = try r.int("regionalReplicaCount"); _ = try r.string("storageAccountType")
                if try r.bool("excludeFromLatest") != nil { out.explicitExclude.insert(name) }
            }
        }
        if let s = props["storageProfile"] {
            try s.object(allowing: P.StorageProfile.members, type: "GalleryImageVersionStorageProfile")
            if let src = s["source"] {
                try src.object(allowing: P.Source.members, type: "GalleryArtifactVersionFullSource")
                if let id = try src.string("id") { out.source = .versionID(id, target: src.path + ".id") }
                else if let uri = try src.string("uri") { out.source = .uri(uri, target: src.path + ".uri") }
            }
            if let os = s["osDiskImage"] {
                try os.object(allowing: P.StorageProfile.OSDiskImage.members, type: "GalleryOSDiskImage")
                if let src = os["source"] {
                    try src.object(allowing: P.StorageProfile.OSDiskImage.Source.members, type: "GalleryDiskImageSource")
                    if out.source == nil, let uri = try src.string("uri") { out.source = .uri(uri, target: src.path + ".uri") }
                }
                if let caching = try os.string("hostCaching"), !["None", "ReadOnly", "ReadWrite"].contains(caching) {
                    throw os.invalid("'\(caching)' is not allowed; allowed: None, ReadOnly, ReadWrite.", member: "hostCaching")
                }
            }
        }
        if let sp = props["safetyProfile"] {
            try sp.object(allowing: P.SafetyProfile.members, type: "GalleryImageVersionSafetyProfile")
            _ = try sp.bool("allowDeletionOfReplicatedLocations"); _ = try sp.bool("blockDeletionBeforeEndOfLife")
        }
        if props["vmib"]?["targetRegionChanges"] != nil, props["publishingProfile"]?["targetRegions"] != nil, let x = props["vmib"] {
            throw x.invalid("give either properties.publishingProfile.targetRegions (the whole list) or properties.vmib.targetRegionChanges (a merge), not both.",
                            member: "targetRegionChanges")
        }
        // The shape is right: what remains is decoding (members of other types are ignored).
        do {
            out.payload = try WireJSON.decoder.decode(P.self, from: Data(props.value.text.utf8))
        } catch {
            throw ARMError.invalidContent("The request content could not be read: \(error).", target: props.path)
        }
        return out
    }
}

extension VersionBody {
    /// What a PUT that creates a version gets for what its body leaves out, by api-version.
    /// From GalleryRP 2026-03-03 (as Azure CLI announces it): an end of life six months
    /// after the published date, and deletion blocked before it. Earlier: neither.
    struct CreateDefaults: Equatable {
        static let since = "2026-03-03"

        var endOfLifeMonthsAfterPublishing: Int?
        var blockDeletionBeforeEndOfLife: Bool

        init(apiVersion: String) {
            // api-versions are dates written YYYY-MM-DD, so they order as strings.
            let applies = apiVersion >= Self.since
            endOfLifeMonthsAfterPublishing = applies ? 6 : nil
            blockDeletionBeforeEndOfLife = applies
        }
    }
}
