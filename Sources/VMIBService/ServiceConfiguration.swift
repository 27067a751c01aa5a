import Foundation

/// Where vmib keeps its state and which deployment it serves; read once at start-up.
public struct ServiceConfiguration: Sendable {
    /// The state directory: SQLite file, origin copies of disks, the default regions' directories.
    public var stateDirectory: String
    /// A deployment topology file; nil means `topology/local.json`, or the built-in local topology.
    public var topologyFile: String?
    /// The region catalog (`topology/azure-public.json`); nil means search the usual places.
    public var catalogFile: String?
    /// The subscription id that resource ids carry.
    public var subscription: String
    /// The process environment, where S3 credentials are looked up. Never stored or printed.
    public var environment: [String: String]
    /// Expected concurrent VM deployments per replica (Azure advises 20).
    public var deploymentsPerReplica: Int
    /// Directories a VHD distributor's `uri` may write under, besides the run's staging
    /// area (realpath prefix). nil: anywhere the process may write (the embedded CLI, run by
    /// its user as that user); `vmib serve` sets its `--output-root`s (none: staging only).
    public var outputRoots: [String]?
    /// Directories a template's `file://` scriptUri or File sourceUri may name (realpath
    /// prefix). nil: any file the process may read (the embedded CLI); `vmib serve` sets its
    /// `--source-root`s (none: file URIs are refused).
    public var sourceRoots: [String]?
    /// Whether this process serves other callers (`vmib serve`): then a template's
    /// scriptUri and File sourceUri reach only public addresses unless the topology allows
    /// private ones.
    public var servesOthers = false
    /// The `vmib` that drives build VMs as a child (`vmib build-vm`), so that libguestfs never
    /// runs in a server's process; nil: in this process (tests that embed the service).
    public var buildVMExecutable: String?
    /// The home region: where this installation keeps its state directory, and with it the
    /// origin copies of disks (`vmib serve --location`); a Shallow version's one replica is
    /// there. nil: the topology's first region.
    public var homeRegion: String?
    /// How long one minute of a template's `buildTimeoutInMinutes` lasts: a minute, except
    /// in tests, which shorten it to see a build time out without waiting minutes.
    public var buildMinute: Duration = .seconds(60)

    /// Where the state is kept: nil for the SQLite file in the state directory (one server),
    /// or a `postgres://` URL that several servers share (`--store`, `VMIB_STORE`).
    public var store: String?
    /// With a shared store: how long a server's claim on a version lasts unless renewed
    /// (renewed every third of it); a server that dies loses its versions after this long.
    public var leaseDuration: TimeInterval = 15
    /// Where origin copies of published disks live: nil for the state directory's `origin`;
    /// with several servers, a directory every server mounts at this path (`--origin-dir`,
    /// `VMIB_ORIGIN_DIR`).
    public var originDirectory: String?

    public static let defaultSubscription = "00000000-0000-0000-0000-000000000000"

    /// Further subscriptions this state directory serves (a server's: those its token file's
    /// scopes name, and `--subscription`); `subscription` is always served, and is the one a
    /// request without a subscription of its own (the CLI's) works in.
    public var moreSubscriptions: [String] = []

    /// Every subscription served, `subscription` first, each once (compared without case).
    public var subscriptions: [String] {
        var seen = Set<String>()
        return ([subscription] + moreSubscriptions).filter { seen.insert($0.lowercased()).inserted }
    }

    public init(stateDirectory: String, topologyFile: String? = nil, catalogFile: String? = nil,
                subscription: String = defaultSubscription,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                deploymentsPerReplica: Int = 20, outputRoots: [String]? = nil, sourceRoots: [String]? = nil) {
        self.outputRoots = outputRoots; self.sourceRoots = sourceRoots
        self.stateDirectory = stateDirectory; self.topologyFile = topologyFile; self.catalogFile = catalogFile
        self.subscription = subscription; self.environment = environment
        self.deploymentsPerReplica = deploymentsPerReplica
    }

    /// `--state-dir`, else `VMIB_STATE_DIR`, else `~/.vmib`.
    public static func stateDirectory(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return absolute(option) }
        if let env = environment["VMIB_STATE_DIR"], !env.isEmpty { return absolute(env) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.vmib"
    }

    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
