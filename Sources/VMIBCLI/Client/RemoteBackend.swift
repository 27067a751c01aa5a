import Foundation
import VMIBCore
import VMIBReplication
import VMIBService
import VMIBTransfer
import VMIBWire

/// The commands' backend over HTTP: Azure Resource Manager requests to `vmib serve`, through
/// libcurl. Resources come back with `properties.vmib` (vmib's own record), so the commands
/// render exactly what they render in embedded mode.
struct RemoteBackend: VMIBBackend {
    static let computeAPI = "2025-03-03"
    static let resourcesAPI = "2022-12-01"
    let server: String
    let token: String?
    let insecure: Bool
    let subscription: String

    /// The names are the server's to check (`ResourceName`, once, there); they are only
    /// percent-encoded into request paths (`path(_:)`), so any name reaches it.
    func galleryRef(resourceGroup: String, name: String) throws -> GalleryRef {
        GalleryRef(subscription: subscription, resourceGroup: resourceGroup, gallery: name)
    }

    // MARK: requests

    /// The answer, or the server's error (`failure`: a refusal is the domain's error, exit 2).
    func call(_ method: JSONRequest.Method, _ path: String, query: String = "", body: JSONValue? = nil,
              apiVersion: String = Self.computeAPI, ifMatch: Int64? = nil) async throws -> JSONRequest.Response {
        try await send(method, path, query: query, body: body.map { Data($0.text.utf8) }, apiVersion: apiVersion, ifMatch: ifMatch)
    }

    /// The same with one of the wire's request bodies.
    func call(_ method: JSONRequest.Method, _ path: String, query: String = "", payload: some Payload,
              apiVersion: String = Self.computeAPI, ifMatch: Int64? = nil) async throws -> JSONRequest.Response {
        try await send(method, path, query: query, body: try payload.encoded(), apiVersion: apiVersion, ifMatch: ifMatch)
    }

    private func send(_ method: JSONRequest.Method, _ path: String, query: String, body: Data?,
                      apiVersion: String, ifMatch: Int64?) async throws -> JSONRequest.Response {
        let url = server + path + "?api-version=\(apiVersion)" + query
        let r: JSONRequest.Response
        do {
            r = try await JSONRequest.send(method, url, body: body, bearer: token, insecure: insecure,
                                           extraHeaders: ifMatch.map { ["If-Match: \"\($0)\""] } ?? [])
        } catch {
            throw CLIFailure(message: "cannot reach the vmib server \(server): \(error)", exitCode: 1)
        }
        guard r.isSuccess else { throw Self.failure(r) }
        return r
    }

    /// The server's `{"error": {code, message, target, additionalInfo}}`: a refusal (4xx) as
    /// the domain's error on the field the server named (the command prints it in its own
    /// words, as embedded), or on its `target`; anything else a failure (exit 1).
    static func failure(_ r: JSONRequest.Response) -> any Error {
        let body = try? WireJSON.decoder.decode(ErrorBody.self, from: r.body)
        let message = body?.error.message ?? String(decoding: r.body.prefix(300), as: UTF8.self)
        guard (400..<500).contains(r.status) else {
            return CLIFailure(message: body?.error.target.map { "\($0): \(message)" } ?? message, exitCode: 1)
        }
        let code: DomainError.Code = switch r.status {
        case 404: .notFound
        case 409: .refused
        case 412: .preconditionFailed
        default: .invalidArgument
        }
        return DomainError(code, field: body?.field, message)
    }

    /// The answer's body as `T`; a body that is not one is a failure (exit 1) naming why.
    static func answer<T: Decodable>(_ type: T.Type, _ r: JSONRequest.Response) throws -> T {
        do { return try WireJSON.decoder.decode(T.self, from: r.body) } catch {
            throw CLIFailure(message: "unexpected answer from the server: \(error)", exitCode: 1)
        }
    }

    /// vmib's record of a resource the server rendered for the API (`properties.vmib`).
    static func record<T>(_ value: T?) throws -> T {
        guard let value else { throw CLIFailure(message: "unexpected answer from the server: no properties.vmib record", exitCode: 1) }
        return value
    }

    func gallery(_ r: JSONRequest.Response) throws -> Gallery { try Self.record(try Self.answer(GalleryResource.self, r).properties.vmib) }
    func image(_ r: JSONRequest.Response) throws -> ImageDefinition { try Self.record(try Self.answer(ImageResource.self, r).properties.vmib) }

    /// A resource's path with each name one percent-encoded segment.
    static func path(_ g: GalleryRef) -> String {
        "/subscriptions/\(query(g.subscription))/resourceGroups/\(query(g.resourceGroup))/providers/Microsoft.Compute/galleries/\(query(g.gallery))"
    }
    static func path(_ i: ImageRef) -> String { path(i.gallery) + "/images/\(query(i.image))" }
    static func path(_ v: VersionRef) -> String { path(v.image) + "/versions/\(v.version)" }

    // MARK: galleries and images

    func createGallery(_ ref: GalleryRef, description: String?) async throws -> Gallery {
        // PUT is create-or-update; the CLI's create refuses an existing gallery, as embedded.
        if (try? await gallery(ref)) != nil {
            throw CLIFailure(message: "--name: gallery '\(ref.gallery)' already exists in resource group '\(ref.resourceGroup)'", exitCode: 2)
        }
        let body = ResourcePayload(location: try await homeLocation(), properties: GalleryProperties(description: description))
        return try gallery(try await call(.put, Self.path(ref), payload: body))
    }

    func gallery(_ ref: GalleryRef) async throws -> Gallery { try gallery(try await call(.get, Self.path(ref))) }

    func galleries(resourceGroup: String?) async throws -> [Gallery] {
        let path = resourceGroup.map { "/subscriptions/\(subscription)/resourceGroups/\(Self.query($0))/providers/Microsoft.Compute/galleries" }
            ?? "/subscriptions/\(subscription)/providers/Microsoft.Compute/galleries"
        return try Self.answer(ARMList<GalleryResource>.self, try await call(.get, path)).value.map { try Self.record($0.properties.vmib) }
    }

    func deleteGallery(_ ref: GalleryRef) async throws {
        _ = try await gallery(ref)
        _ = try await call(.delete, Self.path(ref))
    }

    func createImage(_ r: ImageRequest) async throws -> ImageDefinition {
        if (try? await image(r.ref)) != nil {
            throw CLIFailure(message: "--name: image definition '\(r.ref.image)' already exists in gallery '\(r.ref.gallery.gallery)'", exitCode: 2)
        }
        let body = ResourcePayload(location: try await homeLocation(), properties: ImageProperties(r))
        return try image(try await call(.put, Self.path(r.ref), payload: body))
    }

    func image(_ ref: ImageRef) async throws -> ImageDefinition { try image(try await call(.get, Self.path(ref))) }

    func images(in gallery: GalleryRef) async throws -> [ImageDefinition] {
        try Self.answer(ARMList<ImageResource>.self, try await call(.get, Self.path(gallery) + "/images")).value.map { try Self.record($0.properties.vmib) }
    }

    func deleteImage(_ ref: ImageRef) async throws {
        _ = try await image(ref)
        _ = try await call(.delete, Self.path(ref))
    }

    // MARK: versions

    func publish(_ request: PublishRequest) async throws -> ImageVersion {
        let ref = request.image.version(try VersionNumber(parsing: request.version, field: .version))
        if (try? await details(ref)) != nil {
            throw CLIFailure(message: "--version: version \(ref.version) of image '\(ref.image.image)' already exists", exitCode: 2)
        }
        let disk = URL(fileURLWithPath: request.disk).standardizedFileURL.path
        // Where its gallery and image are (the CLI makes them at the server's home, as Azure
        // keeps a version in its gallery's region); a bad target region is then named as such.
        let location = try await homeLocation()
        let body = ResourcePayload(location: location, properties: VersionProperties(publish: request, diskPath: disk))
        return try decodeVersion(try await call(.put, Self.path(ref), payload: body)).version
    }

    /// A PATCH that asks the server to merge the region changes into whatever the version
    /// holds when the PATCH arrives (`properties.vmib.targetRegionChanges`), so that two
    /// clients changing different regions at once both keep their change; with `--if-match`
    /// it applies only to the generation the caller saw.
    func update(_ r: UpdateRequest) async throws -> ImageVersion {
        let body = ResourcePayload<VersionProperties>(properties: VersionProperties(update: r))
        return try decodeVersion(try await call(.patch, Self.path(r.ref), payload: body, ifMatch: r.ifMatch)).version
    }

    func versions(of image: ImageRef) async throws -> [ImageVersion] {
        try Self.answer(ARMList<VersionResource>.self, try await call(.get, Self.path(image) + "/versions")).value
            .map { try Self.record($0.details).version }
    }

    func details(_ ref: VersionRef) async throws -> VersionDetails {
        try decodeVersion(try await call(.get, Self.path(ref), query: "&$expand=ReplicationStatus"))
    }

    private func decodeVersion(_ r: JSONRequest.Response) throws -> VersionDetails {
        try Self.record(try Self.answer(VersionResource.self, r).details)
    }

    // MARK: latest, rollback (vmib's own routes beside Azure's)

    func latestVersion(of image: ImageRef, region: String?) async throws -> ImageVersion {
        try decodeVersion(try await call(.get, Self.path(image) + "/latest", query: region.map { "&region=\(Self.query($0))" } ?? "")).version
    }

    func resolveVersion(_ image: ImageRef, version: String, region: String?) async throws -> (version: ImageVersion, warning: String?) {
        let r = try await call(.get, Self.path(image) + "/resolve", query: "&version=\(Self.query(version))" + (region.map { "&region=\(Self.query($0))" } ?? ""))
        struct R: Decodable { var version: VersionResource; var warning: String? }
        let x = try Self.answer(R.self, r)
        return (try Self.record(x.version.details).version, x.warning)
    }

    /// The server records its caller (the token's principal) as who rolled back.
    func rollbackImage(_ image: ImageRef, to: String?, region: String?, undo: Bool, principal: String) async throws -> RollbackEntry {
        try Self.answer(RollbackEntry.self, try await call(.post, Self.path(image) + "/rollback", payload: RollbackPayload(to: to, region: region, undo: undo)))
    }

    func rollbackHistory(_ image: ImageRef) async throws -> [RollbackEntry] {
        try Self.answer(ARMList<RollbackEntry>.self, try await call(.get, Self.path(image) + "/rollbackHistory")).value
    }

    static func query(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    func deprecate(_ ref: VersionRef, state: String, replacement: String?) async throws -> ImageVersion {
        try decodeVersion(try await call(.post, Self.path(ref) + "/deprecate", payload: DeprecatePayload(state: state, replacement: replacement))).version
    }

    /// The server's controller does the work; this polls the version until its desired
    /// state is reached (or a region failed).
    func replicate(_ ref: VersionRef, requeueFailed: Bool, progress: LiveProgress) async throws -> ReplicationEnd {
        if requeueFailed {
            if try await details(ref).version.provisioningState == .Deleting {
                // An interrupted delete: the server's controller finishes it.
                try await waitUntilGone(ref)
                return .deleted
            }
            // Asks the server's controller to try the version's failed replicas again.
            _ = try await call(.post, Self.path(ref) + "/reconcile")
        }
        return .settled(try await waitForReplication(ref))
    }

    /// Asks the server's controller to check the version's Completed replicas (`deep`: and
    /// re-hash them); it re-makes the damaged ones on its pass, which this follows.
    func verify(_ ref: VersionRef, deep: Bool, progress: LiveProgress) async throws -> (findings: [ScrubFinding]?, end: ReplicationEnd) {
        _ = try await call(.post, Self.path(ref) + "/verify", query: deep ? "&deep=true" : "")
        return (nil, try await replicate(ref, requeueFailed: false, progress: progress))
    }

    func servedRegions() async throws -> (regions: [RegionInfo], topology: String) {
        let l = try await locations()
        return (l.value.map(\.vmib), l.vmib.topology)
    }

    /// The location of a gallery or image the CLI creates: the server's home region, as
    /// embedded resources (which keep none) report when served.
    func homeLocation() async throws -> String { try await locations().vmib.home }

    /// The first build region the server's topology lists (else its home region).
    func firstBuildRegion() async throws -> String {
        let l = try await locations()
        return l.value.first { $0.vmib.buildRegion }?.vmib.name ?? l.vmib.home
    }

    private struct Locations: Decodable {
        struct X: Decodable { var vmib: RegionInfo }
        struct T: Decodable { var topology: String; var home: String }
        var value: [X]
        var vmib: T
    }

    private func locations() async throws -> Locations {
        try Self.answer(Locations.self, try await call(.get, "/subscriptions/\(subscription)/locations", apiVersion: Self.resourcesAPI))
    }

    /// DELETE (202), then polls until the version is gone. `force`: `forceDeletion=true`.
    func deleteVersion(_ ref: VersionRef, force: Bool, ifMatch: Int64?) async throws {
        _ = try await details(ref)
        _ = try await call(.delete, Self.path(ref), query: force ? "&forceDeletion=true" : "", ifMatch: ifMatch)
        try await waitUntilGone(ref)
    }

    /// Polls until the version no longer exists (a delete the server carries out).
    func waitUntilGone(_ ref: VersionRef) async throws {
        while true {
            do { _ = try await details(ref) } catch is DomainError { return }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Polls the version until its desired state is reached (or a region failed).
    func waitForReplication(_ ref: VersionRef) async throws -> VersionDetails {
        while true {
            let d = try await details(ref)
            if d.version.provisioningState != .Creating && d.version.provisioningState != .Updating { return d }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
