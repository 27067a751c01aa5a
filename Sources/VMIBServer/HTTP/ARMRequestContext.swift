import Foundation
import Hummingbird
import Logging

/// Per-request state: who is calling (set by `AuthMiddleware`) and the body limit.
public struct ARMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil only on the open paths (the probes, /metrics, the status page's files).
    public var principal: Principal?
    /// The route's template, for metrics (`/subscriptions/{}/…/versions/{}`), set by the route.
    public var route: String?

    /// Bodies larger than this are refused with 413 before they are parsed.
    public static let bodyLimit = 1 << 20
    public var maxUploadSize: Int { Self.bodyLimit }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

extension Request {
    /// A query parameter by its name, written as is or percent-encoded (a browser sends
    /// `$expand` as `%24expand`).
    func query(_ name: String) -> String? {
        if let v = uri.queryParameters.get(name) { return v }
        for (key, value) in uri.queryParameters where key.removingPercentEncoding == name {
            return String(value).removingPercentEncoding ?? String(value)
        }
        return nil
    }
}

extension Parameters {
    /// A name from the request path, percent-decoded: a client encodes each name as one
    /// segment (`a%2Fb`), and the name rules then judge the name itself, not its encoding.
    func name(_ key: String) throws -> String {
        let raw = try require(key)
        return raw.removingPercentEncoding ?? raw
    }
}
