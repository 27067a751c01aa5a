import Foundation
import VMIBService

/// What a version PUT or PATCH body asks for, read strictly (unknown members and wrong
/// types are 400s naming the JSON path).
struct VersionBody {
    enum Source {
        case uri(String, target: String)
        case versionID(String, target: String)
    }

    var source: Source?
    var targetRegions: [TargetRegionRequest]?
    /// Regions (as written) whose excludeFromLatest the body set explicitly.
    var explicitExclude: Set<String> = []
    var replicaCount: Int?
    var excludeFromLatest: Bool?
    var endOfLifeDate: String?
    var storageAccountType: String?
    var allowDeletionOfReplicatedLocations: Bool?
    var blockDeletionBeforeEndOfLife: Bool?
    /// vmib's extension `properties.vmib.expectedDeployments` (`{"westus": 50}`): replica
    /// counts from expected concurrent VM deployments, as `--expected-deployments`.
    var expectedDeployments: [(region: String, deployments: Int)] = []
    /// vmib's extension `properties.vmib.targetRegionChanges`: region edits merged into the
    /// version's target regions as they are when the request arrives (Azure's
    /// `targetRegions` replaces the whole list instead).
    var targetRegionChanges: TargetRegionChanges?

    struct TargetRegionChanges {
        var set: [TargetRegionRequest] = []
        var remove: [String] = []
        var excludeFromLatest: [String] = []
        var includeInLatest: [String] = []
    }

    static func read(_ body: JSONBody, update: Bool) throws -> VersionBody {
        try body.object(allowing: GalleryRoutes.topKeys, type: update ? "GalleryImageVersionUpdate" : "GalleryImageVersion")
        if !update { _ = try body.required(try body.string("location"), "location") }
        var out = VersionBody()
        let props = update ? body["properties"] : try body.required(body["properties"], "properties")
        guard let props else { return out }
        try props.object(allowing: ["publishingProfile", "storageProfile", "safetyProfile", "provisioningState", "replicationStatus", "vmib"],
                         type: "GalleryImageVersionProperties")
        if let x = props["vmib"] {
            // `version` and `replicas` are what a GET returns there; a body sent back unchanged is fine.
            try x.object(allowing: ["expectedDeployments", "targetRegionChanges", "version", "replicas"], type: "VmibVersionExtension")
            if let c = x["targetRegionChanges"] {
                guard update else { throw c.invalid("is allowed only when changing an existing version (PATCH).", member: nil) }
                try c.object(allowing: ["set", "remove", "excludeFromLatest", "includeInLatest"], type: "VmibTargetRegionChanges")
                var changes = TargetRegionChanges()
                changes.set = try (try c.array("set") ?? []).map { r in
                    try r.object(allowing: ["name", "regionalReplicaCount", "storageAccountType"], type: "VmibTargetRegionChange")
                    return TargetRegionRequest(name: try r.required(try r.string("name"), "name"),
                                               regionalReplicaCount: try r.int("regionalReplicaCount"),
                                               storageAccountType: try r.string("storageAccountType"))
                }
                for (member, path) in [("remove", \TargetRegionChanges.remove), ("excludeFromLatest", \.excludeFromLatest),
                                       ("includeInLatest", \.includeInLatest)] {
                    changes[keyPath: path] = try (try c.array(member) ?? []).map { item in
                        guard case .string(let name) = item.value else { throw item.wrongType("a region name") }
                        return name
                    }
                }
                out.targetRegionChanges = changes
            }
            if let e = x["expectedDeployments"] {
                guard case .object(let members) = e.value else { throw e.wrongType("an object of region names to deployment counts") }
                out.expectedDeployments = try members.map { name, _ in
                    (name, try e.required(try e.int(name), name))
                }
            }
        }
        if let p = props["publishingProfile"] {
            try p.object(allowing: ["targetRegions", "replicaCount", "excludeFromLatest", "endOfLifeDate", "storageAccountType", "publishedDate"],
                         type: "GalleryImageVersionPublishingProfile")
            out.replicaCount = try p.int("replicaCount")
            out.excludeFromLatest = try p.bool("excludeFromLatest")
            out.endOfLifeDate = try p.string("endOfLifeDate")
            out.storageAccountType = try p.string("storageAccountType")
            if let regions = try p.array("targetRegions") {
                out.targetRegions = try regions.map { r in
                    try r.object(allowing: ["name", "regionalReplicaCount", "storageAccountType", "excludeFromLatest"], type: "TargetRegion")
                    let name = try r.required(try r.string("name"), "name")
                    if let e = try r.bool("excludeFromLatest") { out.explicitExclude.insert(name); _ = e }
                    return TargetRegionRequest(name: name, regionalReplicaCount: try r.int("regionalReplicaCount"),
                                               storageAccountType: try r.string("storageAccountType") ?? out.storageAccountType,
                                               excludeFromLatest: try r.bool("excludeFromLatest") ?? false)
                }
            }
        }
        if let s = props["storageProfile"] {
            try s.object(allowing: ["source", "osDiskImage"], type: "GalleryImageVersionStorageProfile")
            if let src = s["source"] {
                try src.object(allowing: ["id", "uri"], type: "GalleryArtifactVersionFullSource")
                if let id = try src.string("id") { out.source = .versionID(id, target: src.path + ".id") }
                else if let uri = try src.string("uri") { out.source = .uri(uri, target: src.path + ".uri") }
            }
            if let os = s["osDiskImage"] {
                try os.object(allowing: ["source", "hostCaching", "sizeInGB"], type: "GalleryOSDiskImage")
                if let src = os["source"] {
                    try src.object(allowing: ["id", "uri", "storageAccountId"], type: "GalleryDiskImageSource")
                    if out.source == nil, let uri = try src.string("uri") { out.source = .uri(uri, target: src.path + ".uri") }
                }
                if let caching = try os.string("hostCaching"), !["None", "ReadOnly", "ReadWrite"].contains(caching) {
                    throw os.invalid("'\(caching)' is not allowed; allowed: None, ReadOnly, ReadWrite.", member: "hostCaching")
                }
            }
        }
        if let sp = props["safetyProfile"] {
            try sp.object(allowing: ["allowDeletionOfReplicatedLocations", "blockDeletionBeforeEndOfLife", "reportedForPolicyViolation", "policyViolations"],
                          type: "GalleryImageVersionSafetyProfile")
            out.allowDeletionOfReplicatedLocations = try sp.bool("allowDeletionOfReplicatedLocations")
            out.blockDeletionBeforeEndOfLife = try sp.bool("blockDeletionBeforeEndOfLife")
        }
        if out.targetRegionChanges != nil, out.targetRegions != nil, let x = props["vmib"] {
            throw x.invalid("give either properties.publishingProfile.targetRegions (the whole list) or properties.vmib.targetRegionChanges (a merge), not both.",
                            member: "targetRegionChanges")
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
