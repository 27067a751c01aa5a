import Foundation
import Hummingbird
import VMIBCore
import VMIBWire
import VMIBService

/// vmib's own operations on an image version, beside Azure's (which has no equivalent).
/// The vmib CLI uses them in client mode.
///
///     POST …/versions/{v}/reconcile                 → 202 + Azure-AsyncOperation; failed replicas are tried again
///     POST …/versions/{v}/verify[?deep=true]        → 202 + Azure-AsyncOperation; every Completed replica
///                                                     is checked (deep: re-hashed), damaged ones re-made
///     POST …/versions/{v}/deprecate {"state": "Deprecated|Obsolete|Active", "replacement"?: "1.2.0"}
///                                                   → the version (VersionResource)
///
/// A version's DELETE takes `forceDeletion=true` (the name Azure uses on virtual machines)
/// to delete the target of the latest rollback, as `vmib version delete --force` does.
enum VersionLifecycleRoutes {
    static let path = VersionRoutes.path + "/:galleryImageVersionName"

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.post(RouterPath(path + "/reconcile")) { request, context in
            let ref = try VersionRoutes.versionRef(request, context, api: api, access: .write)
            _ = try armCall { try api.service.versions.requeueFailed(ref) }
            let version = try armCall { try api.service.versions.details(ref).version }
            // The server's controller picks the version up (Updating, or still Creating).
            let op = Operation(kind: .update, version: ref)
            return try ARMResponse.json(VersionResource(version, for: .api(api.envelope(ref.id))), status: .accepted,
                                        headers: OperationRoutes.headers(for: op, request: request, api: api, location: true))
        }
        router.post(RouterPath(path + "/verify")) { request, context in
            let ref = try VersionRoutes.versionRef(request, context, api: api, access: .write)
            let deep = try Self.deep(request)
            try await armCall { try await api.service.versions.requestVerification(ref, deep: deep) }
            let version = try armCall { try api.service.versions.details(ref).version }
            // Updating until the server's controller has checked and re-made what it found.
            let op = Operation(kind: .update, version: ref)
            return try ARMResponse.json(VersionResource(version, for: .api(api.envelope(ref.id))), status: .accepted,
                                        headers: OperationRoutes.headers(for: op, request: request, api: api, location: true))
        }
        router.post(RouterPath(path + "/deprecate")) { request, context in
            let ref = try VersionRoutes.versionRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let wanted = try body.decode(DeprecatePayload.self, as: "LifecycleRequest")
            let state = wanted.state, replacement = wanted.replacement
            let v = try armCall { try api.service.versions.deprecate(ref, state: state, replacement: replacement) }
            return try ARMResponse.json(VersionResource(v, for: .api(api.envelope(ref.id))))
        }
    }

    /// `deep`: absent, `true` or `false`.
    static func deep(_ request: Request) throws -> Bool {
        guard let text = request.uri.queryParameters.get("deep") else { return false }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ARMError.invalidParameter("The value '\(text)' of deep is not allowed; allowed: true, false.", target: "deep")
        }
    }

    /// `forceDeletion`: absent, `true` or `false`.
    static func forceDeletion(_ request: Request) throws -> Bool {
        guard let text = request.uri.queryParameters.get("forceDeletion") else { return false }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ARMError.invalidParameter("The value '\(text)' of forceDeletion is not allowed; allowed: true, false.", target: "forceDeletion")
        }
    }
}
