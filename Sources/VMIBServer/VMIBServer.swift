import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import VMIBService

/// `vmib serve`: the Resource Manager-shaped HTTP API and the replication controller in one
/// process, under one ServiceGroup that shuts both down gracefully on SIGTERM or SIGINT.
public enum VMIBServer {
    public struct Configuration: Sendable {
        public var address: String = "127.0.0.1"
        /// 0: any free port (the chosen one is printed).
        public var port: Int = 8080
        public var tlsCertificate: String?
        public var tlsKey: String?
        /// The token file, read once at start-up (`vmib serve` also learns the served
        /// subscriptions from its scopes).
        public var tokens: TokenFile
        public var settings = ServerSettings()
        public var scanInterval: Duration = .milliseconds(500)
        /// How often the templates' triggers are checked.
        public var triggerInterval: Duration = .seconds(30)

        public init(tokens: TokenFile) { self.tokens = tokens }
    }

    /// The router with every route family, the error shape, auth and metrics. In-process
    /// tests drive it directly.
    public static func router(api: API, tokens: TokenFile, ready: ReadyFlag) -> Router<ARMRequestContext> {
        let router = Router(context: ARMRequestContext.self)
        // Middleware first: routes capture the middleware added before them.
        router.add(middleware: ARMErrorMiddleware(metrics: api.metrics))
        router.add(middleware: AuthMiddleware(tokens: tokens))
        HealthRoutes.add(to: router, api: api, ready: ready)
        GalleryRoutes.add(to: router, api: api)
        ImageRoutes.add(to: router, api: api)
        ImageLifecycleRoutes.add(to: router, api: api)
        VersionRoutes.add(to: router, api: api)
        VersionLifecycleRoutes.add(to: router, api: api)
        LocationRoutes.add(to: router, api: api)
        OperationRoutes.add(to: router, api: api)
        TemplateRoutes.add(to: router, api: api)
        TemplateInspectionRoutes.add(to: router, api: api)
        TriggerRoutes.add(to: router, api: api)
        TemplateOperationRoutes.add(to: router, api: api)
        UsageRoutes.add(to: router, api: api)
        StatusPageRoutes.add(to: router)
        return router
    }

    /// Serves until SIGTERM or SIGINT: then stops accepting requests, cancels running
    /// transfers and template runs at their next checkpoint, and returns. Template runs a
    /// previous server left active (shut down or killed) resume from their checkpoints.
    public static func run(service: VMIBService, configuration c: Configuration, logger: Logger,
                           onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let tokens = c.tokens
        var settings = c.settings
        settings.https = c.tlsCertificate != nil
        let api = API(service: service, settings: settings, metrics: ServerMetrics())
        let ready = ReadyFlag()
        // Runs a previous server left active are taken over before any request can start another.
        let resuming: [String]
        do { resuming = try service.runs.adoptAbandoned().map(\.id) } catch {
            logger.error("cannot read the template runs to resume", metadata: ["error": .string("\(error)")])
            resuming = []
        }
        let router = router(api: api, tokens: tokens, ready: ready)
        let server: HTTPServerBuilder
        if let cert = c.tlsCertificate, let key = c.tlsKey {
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }
        let app = Application(router: router, server: server,
                              configuration: .init(address: .hostname(c.address, port: c.port), serverName: "vmib"),
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? c.port) },
                              logger: logger)
        let replication = ReplicationService(api: api, interval: c.scanInterval, ready: ready, logger: logger)
        let templateRuns = TemplateRunService(api: api, resuming: resuming, logger: logger)
        let triggers = TriggerService(api: api, interval: c.triggerInterval, logger: logger)
        // Shut down in reverse order: replication first (a run waits for a published version's
        // replication, never the other way round), then the triggers (which start runs), the
        // template runs, then the HTTP server.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: templateRuns), .init(service: triggers), .init(service: replication)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
