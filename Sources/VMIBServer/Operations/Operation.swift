import Foundation
import VMIBCore
import VMIBService

/// A long-running operation on a version. Its id encodes what it is about, and its status
/// is read from the store every time: it survives a restart and can never disagree with
/// the version (level-triggered, like the controller).
public struct Operation: Sendable, Equatable {
    public enum Kind: String, Sendable { case create, update, delete }

    public var kind: Kind
    public var version: VersionRef
    public var startTime: Date

    public init(kind: Kind, version: VersionRef, startTime: Date = Date()) {
        self.kind = kind; self.version = version; self.startTime = startTime
    }

    /// URL-safe, opaque to clients.
    public var id: String {
        OperationID.encode("\(kind.rawValue)|\(Int(startTime.timeIntervalSince1970 * 1000))|\(version.id)")
    }

    public init?(id: String) {
        guard let text = OperationID.decode(id) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 2).map(String.init)
        guard parts.count == 3, let kind = Kind(rawValue: parts[0]), let ms = Int(parts[1]),
              let ref = VersionIDParser.parse(parts[2]) else { return nil }
        self.init(kind: kind, version: ref, startTime: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// Azure's operation status resource.
    public struct Status: Codable, Sendable {
        public struct ErrorBody: Codable, Sendable { public var code: String; public var message: String }
        public var name: String
        public var status: String
        public var startTime: Date
        public var endTime: Date?
        public var error: ErrorBody?
    }

    /// InProgress while the version's desired state is not reached; Succeeded, Failed (naming
    /// the failed regions) or Canceled (the version was deleted meanwhile) after.
    public func status(in service: VMIBService) -> Status {
        var s = Status(name: id, status: "InProgress", startTime: startTime)
        let details = try? service.versions.details(version)
        switch (kind, details?.version.provisioningState) {
        case (.delete, nil): s.status = "Succeeded"
        case (.delete, _): s.status = "InProgress"
        case (_, nil), (_, .Deleting?): s.status = "Canceled"
        case (_, .Succeeded?): s.status = "Succeeded"
        case (_, .Failed?):
            s.status = "Failed"
            let failed = details!.status.summary.filter { $0.state == .Failed }
            s.error = .init(code: "ReplicationFailed",
                            message: failed.map { "\($0.region): \($0.details)" }.joined(separator: "; "))
        case (_, .Creating?), (_, .Updating?): s.status = "InProgress"
        }
        if s.status != "InProgress" { s.endTime = Date() }
        return s
    }
}

/// Parses a gallery image version's resource id.
enum VersionIDParser {
    static func parse(_ id: String) -> VersionRef? {
        let p = id.split(separator: "/").map(String.init)
        guard p.count == 12, p[0].lowercased() == "subscriptions", p[2].lowercased() == "resourcegroups",
              p[4].lowercased() == "providers", p[5].lowercased() == "microsoft.compute", p[6].lowercased() == "galleries",
              p[8].lowercased() == "images", p[10].lowercased() == "versions",
              let number = try? VersionNumber(parsing: p[11], field: .named("id")) else { return nil }
        return GalleryRef(subscription: p[1], resourceGroup: p[3], gallery: p[7]).image(p[9]).version(number)
    }
}
