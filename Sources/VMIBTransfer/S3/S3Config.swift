import Foundation

/// Where and how to reach one S3-compatible bucket.
public struct S3Config: Sendable, Hashable, CustomStringConvertible {
    /// Scheme, host and port, e.g. `http://127.0.0.1:9101` (no bucket, no trailing path).
    public var endpoint: URL
    public var bucket: String
    /// The region in the SigV4 scope (`us-east-1` for most self-hosted servers).
    public var signingRegion: String
    public var accessKey: String
    /// Never logged: `description` leaves it out, errors scrub it.
    public var secretKey: String
    /// Size of each multipart part (the last may be smaller). Raised automatically for
    /// files that would need more than S3's 10 000 parts.
    public var partSize: Int64
    /// Files of at least this size go as multipart uploads (resumable); smaller ones as one PUT.
    public var multipartThreshold: Int64
    /// In-store copies of objects larger than this are made in parts (UploadPartCopy, cut
    /// as uploads are: `partSize`) instead of one CopyObject, which S3 refuses above 5 GiB.
    /// Servers that do not copy parts (rclone) get one CopyObject whatever the size.
    public var multipartCopyThreshold: Int64
    /// `endpoint/bucket/key` when true (what self-hosted servers expect), else
    /// `bucket.endpoint/key` (virtual-hosted style).
    public var pathStyle: Bool
    public var timeouts: TransferTimeouts
    /// Whether multipart parts carry their SHA-256 in the signature (see `PayloadSigning`).
    public var payloadSigning: PayloadSigning

    /// Whether a part's SHA-256 is signed (`x-amz-content-sha256`), as the AWS CLI's
    /// `payload_signing_enabled` decides: a signed part costs a hashing pass before it is
    /// sent. Unsigned parts (`UNSIGNED-PAYLOAD`) are still checked: each part's ETag must be
    /// the MD5 of the bytes sent, and the file's SHA-256, hashed as it is sent, must match
    /// before the upload completes. What signing adds is a server that checks the payload
    /// hash itself (AWS does; rclone does not), against tampering on a plain-HTTP link.
    public enum PayloadSigning: String, Sendable, Hashable, CaseIterable {
        /// Signed over http://, unsigned over https:// (the AWS CLI's default).
        case auto
        case always
        case never
    }

    /// Whether this endpoint's parts are signed.
    public var signsPayload: Bool {
        switch payloadSigning {
        case .always: true
        case .never: false
        case .auto: endpoint.scheme?.lowercased() != "https"
        }
    }

    /// - Parameters:
    ///   - partSize: default 16 MiB.
    ///   - multipartThreshold: default 32 MiB.
    ///   - multipartCopyThreshold: default 5 GiB, the largest object S3's CopyObject takes.
    public init(endpoint: URL, bucket: String, signingRegion: String = "us-east-1",
                accessKey: String, secretKey: String,
                partSize: Int64 = 16 << 20, multipartThreshold: Int64 = 32 << 20,
                pathStyle: Bool = true, timeouts: TransferTimeouts = TransferTimeouts(),
                payloadSigning: PayloadSigning = .auto, multipartCopyThreshold: Int64 = 5 << 30) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.signingRegion = signingRegion
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.partSize = partSize
        self.multipartThreshold = multipartThreshold
        self.pathStyle = pathStyle
        self.timeouts = timeouts
        self.payloadSigning = payloadSigning
        self.multipartCopyThreshold = multipartCopyThreshold
    }

    public var description: String {
        "S3Config(endpoint: \(endpoint.absoluteString), bucket: \(bucket), region: \(signingRegion), "
            + "accessKey: \(accessKey), secretKey: ***, partSize: \(partSize), "
            + "multipartThreshold: \(multipartThreshold), multipartCopyThreshold: \(multipartCopyThreshold), pathStyle: \(pathStyle), payloadSigning: \(payloadSigning.rawValue))"
    }
}

extension S3Config: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { description }

    /// Keeps the secret out of `dump()` and debugger views too.
    public var customMirror: Mirror {
        Mirror(self, children: ["endpoint": endpoint, "bucket": bucket, "signingRegion": signingRegion,
                                "accessKey": accessKey, "secretKey": "***", "partSize": partSize,
                                "multipartThreshold": multipartThreshold, "multipartCopyThreshold": multipartCopyThreshold,
                                "pathStyle": pathStyle,
                                "timeouts": timeouts, "payloadSigning": payloadSigning])
    }
}
