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
}
