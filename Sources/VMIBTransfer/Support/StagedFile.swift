import Foundation

/// A file written under a temporary name beside its destination, then flushed and renamed
/// into place, so nobody ever sees a partial file at the destination — not even after a
/// crash mid-write.
///
/// Temporary names start with `StagedFile.reservedPrefix`; listings skip them.
final class StagedFile: @unchecked Sendable {
    /// Names starting with this belong to vmib (temp files, sidecars), not to callers.
    static let reservedPrefix = ".vmib."

    let destination: String
    let file: LocalFile
    private var finished = false

    private init(destination: String, file: LocalFile) {
        self.destination = destination
        self.file = file
    }

    deinit {
        if !finished { try? LocalFile.removeIfPresent(file.path) }
    }

    /// Creates the temporary file in `destination`'s directory (the same file system,
    /// so the final rename is atomic).
    static func create(for destination: String) throws -> StagedFile {
        let url = URL(fileURLWithPath: destination)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent("\(reservedPrefix)\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        return StagedFile(destination: destination, file: try LocalFile.create(temp))
    }

    /// fsyncs the data, renames it over the destination, fsyncs the directory.
    func commit() throws {
        try file.sync()
        try LocalFile.moveIntoPlace(file.path, to: destination)
        finished = true
        try LocalFile.syncDirectory(URL(fileURLWithPath: destination).deletingLastPathComponent().path)
    }

    /// Removes the temporary file.
    func discard() {
        finished = true
        try? LocalFile.removeIfPresent(file.path)
    }
}
