import Foundation

/// Packages a built raw disk for distribution.
public enum DiskPackager {
    /// A fixed VHD of `raw` at `destination`: the raw size is first rounded up to a whole MiB
    /// (Azure requires 1 MiB-aligned virtual sizes), then converted by qemu-img.
    /// - Returns: the VHD's size in bytes.
    @discardableResult
    public static func fixedVHD(from raw: String, to destination: String) async throws -> Int64 {
        let size = ImageBuilder.fileSize(raw)
        let aligned = (size + (1 << 20) - 1) / (1 << 20) * (1 << 20)
        if aligned != size { try await Subprocess.run(["truncate", "-s", String(aligned), raw]) }
        try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temp = partial(destination)
        try await Subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on", raw, temp])
        guard rename(temp, destination) == 0 else { throw BuildError(.tool, "cannot move the VHD to \(destination)") }
        return ImageBuilder.fileSize(destination)
    }

    /// Where `fixedVHD` writes the VHD before renaming it to `destination`.
    public static func partial(_ destination: String) -> String { destination + ".partial" }
}
