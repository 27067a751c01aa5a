import Foundation
import VMIBCore

extension VMIBService {
    /// Runs by state across every template of this subscription, for the server's metrics.
    public func templateRunCensus() throws -> [RunState: Int] {
        var census: [RunState: Int] = [:]
        for t in try templateStore.templates(subscription: subscription, resourceGroup: nil) {
            for r in try templateStore.runs(of: t.key) { census[r.state, default: 0] += 1 }
        }
        return census
    }

    /// Ends the runs a previous server process left active (it stopped mid-run): a server
    /// starting up calls this so that no template shows a run nobody carries out.
    public func finishAbandonedRuns() throws {
        for t in try templateStore.templates(subscription: subscription, resourceGroup: nil) {
            for r in try templateStore.runs(of: t.key) where r.state.isActive && !workerAlive(r) {
                try finishAbandoned(r, canceled: r.state == .Canceling)
            }
        }
    }
}
