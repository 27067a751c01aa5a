import ArgumentParser
import Foundation
import Logging
import VMIBCLI
import VMIBCore
import VMIBServer
import VMIBService

/// `vmib serve`: the Azure Resource Manager-shaped HTTP API over this state directory, with
/// the replication controller running in the same process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the Azure-shaped HTTP API and run the replication controller.",
        discussion: """
            Every request needs `Authorization: Bearer TOKEN` for a token in --token-file: \
            {"tokens": [{"sha256": "<sha256 hex of the token>", "principal": "ci", "role": "Reader|Contributor", \
            "scope": "/subscriptions/S[/resourceGroups/RG]"}]}. /healthz, /readyz and /metrics are open. \
            SIGTERM or SIGINT stops accepting requests, stops running transfers at a checkpoint and exits; \
            the next start resumes them.
            """)
    @OptionGroup var global: ServeStateOptions
    @Option(help: "Address to listen on.") var address = "127.0.0.1"
    @Option(help: "Port (0: any free port; the chosen one is printed).") var port = 8080
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.") var tlsKey: String?
    @Option(name: .customLong("token-file"), help: "Tokens (SHA-256 only), principals, roles and scopes (JSON).") var tokenFile: String
    @Option(name: .customLong("subscription"), help: "A subscription to serve besides $VMIB_SUBSCRIPTION (default 00000000-…) and those the token file's scopes name (repeatable).")
    var subscriptions: [String] = []
    @Option(name: .customLong("source-root"), help: "A directory whose disk files versions may be published from (repeatable).")
    var sourceRoots: [String] = []
    @Option(name: .customLong("output-root"), help: "A directory a template's VHD distributor may write its file:// uri under (repeatable; without one, VHDs stay in the run's staging area).")
    var outputRoots: [String] = []
    @Option(help: "Home region: where operations live, and the location of resources made by the CLI or template runs (default: the topology's first region).") var location: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(name: .customLong("trigger-interval"), help: "Seconds between checks of the templates' triggers (1…86400).") var triggerInterval = 30

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        guard (1...86400).contains(triggerInterval) else { throw ValidationError("--trigger-interval must be 1…86400 (seconds), not \(triggerInterval)") }
        for s in subscriptions {
            do { try ResourceName.validateSubscription(s) } catch let e as DomainError {
                throw ValidationError("--subscription: \(e.message)")
            }
        }
    }

    func run() async throws {
        SignalMask.unblockTermination()
        // The subscriptions served: the configured one, those the tokens' scopes name, and --subscription.
        let tokens = try TokenFile(path: tokenFile)
        let service = try global.service(outputRoots: outputRoots.map { ServiceConfiguration.absolute($0) },
                                         sourceRoots: sourceRoots.map { ServiceConfiguration.absolute($0) },
                                         subscriptions: tokens.subscriptions + subscriptions, homeRegion: location)
        var c = VMIBServer.Configuration(tokens: tokens)
        c.address = address; c.port = port; c.tlsCertificate = tlsCert; c.tlsKey = tlsKey
        c.triggerInterval = .seconds(triggerInterval)
        c.settings = ServerSettings(location: location, sourceRoots: sourceRoots)
        var logger = Logger(label: "vmib.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let scheme = tlsCert == nil ? "http" : "https"
        try await VMIBServer.run(service: service, configuration: c, logger: logger) { [address] port in
            // One line on stdout, so scripts and tests learn the port.
            Terminal.out("vmib: listening on \(scheme)://\(address):\(port)")
        }
    }
}

/// A process started by another one can inherit SIGTERM and SIGINT blocked (Foundation's
/// Process started from a Swift task does this); then the graceful shutdown would never hear
/// them. Unblock them before the handlers are installed.
enum SignalMask {
    static func unblockTermination() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
