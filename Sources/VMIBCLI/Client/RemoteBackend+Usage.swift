import Foundation
import VMIBCore
import VMIBWire

extension RemoteBackend {
    func usage(since: Date?, by: UsageGrouping, resourceGroup: String?) async throws -> UsageReport {
        var query = "&by=\(by.rawValue)"
        if let since { query += "&since=\(Self.query(ISO8601.format(since)))" }
        let path = UsageWire.path(subscription: Self.query(subscription), resourceGroup: resourceGroup.map(Self.query))
        return try Self.answer(UsageReport.self, try await call(.get, path, query: query))
    }

    /// The server has no dry run of a publish (its disk is a file on this machine, its
    /// prices are the server's): refused, nothing sent.
    func publishPlan(_ request: PublishRequest) async throws -> TransferPlan {
        throw DomainError.invalid(.named("--server"), "a publish's plan (`version plan`, `version publish --dry-run`) is not available with --server yet; run it embedded, or see a template's plan with `vmib template plan`")
    }
}
