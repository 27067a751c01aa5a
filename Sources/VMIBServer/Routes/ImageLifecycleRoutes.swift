import Foundation
import Hummingbird
import VMIBCore
import VMIBWire
import VMIBService

/// vmib's own operations on an image definition, beside Azure's (which has no equivalent):
/// what `latest` resolves to, resolving a version for a deployment, rollback (recorded, in
/// one transaction) and its history. The vmib CLI uses them in client mode; responses carry
/// the same records the CLI prints (versions as `VersionResource`).
///
///     GET  …/images/{i}/latest[?region=R]
///     GET  …/images/{i}/resolve?version=V|latest[&region=R]   → {"version": …, "warning": …}
///     POST …/images/{i}/rollback  {"to"?: "1.1.0", "region"?: "eastus"} or {"undo": true}
///     GET  …/images/{i}/rollbackHistory                        → {"value": [RollbackEntry]}
enum ImageLifecycleRoutes {
    static let path = ImageRoutes.path + "/:galleryImageName"

    struct Resolved: Encodable { var version: VersionResource; var warning: String? }

    static func add(to router: Router<ARMRequestContext>, api: API) {
        router.get(RouterPath(path + "/latest")) { request, context in
            let image = try ImageRoutes.imageRef(request, context, api: api, access: .read)
            let region = request.uri.queryParameters.get("region")
            let v = try armCall { try api.service.versions.latest(of: image, region: region) }
            return try ARMResponse.json(VersionResource(v, for: .api(api.envelope(v.ref.id))))
        }
        router.get(RouterPath(path + "/resolve")) { request, context in
            let image = try ImageRoutes.imageRef(request, context, api: api, access: .read)
            let version = request.uri.queryParameters.get("version") ?? "latest"
            let r = try armCall { try api.service.versions.resolve(image, version: version, region: request.uri.queryParameters.get("region")) }
            return try ARMResponse.json(Resolved(version: VersionResource(r.version, for: .api(api.envelope(r.version.ref.id))), warning: r.warning))
        }
        router.post(RouterPath(path + "/rollback")) { request, context in
            let image = try ImageRoutes.imageRef(request, context, api: api, access: .write)
            let body = try await JSONBody.parse(request, context: context)
            let wanted = try body.decode(RollbackPayload.self, as: "RollbackRequest")
            let to = wanted.to, region = wanted.region, undo = wanted.undo ?? false
            if undo && (to != nil || region != nil) {
                throw ARMError.invalidParameter("'undo' takes neither 'to' nor 'region': it reverts the last rollback as recorded.", target: "undo")
            }
            let principal = context.principal?.name ?? "unknown"
            let entry = try armCall {
                undo ? try api.service.images.undoRollback(image, principal: principal)
                     : try api.service.images.rollback(image, to: to, region: region, principal: principal)
            }
            return try ARMResponse.json(entry)
        }
        router.get(RouterPath(path + "/rollbackHistory")) { request, context in
            let image = try ImageRoutes.imageRef(request, context, api: api, access: .read)
            return try ARMResponse.json(ARMList(value: try armCall { try api.service.images.history(image) }))
        }
    }
}
