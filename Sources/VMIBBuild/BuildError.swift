/// Why a build failed. Messages name the customizer, the tool or the URL concerned.
public struct BuildError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// The source could not be fetched, verified or read.
        case source
        /// A customizer failed (non-zero exit, bad checksum, fetch failure).
        case customizer
        /// A validator failed.
        case validation
        /// The build timeout passed; the build VM was killed.
        case timedOut
        /// Not possible on this host (Windows customizers).
        case unsupported
        /// A helper tool failed (qemu-img, mke2fs, libguestfs).
        case tool
        case `internal`
    }
    public var code: Code
    public var message: String
    public var description: String { message }

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    static let timedOut = BuildError(.timedOut, "the build timeout passed")
    static func `internal`(_ m: String) -> BuildError { BuildError(.internal, m) }
    static func toolFailed(_ command: String, _ status: Int32, _ tail: String) -> BuildError {
        BuildError(.tool, "\(command) exited with \(status): \(tail)")
    }
}
