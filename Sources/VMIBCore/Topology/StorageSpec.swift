/// Where one storage account type of a region keeps its objects. Credentials are never
/// part of it: only the names of the environment variables or the file that hold them.
public enum StorageSpec: Sendable, Hashable {
    /// A directory; a relative path is under the state directory.
    case directory(path: String)
    case s3(S3StorageSpec)
}

/// An S3-compatible endpoint and bucket.
public struct S3StorageSpec: Sendable, Hashable {
    public var endpoint: String
    public var bucket: String
    public var signingRegion: String
    /// Environment variables holding the access key and secret.
    public var accessKeyEnv: String?
    public var secretKeyEnv: String?
    /// A file with `accessKey=...` and `secretKey=...` lines (relative: under the state directory).
    public var credentialsFile: String?
    /// Whether multipart parts' SHA-256 is signed: `auto` (over http:// only, as the AWS
    /// CLI does), `always` or `never`.
    public var payloadSigning: String

    public static let payloadSigningValues = ["auto", "always", "never"]

    public init(endpoint: String, bucket: String, signingRegion: String, accessKeyEnv: String?,
                secretKeyEnv: String?, credentialsFile: String?, payloadSigning: String = "auto") {
        self.endpoint = endpoint; self.bucket = bucket; self.signingRegion = signingRegion
        self.accessKeyEnv = accessKeyEnv; self.secretKeyEnv = secretKeyEnv; self.credentialsFile = credentialsFile
        self.payloadSigning = payloadSigning
    }
}
