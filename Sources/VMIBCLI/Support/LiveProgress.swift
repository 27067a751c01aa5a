import Foundation
import Synchronization
import VMIBCore
import VMIBReplication
import VMIBService

/// Shows replication as it happens: on a terminal, the status table redrawn in place twice
/// a second; otherwise a plain line whenever a region changes state or passes a quarter.
final class LiveProgress: ReplicationObserver {
    private struct State {
        var bytes: [String: Int64] = [:]
        var lastLines: [String: String] = [:]
        var drawnLines = 0
    }
    private let state = Mutex(State())
    private let interactive = Terminal.isInteractive

    func progressed(region: String, index: Int, bytes: Int64) {
        state.withLock { $0.bytes["\(region)#\(index)"] = bytes }
    }

    func changed(_ replica: Replica) {}

    /// Redraws until `work` finishes, then returns its result.
    func watch<T: Sendable>(_ service: VMIBService, _ ref: VersionRef, while work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await work() }
        while !Task.isCancelled {
            if let details = try? service.versions.details(ref) { draw(details) }
            let done = await withTaskGroup(of: Bool.self) { group in
                group.addTask { _ = try? await task.value; return true }
                group.addTask { try? await Task.sleep(for: .milliseconds(500)); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if done { break }
        }
        return try await task.value
    }

    private func draw(_ details: VersionDetails) {
        // Overlay in-memory bytes (finer than the store's once-a-second writes).
        var replicas = details.replicas
        let live = state.withLock { $0.bytes }
        for i in replicas.indices where replicas[i].state == .Replicating {
            replicas[i].bytesDone = max(replicas[i].bytesDone, live["\(replicas[i].region)#\(replicas[i].index)"] ?? 0)
        }
        let status = ReplicationStatus(targets: details.version.publishingProfile.targetRegions, replicas: replicas,
                                       sizeBytes: details.version.storageProfile.sizeBytes,
                                       mode: details.version.publishingProfile.replicationMode)
        if interactive {
            let text = StatusTable.render(status)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            let up = state.withLock { s -> Int in defer { s.drawnLines = lines }; return s.drawnLines }
            var out = up > 0 ? "\u{1B}[\(up)A" : ""
            out += text.split(separator: "\n", omittingEmptySubsequences: false).map { "\u{1B}[2K" + $0 }.joined(separator: "\n") + "\n"
            FileHandle.standardOutput.write(Data(out.utf8))
        } else {
            for s in status.summary {
                let line = "\(s.region): \(s.state.rawValue) \(s.progress / 25 * 25)% (\(s.replicasCompleted)/\(s.replicasDesired) replicas)"
                let changed = state.withLock { st -> Bool in
                    defer { st.lastLines[s.region] = line }
                    return st.lastLines[s.region] != line
                }
                if changed { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
        }
    }
}
