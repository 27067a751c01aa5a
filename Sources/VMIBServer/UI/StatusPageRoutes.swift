import HTTPTypes
import Hummingbird

/// The read-only status page at `/ui`: one HTML page, its script, its style sheet and the
/// world map, served from string literals in the binary (no resource bundle, no build step,
/// nothing fetched from elsewhere). They hold no data and answer without a token; the page
/// asks the person for a token, keeps it in the tab's sessionStorage and reads everything
/// through the API with it (`Authorization: Bearer`), as any other client does.
enum StatusPageRoutes {
    struct Asset {
        var contentType: String
        var body: String
    }

    /// Every path the page is served at, by path. `AuthMiddleware` lets exactly these through.
    static let assets: [String: Asset] = [
        "/ui": Asset(contentType: "text/html; charset=utf-8", body: StatusPageHTML.text),
        "/ui/app.js": Asset(contentType: "text/javascript; charset=utf-8", body: StatusPageScript.text),
        "/ui/app.css": Asset(contentType: "text/css; charset=utf-8", body: StatusPageStyle.text),
        "/ui/world.js": Asset(contentType: "text/javascript; charset=utf-8", body: worldScript),
    ]

    static var paths: Set<String> { Set(assets.keys) }

    /// The land outline and its projection, for the map of a version's regions.
    static let worldScript = "\"use strict\";\nwindow.VMIB_WORLD = {north: \(WorldMap.north), south: \(WorldMap.south), land: \"\(WorldMap.landPath)\"};\n"

    /// Only this server's own script and style run on the page; it is never framed, and it
    /// sends its requests (with the token) only here.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        (.xContentTypeOptions, "nosniff"),
        (.init("Referrer-Policy")!, "no-referrer"),
        (.init("X-Frame-Options")!, "DENY"),
        // A new vmib may serve another page: browsers revalidate instead of keeping an old one.
        (.cacheControl, "no-cache"),
    ]

    static func add(to router: Router<ARMRequestContext>) {
        for (path, asset) in assets {
            let body = ByteBuffer(string: asset.body)
            router.get(RouterPath(path)) { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = asset.contentType
                for (name, value) in securityHeaders { headers[name] = value }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
            }
        }
    }
}
