import Foundation

extension TemplateParser {
    static let distributorTypes = ["ManagedImage", "SharedImage", "VHD"]

    mutating func distributors(_ value: JSONValue?, source: TemplateSource) throws -> [TemplateDistributor] {
        let path = "properties.distribute"
        guard let items = value?.arrayValue, !items.isEmpty else {
            throw ProvisioningErrorCode.BadDistributeType.error(.named(path), "is required: a non-empty array of distributors (\(Self.distributorTypes.joined(separator: ", ")))")
        }
        var names = Set<String>()
        return try items.enumerated().map { i, item in
            let d = try distributor(item, path: "\(path)[\(i)]", source: source)
            guard names.insert(d.runOutputName.lowercased()).inserted else {
                throw ProvisioningErrorCode.BadDistributeType.error(.named("\(path)[\(i)].runOutputName"), "'\(d.runOutputName)' is used by another distributor; runOutputName must be unique in a template")
            }
            return d
        }
    }

    static func isRunOutputName(_ s: String) -> Bool {
        (1...64).contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    private mutating func distributor(_ item: JSONValue, path: String, source: TemplateSource) throws -> TemplateDistributor {
        let bad = ProvisioningErrorCode.BadDistributeType
        let allowed = "allowed: \(Self.distributorTypes.joined(separator: ", "))"
        guard item.objectValue != nil else { throw bad.error(.named(path), "must be an object with a type; \(allowed)") }
        guard let type = item["type"]?.stringValue else { throw bad.error(.named("\(path).type"), "is required; \(allowed)") }
        guard let canonical = Self.distributorTypes.first(where: { $0.lowercased() == type.lowercased() }) else {
            throw bad.error(.named("\(path).type"), "'\(type)' is not a distributor type; \(allowed)")
        }
        let name = try string(item, "runOutputName", path, bad, required: true)!
        guard Self.isRunOutputName(name) else {
            throw bad.error(.named("\(path).runOutputName"), "'\(name)' is not allowed: expected ^[A-Za-z0-9-_.]{1,64}$")
        }
        if let tags = item["artifactTags"], !(tags.objectValue?.allSatisfy { $0.value.stringValue != nil } ?? false) {
            throw bad.error(.named("\(path).artifactTags"), "must be an object of string values")
        }
        switch canonical {
        case "ManagedImage":
            warnUnknown(item, known: ["type", "runOutputName", "artifactTags", "imageId", "location"], at: "\(path).")
            let id = try string(item, "imageId", path, bad, required: true)!
            guard let image = TemplateResourceIDs.managedImage(id) else {
                throw bad.error(.named("\(path).imageId"), "'\(id)' is not a managed image id: expected /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/images/NAME")
            }
            let location = try region(try string(item, "location", path, bad, required: true)!, field: .named("\(path).location"), code: bad)
            return .managedImage(runOutputName: name, image: image, location: location)
        case "SharedImage":
            return try sharedImage(item, path: path, name: name, source: source)
        default:
            warnUnknown(item, known: ["type", "runOutputName", "artifactTags", "uri"], at: "\(path).")
            let uri = try string(item, "uri", path, bad, required: false).flatMap { $0.isEmpty ? nil : $0 }
            if let uri {
                guard uri.hasPrefix("file:///"), !uri.hasSuffix("/"), !uri.split(separator: "/").contains("..") else {
                    throw bad.error(.named("\(path).uri"), "'\(uri)' is not allowed: expected a file URL of the VHD to write (file:///path/disk.vhd), or empty for the staging area")
                }
            }
            return .vhd(runOutputName: name, uri: uri)
        }
    }

    func region(_ text: String, field: Field, code: ProvisioningErrorCode) throws -> String {
        let folded = text.lowercased().replacingOccurrences(of: " ", with: "")
        guard context.knownRegions.contains(folded) else {
            let near = ClosestNames.to(folded, in: context.knownRegions.sorted())
            throw code.error(field, "unknown region '\(text)'; " + (near.isEmpty ? "see `vmib regions list`" : "did you mean \(near.joined(separator: ", "))?"))
        }
        return folded
    }

    private mutating func sharedImage(_ item: JSONValue, path: String, name: String, source: TemplateSource) throws -> TemplateDistributor {
        let bad = ProvisioningErrorCode.BadSharedImageDistribute
        warnUnknown(item, known: ["type", "runOutputName", "artifactTags", "galleryImageId", "targetRegions", "replicationRegions",
                                  "storageAccountType", "excludeFromLatest", "versioning", "replicationMode"], at: "\(path).")
        let id = try string(item, "galleryImageId", path, bad, required: true)!
        guard let image = TemplateResourceIDs.galleryImage(id) else {
            throw bad.error(.named("\(path).galleryImageId"), "'\(id)' is not a gallery image id: expected /subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G/images/I")
        }
        let target = item["targetRegions"], legacy = item["replicationRegions"]
        if target != nil && legacy != nil {
            throw bad.error(.named(path), "targetRegions and replicationRegions are both given; use targetRegions only (replicationRegions is deprecated)")
        }
        var regions: [SharedImageDistribution.Region] = []
        var seen = Set<String>()
        if let target {
            guard let items = target.arrayValue, !items.isEmpty else {
                throw bad.error(.named("\(path).targetRegions"), "must be a non-empty array of {name, replicaCount, storageAccountType}")
            }
            if item["storageAccountType"] != nil {
                throw bad.error(.named("\(path).storageAccountType"), "is allowed only with replicationRegions; give storageAccountType per target region")
            }
            for (i, r) in items.enumerated() {
                let rp = "\(path).targetRegions[\(i)]"
                guard r.objectValue != nil else { throw bad.error(.named(rp), "must be an object {name, replicaCount, storageAccountType}") }
                let region = try self.region(try string(r, "name", rp, bad, required: true)!, field: .named("\(rp).name"), code: bad)
                var count = 1
                if let c = r["replicaCount"] {
                    // Range-checked as a Double first: Int(1e300) would trap.
                    guard case .number(let n) = c, n.rounded() == n, n >= Double(TargetRegion.replicaCountRange.lowerBound),
                          n <= Double(TargetRegion.replicaCountRange.upperBound) else {
                        throw bad.error(.named("\(rp).replicaCount"), "must be an integer 1…100")
                    }
                    count = Int(n)
                }
                let type = try storageType(r["storageAccountType"], field: .named("\(rp).storageAccountType"))
                guard seen.insert(region).inserted else { throw bad.error(.named("\(rp).name"), "region '\(region)' is given twice") }
                regions.append(.init(name: region, replicaCount: count, storageAccountType: type))
            }
        } else if let legacy {
            guard let items = legacy.arrayValue, !items.isEmpty else {
                throw bad.error(.named("\(path).replicationRegions"), "must be a non-empty array of region names")
            }
            let type = try storageType(item["storageAccountType"], field: .named("\(path).storageAccountType"))
            for (i, r) in items.enumerated() {
                guard let s = r.stringValue else { throw bad.error(.named("\(path).replicationRegions[\(i)]"), "must be a region name") }
                let region = try self.region(s, field: .named("\(path).replicationRegions[\(i)]"), code: bad)
                guard seen.insert(region).inserted else { throw bad.error(.named("\(path).replicationRegions[\(i)]"), "region '\(region)' is given twice") }
                regions.append(.init(name: region, replicaCount: 1, storageAccountType: type))
            }
        } else {
            throw bad.error(.named("\(path).targetRegions"), "is required: where the version is replicated ([{\"name\": \"eastus\", \"replicaCount\": 1}])")
        }
        var exclude = false
        if let e = item["excludeFromLatest"] {
            guard case .bool(let b) = e else { throw bad.error(.named("\(path).excludeFromLatest"), "must be true or false") }
            exclude = b
        }
        let versioning = try self.versioning(item["versioning"], path: "\(path).versioning", source: source)
        var mode = ReplicationMode.Full
        if let m = item["replicationMode"] {
            guard let s = m.stringValue, let v = try? ReplicationMode(parsing: s, field: .replicationMode) else {
                throw bad.error(.named("\(path).replicationMode"), "must be one of: \(ReplicationMode.allowed)")
            }
            mode = v
        }
        // As Azure's validation would: a Shallow version is possible only in the source region, once.
        if mode == .Shallow, let source = context.sourceRegion,
           let v = ReplicationMode.shallowViolation(regions: regions.map { ($0.name, $0.replicaCount) }, sourceRegion: source) {
            let member = legacy != nil ? "\(path).replicationRegions[\(v.index)]"
                : "\(path).targetRegions[\(v.index)].\(v.member == .regionalReplicaCount ? "replicaCount" : v.member.rawValue)"
            throw bad.error(.named(member), v.message)
        }
        return .sharedImage(runOutputName: name, SharedImageDistribution(
            image: image, targetRegions: regions, excludeFromLatest: exclude, versioning: versioning, replicationMode: mode))
    }

    private func storageType(_ v: JSONValue?, field: Field) throws -> StorageAccountType? {
        guard let v else { return nil }
        guard let s = v.stringValue, let t = StorageAccountType(rawValue: s) else {
            throw ProvisioningErrorCode.BadSharedImageDistribute.error(field, "must be one of: \(StorageAccountType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return t
    }

    private func versioning(_ v: JSONValue?, path: String, source: TemplateSource) throws -> Versioning {
        let bad = ProvisioningErrorCode.BadSharedImageDistribute
        guard let v else { return .latest(major: nil) }
        guard v.objectValue != nil, let scheme = v["scheme"]?.stringValue else {
            throw bad.error(.named("\(path).scheme"), "is required: Latest or Source")
        }
        switch scheme.lowercased() {
        case "latest":
            guard let m = v["major"] else { return .latest(major: nil) }
            guard case .number(let n) = m, n.rounded() == n, n >= -1, n <= Double(UInt32.max) else {
                throw bad.error(.named("\(path).major"), "must be an integer ≥ -1 (-1 means unset)")
            }
            return .latest(major: n < 0 ? nil : UInt32(n))
        case "source":
            if case .managedImage = source {
                throw bad.error(.named("\(path).scheme"), "Source needs a source with a version number (PlatformImage or SharedImageVersion); a ManagedImage source has none: use Latest")
            }
            return .source
        default:
            throw bad.error(.named("\(path).scheme"), "'\(scheme)' is not allowed; allowed: Latest, Source")
        }
    }
}
