import ArgumentParser
import Foundation
import VMIBCore
import VMIBService

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "State directory (default: $VMIB_STATE_DIR or ~/.vmib).")
    var stateDirectory: String?

    @Option(name: .customLong("topology"), help: "Deployment topology file (default: $VMIB_TOPOLOGY, topology/local.json or the built-in local topology).")
    var topology: String?

    @Option(name: .customLong("output"), help: "Output format: table or json.")
    var output: OutputFormat = .table

    @OptionGroup var shared: SharedStateOptions

    @Option(name: .customLong("server"), help: "Work against a running `vmib serve` at this URL instead of the local state (default: $VMIB_SERVER).")
    var server: String?

    @Option(name: .customLong("token-file"), help: "With --server: a file holding the bearer token (default: $VMIB_TOKEN).")
    var tokenFile: String?

    @Flag(name: .customLong("insecure"), help: "With --server: do not verify the server's TLS certificate (a self-signed test certificate).")
    var insecure = false

    /// The server URL, from --server or $VMIB_SERVER; nil in embedded mode.
    var serverURL: String? {
        let url = server ?? ProcessInfo.processInfo.environment["VMIB_SERVER"]
        guard let url, !url.isEmpty else { return nil }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// What the gallery, image and version commands work on: a running server (--server) or
    /// the embedded service over the state directory.
    /// - Parameter buildMinute: embedded only: how long a minute of a build timeout lasts.
    func backend(buildMinute: Duration? = nil) throws -> any VMIBBackend {
        guard let url = serverURL else { return EmbeddedBackend(service: try service(buildMinute: buildMinute)) }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw DomainError.invalid(.named("--server"), "'\(url)' is not an http:// or https:// URL")
        }
        let env = ProcessInfo.processInfo.environment
        var token = env["VMIB_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw DomainError.invalid(.named("--token-file"), "cannot read '\(tokenFile)'")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let token, !token.isEmpty else {
            throw DomainError.invalid(.named("--token-file"), "a server needs a token: set VMIB_TOKEN or give --token-file FILE")
        }
        let subscription = env["VMIB_SUBSCRIPTION"].flatMap { $0.isEmpty ? nil : $0 } ?? ServiceConfiguration.defaultSubscription
        return RemoteBackend(server: url, token: token, insecure: insecure, subscription: subscription)
    }

    /// The embedded service, for work that only happens on this machine (a `--no-wait` run's
    /// worker); it refuses --server rather than quietly working on this machine's state.
    func service(buildMinute: Duration? = nil) throws -> VMIBService {
        if serverURL != nil {
            throw DomainError.invalid(.named("--server"), "this command works only on the local state directory (embedded mode) so far; run it without --server and VMIB_SERVER")
        }
        return try Self.embeddedService(stateDirectory: stateDirectory, topology: topology, buildMinute: buildMinute,
                                        store: shared.store, originDirectory: shared.originDirectory)
    }

    /// - Parameter outputRoots: where VHD distributors may write (nil: anywhere; `VMIB_OUTPUT_ROOT`,
    ///   colon-separated, restricts it).
    ///   - sourceRoots: where a template's file:// URIs may point (nil: anywhere).
    ///   - servesOthers: `vmib serve`: template fetches reach public addresses only.
    ///   - buildMinute: how long a minute of a build timeout lasts (nil: a minute).
    ///   - subscriptions: served besides the configured one (a server's).
    static func embeddedService(stateDirectory: String?, topology: String?, outputRoots: [String]? = nil,
                                sourceRoots: [String]? = nil, servesOthers: Bool = false,
                                buildMinute: Duration? = nil, subscriptions: [String] = [],
                                homeRegion: String? = nil, store: String? = nil, originDirectory: String? = nil,
                                leaseSeconds: Double? = nil) throws -> VMIBService {
        let env = ProcessInfo.processInfo.environment
        let subscription = env["VMIB_SUBSCRIPTION"].flatMap { $0.isEmpty ? nil : $0 } ?? ServiceConfiguration.defaultSubscription
        var perReplica = 20
        if let text = env["VMIB_DEPLOYMENTS_PER_REPLICA"], !text.isEmpty {
            guard let n = Int(text), (1...10_000).contains(n) else {
                throw DomainError.invalid(.named("VMIB_DEPLOYMENTS_PER_REPLICA"), "'\(text)' is not allowed; expected an integer 1…10000 (Azure advises 20)")
            }
            perReplica = n
        }
        var configuration = ServiceConfiguration(
            stateDirectory: ServiceConfiguration.stateDirectory(option: stateDirectory, environment: env),
            topologyFile: topology, subscription: subscription, environment: env, deploymentsPerReplica: perReplica,
            outputRoots: outputRoots ?? env["VMIB_OUTPUT_ROOT"].flatMap { $0.isEmpty ? nil : $0.split(separator: ":").map(String.init) },
            sourceRoots: sourceRoots)
        configuration.servesOthers = servesOthers
        configuration.moreSubscriptions = subscriptions
        configuration.homeRegion = homeRegion
        if let buildMinute { configuration.buildMinute = buildMinute }
        try configureSharedState(&configuration, store: store, originDirectory: originDirectory, leaseSeconds: leaseSeconds, env: env)
        // Build VMs are driven by a child `vmib build-vm` (this very binary).
        configuration.buildVMExecutable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return try VMIBService(configuration: configuration)
    }
}

/// Where state several servers share is kept: every command and `vmib serve` take these.
public struct SharedStateOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: "A PostgreSQL database several servers share: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: $VMIB_STORE, else the SQLite file in the state directory).")
    var store: String?

    @Option(name: .customLong("origin-dir"), help: "Where origin copies of published disks live; with several servers, a directory they all mount (default: $VMIB_ORIGIN_DIR, else the state directory's origin).")
    var originDirectory: String?
    public init() {}
}

/// `--store`, `--origin-dir` and the lease duration (options, else `VMIB_STORE`,
/// `VMIB_ORIGIN_DIR`, `VMIB_LEASE_SECONDS`), checked before anything is opened.
private func configureSharedState(_ configuration: inout ServiceConfiguration, store: String?, originDirectory: String?,
                                  leaseSeconds: Double?, env: [String: String]) throws {
    func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
    if let url = nonEmpty(store) ?? nonEmpty(env["VMIB_STORE"]) {
        let field: Field = nonEmpty(store) != nil ? .named("--store") : .named("VMIB_STORE")
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw DomainError.invalid(field, "'\(url)' is not allowed; expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (without it, the state is the SQLite file in the state directory)")
        }
        configuration.store = url
    }
    if let dir = nonEmpty(originDirectory) ?? nonEmpty(env["VMIB_ORIGIN_DIR"]) {
        configuration.originDirectory = ServiceConfiguration.absolute(dir)
    }
    if let seconds = leaseSeconds {
        guard (1...3600).contains(seconds) else {
            throw DomainError.invalid(.named("--lease-seconds"), "\(seconds) is not allowed; expected 1…3600 seconds")
        }
        configuration.leaseDuration = seconds
    } else if let text = nonEmpty(env["VMIB_LEASE_SECONDS"]) {
        guard let seconds = Double(text), (1...3600).contains(seconds) else {
            throw DomainError.invalid(.named("VMIB_LEASE_SECONDS"), "'\(text)' is not allowed; expected 1…3600 seconds")
        }
        configuration.leaseDuration = seconds
    }
}

/// The options of `vmib serve`, which works on the local state directory and has a
/// `--token-file` of its own (the tokens it accepts).
public struct ServeStateOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "State directory (default: $VMIB_STATE_DIR or ~/.vmib).")
    var stateDirectory: String?

    @Option(name: .customLong("topology"), help: "Deployment topology file (default: $VMIB_TOPOLOGY, topology/local.json or the built-in local topology).")
    var topology: String?

    @Option(name: .customLong("output"), help: "Output format: table or json.")
    var output: OutputFormat = .table

    @OptionGroup var shared: SharedStateOptions

    @Option(name: .customLong("lease-seconds"), help: "With --store: how long this server's claim on a version lasts unless renewed (default: $VMIB_LEASE_SECONDS or 15).")
    var leaseSeconds: Double?

    public init() {}

    /// - Parameters:
    ///   - subscriptions: served besides the configured one (`VMIB_SUBSCRIPTION`).
    ///   - homeRegion: `--location` (nil: the topology's first region).
    public func service(outputRoots: [String]? = nil, sourceRoots: [String]? = nil, subscriptions: [String] = [],
                        homeRegion: String? = nil) throws -> VMIBService {
        try GlobalOptions.embeddedService(stateDirectory: stateDirectory, topology: topology, outputRoots: outputRoots,
                                          sourceRoots: sourceRoots, servesOthers: true, subscriptions: subscriptions,
                                          homeRegion: homeRegion, store: shared.store, originDirectory: shared.originDirectory,
                                          leaseSeconds: leaseSeconds)
    }
}

/// `--resource-group`, defaulting to $VMIB_RESOURCE_GROUP or "vmib".
struct ResourceGroupOption: ParsableArguments {
    @Option(name: .customLong("resource-group"), help: "Resource group (default: $VMIB_RESOURCE_GROUP or 'vmib').")
    var resourceGroup: String?

    var value: String {
        resourceGroup ?? ProcessInfo.processInfo.environment["VMIB_RESOURCE_GROUP"].flatMap { $0.isEmpty ? nil : $0 } ?? "vmib"
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Who runs this command, as recorded in rollback history: $USER, else the account name.
enum Principal {
    static var current: String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }
}
