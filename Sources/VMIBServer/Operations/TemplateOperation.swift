import Foundation
import VMIBCore
import VMIBService

/// A long-running operation on an image template (run, cancel, delete). Like `Operation`, its
/// id encodes what it is about and its status is read from the store every time, so it
/// survives a restart and always agrees with the template's runs.
public struct TemplateOperation: Sendable, Equatable {
    public enum Kind: String, Sendable { case run, cancel, delete }

    public var kind: Kind
    public var template: TemplateKey
    /// The run a run or cancel operation is about.
    public var runID: String?
    public var startTime: Date

    public init(kind: Kind, template: TemplateKey, runID: String?, startTime: Date = Date()) {
        self.kind = kind; self.template = template; self.runID = runID; self.startTime = startTime
    }

    /// URL-safe, opaque to clients.
    public var id: String {
        OperationID.encode("tpl|\(kind.rawValue)|\(Int(startTime.timeIntervalSince1970 * 1000))|\(runID ?? "")|\(template.id)")
    }

    public init?(id: String) {
        guard let text = OperationID.decode(id) else { return nil }
        let parts = text.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "tpl", let kind = Kind(rawValue: parts[1]), let ms = Int(parts[2]) else { return nil }
        let p = parts[4].split(separator: "/").map(String.init)
        guard p.count == 8, p[0].lowercased() == "subscriptions", p[2].lowercased() == "resourcegroups",
              p[5].lowercased() == "microsoft.virtualmachineimages", p[6].lowercased() == "imagetemplates" else { return nil }
        self.init(kind: kind, template: TemplateKey(subscription: p[1], resourceGroup: p[3], name: p[7]),
                  runID: parts[3].isEmpty ? nil : parts[3], startTime: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// Run: InProgress while the run is active, then Succeeded, Canceled, or Failed (a
    /// Failed or PartiallySucceeded run, with its message). Cancel: InProgress until the run
    /// stops. Delete: InProgress while the template exists.
    public func status(in service: VMIBService) -> Operation.Status {
        var s = Operation.Status(name: id, status: "InProgress", startTime: startTime)
        switch kind {
        case .delete:
            s.status = (try? service.templates.details(template)) == nil ? "Succeeded" : "InProgress"
        case .run, .cancel:
            guard let runID, let run = try? service.runs.get(id: runID) else {
                s.status = "Canceled"
                s.error = .init(code: "ResourceNotFound", message: "the image template or its run was deleted")
                break
            }
            if run.state.isActive { break }
            switch (kind, run.state) {
            case (.cancel, _), (_, .Succeeded): s.status = "Succeeded"
            case (_, .Canceled): s.status = "Canceled"
            default:
                s.status = "Failed"
                s.error = .init(code: run.state == .PartiallySucceeded ? "RunPartiallySucceeded" : "RunFailed",
                                message: "run \(run.id) \(run.state.rawValue): \(run.message)")
            }
        }
        if s.status != "InProgress" { s.endTime = Date() }
        return s
    }
}
