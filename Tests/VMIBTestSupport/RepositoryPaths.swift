import Foundation

/// Where the repository and the built `vmib` binary are, seen from a test.
public enum RepositoryPaths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `vmib` built beside the test bundle (`swift build --build-tests` builds both).
    public static var vmib: String {
        if let env = ProcessInfo.processInfo.environment["VMIB_BINARY"] { return env }
        let beside = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("vmib").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return root.appendingPathComponent(".build/debug/vmib").path
    }
}
