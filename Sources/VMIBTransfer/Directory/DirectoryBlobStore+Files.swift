import Foundation

/// Paths, sidecars and the one copy loop the directory store's writes share.
extension DirectoryBlobStore {
    /// The file path of `key`, after checking the key cannot escape `root` or collide
    /// with the store's own reserved names.
    func path(for key: String) throws -> String {
        try BlobKey.validate(key)
        if key.split(separator: "/").contains(where: { $0.hasPrefix(StagedFile.reservedPrefix) }) {
            throw TransferError(code: .fatal, target: key,
                                message: "invalid key: segments starting with '\(StagedFile.reservedPrefix)' are reserved")
        }
        return root + "/" + key
    }

    static func sidecarPath(of path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent("\(StagedFile.reservedPrefix)\(url.lastPathComponent).sha256").path
    }

    /// The SHA-256 recorded when the object was written, if its sidecar exists.
    static func recordedSHA256(of path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: sidecarPath(of: path)) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Copies `size` bytes of `source` to `destination` through a staged file, hashing them.
    ///
    /// `check` sees the digest before anything is renamed into place and may throw to
    /// discard the copy. The old sidecar is removed before the rename and the new one
    /// written after it, so a crash in between leaves no sidecar rather than a wrong one.
    static func write(
        _ source: LocalFile, size: Int64, to destination: String, pacer: (any BytePacer)?,
        cancellation: CancellationFlag, progress: (@Sendable (Int64) -> Void)?,
        check: (ObjectDigest) throws -> Void
    ) throws -> ObjectDigest {
        let directory = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TransferError(code: .fatal, target: directory, message: "create directory: \(error.localizedDescription)")
        }
        let staged = try StagedFile.create(for: destination)
        var hasher = StreamHasher()
        var throttle = progress.map { ProgressThrottle($0) }
        do {
            try FileChunks.read(source, offset: 0, length: size, cancellation: cancellation) { chunk in
                pacer?.pace(bytes: chunk.count)
                hasher.update(chunk)
                try staged.file.append(chunk)
                throttle?.update(hasher.count)
            }
            let digest = hasher.finalize()
            try check(digest)
            let sidecar = sidecarPath(of: destination)
            try LocalFile.removeIfPresent(sidecar)
            try staged.commit()
            let stagedSidecar = try StagedFile.create(for: sidecar)
            try Data((digest.sha256 + "\n").utf8).withUnsafeBytes { try stagedSidecar.file.append($0) }
            try stagedSidecar.commit()
            return digest
        } catch var error as TransferError where error.target.hasPrefix(directory + "/" + StagedFile.reservedPrefix) {
            // A failed write of a temporary file (ENOSPC, EIO) names the object it was for:
            // the temporary name means nothing to a user and is gone once discarded.
            staged.discard()
            error.target = destination
            throw error
        } catch {
            staged.discard()
            throw error
        }
    }
}
