import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import VMIBCore
import VMIBServer
import VMIBService
import VMIBTestSupport

/// A server over a fresh state directory with four callers: a subscription Contributor, a
/// Reader and a Contributor of resource group rg1, and a Contributor of rg2.
struct ServerFixture {
    static let subscription = ServiceConfiguration.defaultSubscription
    static func entry(_ token: String, _ principal: String, _ role: String, _ scope: String) -> String {
        #"{"sha256":"\#(TokenFile.hash(token))","principal":"\#(principal)","role":"\#(role)","scope":"\#(scope)"}"#
    }
    static let tokensJSON: String = {
        let sub = "/subscriptions/\(subscription)"
        return #"{"tokens":["# + [entry("admin-token", "admin", "Contributor", sub),
                                 entry("reader-token", "reader", "Reader", sub + "/resourceGroups/rg1"),
                                 entry("rg1-token", "rg1-writer", "Contributor", sub + "/resourceGroups/rg1"),
                                 entry("rg2-token", "rg2-writer", "Contributor", sub + "/resourceGroups/rg2")].joined(separator: ",") + "]}"
    }()

    let directory: URL
    let service: VMIBService
    let api: API
    let disk: String

    let tokensJSON: String

    /// - Parameters:
    ///   - tokensJSON: the token file (default: the four callers above).
    ///   - moreSubscriptions: served besides the default one (`vmib serve` adds its tokens' and `--subscription`'s).
    init(tokensJSON: String = Self.tokensJSON, moreSubscriptions: [String] = []) throws {
        self.tokensJSON = tokensJSON
        directory = try TestFiles.directory("vmib-server")
        var env = ProcessInfo.processInfo.environment
        env["VMIB_TOPOLOGY_DIR"] = RepositoryPaths.root.appendingPathComponent("topology").path
        env["VMIB_TOPOLOGY"] = nil
        var configuration = ServiceConfiguration(stateDirectory: directory.appendingPathComponent("state").path, environment: env)
        configuration.moreSubscriptions = moreSubscriptions
        service = try VMIBService(configuration: configuration)
        disk = directory.appendingPathComponent("disk.raw").path
        try TestFiles.random(URL(fileURLWithPath: disk), bytes: 200_000)
        api = API(service: service, settings: ServerSettings(location: "eastus", sourceRoots: [directory.path]), metrics: ServerMetrics())
    }

    func application() throws -> some ApplicationProtocol {
        Application(router: VMIBServer.router(api: api, tokens: try TokenFile(json: tokensJSON), ready: ReadyFlag()))
    }

    static func base(_ rg: String = "rg1") -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(rg)/providers/Microsoft.Compute/galleries"
    }

    /// rg1's image definition i1 in gallery g1, which most API tests work on.
    static let image = GalleryRef(subscription: subscription, resourceGroup: "rg1", gallery: "g1").image("i1")

    static let galleryBody = #"{"location":"eastus","properties":{"description":"d"}}"#
    static let imageBody = #"{"location":"eastus","properties":{"osType":"Linux","osState":"Generalized","identifier":{"publisher":"p","offer":"o","sku":"s"}}}"#
    func versionBody(regions: String = #"[{"name":"East US","regionalReplicaCount":2}]"#) -> String {
        #"{"location":"eastus","properties":{"publishingProfile":{"targetRegions":\#(regions)},"storageProfile":{"source":{"uri":"file://\#(disk)"}}}}"#
    }

    func removeAll() { try? FileManager.default.removeItem(at: directory) }
}

/// What a test needs of a response.
struct Reply {
    var status: Int
    var headers: HTTPFields
    var text: String
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorTarget: String? { (json["error"] as? [String: Any])?["target"] as? String }
    /// Azure's error shape: an `error` object with a code and a message.
    var isARMError: Bool {
        guard let e = json["error"] as? [String: Any] else { return false }
        return e["code"] is String && e["message"] is String
    }
}

extension TestClientProtocol {
    /// PUTs rg1's gallery g1 and its image definition i1 (`ServerFixture.image`).
    func putGalleryAndImage(apiVersion: String? = "2025-03-03") async throws {
        _ = try await call(.put, ServerFixture.base() + "/g1", body: ServerFixture.galleryBody, apiVersion: apiVersion)
        _ = try await call(.put, ServerFixture.base() + "/g1/images/i1", body: ServerFixture.imageBody, apiVersion: apiVersion)
    }

    func call(_ method: HTTPRequest.Method, _ path: String, token: String? = "admin-token", body: String? = nil,
              apiVersion: String? = "2025-03-03", headers extra: [String: String] = [:]) async throws -> Reply {
        var headers = HTTPFields()
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        var uri = path
        if let apiVersion { uri += (path.contains("?") ? "&" : "?") + "api-version=\(apiVersion)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { r in
            Reply(status: Int(r.status.code), headers: r.headers, text: String(buffer: r.body))
        }
    }
}
