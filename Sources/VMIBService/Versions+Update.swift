import Foundation
import VMIBCore
import VMIBReplication
import VMIBStore

extension Versions {
    /// Changes a version's desired state in place; the controller then reconciles it.
    /// Verified replicas that are still wanted are never copied again.
    /// - Throws: `DomainError` naming the field; nothing changes then.
    public func update(_ r: UpdateRequest) throws -> ImageVersion {
        // Read, merge, compare-and-set; a concurrent writer between the read and the write
        // makes the store refuse, and the merge is applied again to what that writer left
        // (nothing is lost). With an If-Match the caller's view must be current instead.
        var attempt = 0
        while true {
            attempt += 1
            do { return try updateOnce(r) } catch let e as StoreError where e.code == .conflict && r.ifMatch == nil && attempt < 10 {
                continue
            }
        }
    }

    private func updateOnce(_ r: UpdateRequest) throws -> ImageVersion {
        var v = try details(r.ref).version
        try checkPrecondition(r.ifMatch, v.generation, r.ref)
        guard v.provisioningState != .Deleting else {
            throw DomainError(.refused, field: .version, "version \(r.ref.version) is being deleted")
        }
        let replicasChange = try targetRegionRules.merge(r, into: &v)
        do {
            return try store.updateVersion(v, ifGeneration: v.generation, provisioningState: replicasChange ? .Updating : nil)
        } catch let e as StoreError where e.code == .conflict && r.ifMatch != nil {
            throw DomainError(.preconditionFailed, field: .ifMatch, "version \(r.ref.version) changed since generation \(r.ifMatch!); read it again")
        }
    }

    /// Refuses a conditional change whose generation is not the record's.
    func checkPrecondition(_ ifMatch: Int64?, _ generation: Int64, _ ref: VersionRef) throws {
        guard let ifMatch, ifMatch != generation else { return }
        throw DomainError(.preconditionFailed, field: .ifMatch,
                          "version \(ref.version) is at generation \(generation), not \(ifMatch); read it again and retry")
    }

    // MARK: latest and resolution

    /// The highest version that may be latest in `region` (in every target region when nil).
    /// - Throws: `DomainError.notFound` listing why each version was passed over.
    public func latest(of image: ImageRef, region: String?, now: Date = Date()) throws -> ImageVersion {
        let region = try region.map { try catalog.region(named: $0, field: .region).name }
        var reasons: [String] = []
        for v in try list(of: image) {
            let completed = try store.completedReplicaCounts(of: v.ref)
            guard let why = LatestPolicy.disqualification(of: v, completed: completed, region: region, now: now) else { return v }
            reasons.append(why)
        }
        let place = region.map { " in \($0)" } ?? " in every target region"
        throw DomainError.notFound(.image, "no version of '\(image.image)' qualifies as latest\(place)"
                                   + (reasons.isEmpty ? ": it has no versions" : ": " + reasons.joined(separator: "; ")))
    }

    /// Picks a version for use, by number or `latest`. Deprecated versions resolve with a
    /// warning; Obsolete ones are refused.
    public func resolve(_ image: ImageRef, version: String, region: String?) throws -> Resolution {
        if version.lowercased() == "latest" { return Resolution(version: try latest(of: image, region: region)) }
        let v = try details(image.version(try VersionNumber(parsing: version, field: .version))).version
        let replacement = v.lifecycle.replacement.map { "; use \($0) instead" } ?? ""
        switch v.lifecycle.state {
        case .Active: return Resolution(version: v)
        case .Deprecated: return Resolution(version: v, warning: "version \(v.ref.version) is Deprecated\(replacement)")
        case .Obsolete:
            throw DomainError(.refused, field: .version, "version \(v.ref.version) is Obsolete and cannot be used for new deployments\(replacement)")
        }
    }

    /// Sets a version's lifecycle state.
    public func deprecate(_ ref: VersionRef, state: String, replacement: String?) throws -> ImageVersion {
        var v = try details(ref).version
        guard let s = Lifecycle.State(rawValue: state) ?? Lifecycle.State.allCases.first(where: { $0.rawValue.lowercased() == state.lowercased() }) else {
            throw DomainError.invalid(.lifecycleState, "'\(state)' is not a lifecycle state; allowed: \(Lifecycle.State.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var replacementVersion: VersionNumber?
        if let replacement {
            let r = try VersionNumber(parsing: replacement, field: .replacement)
            guard r != ref.version else { throw DomainError.invalid(.replacement, "a version cannot replace itself") }
            guard try store.version(ref.image.version(r)) != nil else {
                throw DomainError.invalid(.replacement, "version \(r) of image '\(ref.image.image)' does not exist")
            }
            replacementVersion = r
        }
        v.lifecycle = Lifecycle(state: s, replacement: replacementVersion)
        return try store.updateVersion(v, ifGeneration: v.generation, provisioningState: nil)
    }
}
