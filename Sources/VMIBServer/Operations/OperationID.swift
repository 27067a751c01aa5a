import Foundation

/// An operation id's encoding: the operation's fields, joined with `|`, in base64url without
/// padding (URL-safe, opaque to clients). Both operation kinds use it.
enum OperationID {
    static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// nil when `id` is not base64url.
    static func decode(_ id: String) -> String? {
        var b64 = id.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        return Data(base64Encoded: b64).map { String(decoding: $0, as: UTF8.self) }
    }
}
