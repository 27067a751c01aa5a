/// An image template: where the image comes from, how it is customized, where it goes.
/// Immutable once created; the `body` is the resource exactly as accepted (after ARM
/// parameters and variables were substituted), so `show` returns what the user sent.
public struct ImageTemplate: Sendable, Hashable {
    public var name: String
    public var resourceGroup: String
    public var location: String
    public var tags: [String: String]
    public var source: TemplateSource
    public var customize: [TemplateCustomizer]
    public var distribute: [TemplateDistributor]
    /// Effective build timeout (0 in the body means the default, 240).
    public var buildTimeoutInMinutes: Int
    public var errorHandling: ErrorHandling
    /// The build VM's size, disk and network.
    public var vmProfile: BuildVMProfile
    /// Validators run in the build VM after the customizers.
    public var validation: TemplateValidation
    /// `autoRun.state` Enabled: a run starts when the template is created or updated.
    public var autoRun: Bool
    /// The accepted resource body (type, apiVersion, location, tags, identity, properties).
    public var body: JSONValue

    public init(name: String, resourceGroup: String, location: String, tags: [String: String], source: TemplateSource,
                customize: [TemplateCustomizer], distribute: [TemplateDistributor], buildTimeoutInMinutes: Int,
                errorHandling: ErrorHandling, vmProfile: BuildVMProfile = .init(), validation: TemplateValidation = .init(),
                autoRun: Bool = false, body: JSONValue) {
        self.name = name; self.resourceGroup = resourceGroup; self.location = location; self.tags = tags
        self.source = source; self.customize = customize; self.distribute = distribute
        self.buildTimeoutInMinutes = buildTimeoutInMinutes; self.errorHandling = errorHandling
        self.vmProfile = vmProfile; self.validation = validation; self.autoRun = autoRun; self.body = body
    }

    public static let defaultBuildTimeoutInMinutes = 240
    public static let maxBuildTimeoutInMinutes = 960
    public static let resourceType = "Microsoft.VirtualMachineImages/imageTemplates"
}

/// What happens to a failed build's workspace.
public enum OnBuildError: String, Sendable, Hashable, Codable, CaseIterable {
    /// Remove intermediate disks and downloads (the log stays).
    case cleanup
    /// Keep everything for inspection.
    case abort
}

public struct ErrorHandling: Sendable, Hashable, Codable {
    public var onCustomizerError: OnBuildError
    public var onValidationError: OnBuildError
    public init(onCustomizerError: OnBuildError = .cleanup, onValidationError: OnBuildError = .cleanup) {
        self.onCustomizerError = onCustomizerError; self.onValidationError = onValidationError
    }
}

/// The image a build starts from.
public enum TemplateSource: Sendable, Hashable {
    /// A marketplace image; `version` is exact or `latest`.
    case platformImage(publisher: String, offer: String, sku: String, version: String)
    /// A managed image made by an earlier run.
    case managedImage(ManagedImageID)
    /// A gallery image version (how users patch images); `version` nil means latest.
    case sharedImageVersion(image: ImageRef, version: VersionNumber?)

    public var typeName: String {
        switch self {
        case .platformImage: "PlatformImage"
        case .managedImage: "ManagedImage"
        case .sharedImageVersion: "SharedImageVersion"
        }
    }
}

/// `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/images/NAME`.
public struct ManagedImageID: Sendable, Hashable, Codable {
    public var subscription: String
    public var resourceGroup: String
    public var name: String
    public init(subscription: String, resourceGroup: String, name: String) {
        self.subscription = subscription; self.resourceGroup = resourceGroup; self.name = name
    }
    public var id: String { "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Compute/images/\(name)" }
}

/// One customization step.
public enum TemplateCustomizer: Sendable, Hashable {
    case shell(name: String, script: Script, sha256Checksum: String?)
    case file(name: String, sourceUri: String, sha256Checksum: String?, destination: String)
    /// Windows customizers validate but cannot run: there is no Windows build host.
    case windows(type: String, name: String)

    public enum Script: Sendable, Hashable {
        case uri(String)
        case inline([String])
    }

    public var name: String {
        switch self {
        case .shell(let n, _, _), .file(let n, _, _, _), .windows(_, let n): n
        }
    }

    public var typeName: String {
        switch self {
        case .shell: "Shell"
        case .file: "File"
        case .windows(let t, _): t
        }
    }
}

/// Where a build's result goes; each has a `runOutputName`, unique in its template.
public enum TemplateDistributor: Sendable, Hashable {
    case managedImage(runOutputName: String, image: ManagedImageID, location: String)
    case sharedImage(runOutputName: String, SharedImageDistribution)
    /// A fixed VHD in the staging area, or at `uri` (a file URL) when given.
    case vhd(runOutputName: String, uri: String?)

    public var runOutputName: String {
        switch self {
        case .managedImage(let n, _, _), .sharedImage(let n, _), .vhd(let n, _): n
        }
    }

    public var typeName: String {
        switch self {
        case .managedImage: "ManagedImage"
        case .sharedImage: "SharedImage"
        case .vhd: "VHD"
        }
    }
}

public struct SharedImageDistribution: Sendable, Hashable {
    public struct Region: Sendable, Hashable {
        public var name: String
        public var replicaCount: Int
        public var storageAccountType: StorageAccountType?
        public init(name: String, replicaCount: Int, storageAccountType: StorageAccountType?) {
            self.name = name; self.replicaCount = replicaCount; self.storageAccountType = storageAccountType
        }
    }
    public var image: ImageRef
    public var targetRegions: [Region]
    public var excludeFromLatest: Bool
    public var versioning: Versioning
    /// Shallow: the version's one replica, in the source region, is a reference to the origin copy.
    public var replicationMode: ReplicationMode

    public init(image: ImageRef, targetRegions: [Region], excludeFromLatest: Bool, versioning: Versioning,
                replicationMode: ReplicationMode = .Full) {
        self.image = image; self.targetRegions = targetRegions; self.excludeFromLatest = excludeFromLatest
        self.versioning = versioning; self.replicationMode = replicationMode
    }
}

/// How a SharedImage distributor numbers the version it publishes.
public enum Versioning: Sendable, Hashable {
    /// One more than the highest existing version (of `major`, when given).
    case latest(major: UInt32?)
    /// The source image's own version number.
    case source

    /// The version to publish, given the versions that exist.
    /// - Parameter sourceVersion: the source's version for `.source`.
    public func next(existing: [VersionNumber], sourceVersion: VersionNumber?) -> VersionNumber? {
        switch self {
        case .source:
            return sourceVersion
        case .latest(let major):
            let pool = major.map { m in existing.filter { $0.major == m } } ?? existing
            guard let top = pool.max() else { return VersionNumber(major ?? 1, 0, 0) }
            return VersionNumber(top.major, top.minor, top.patch + 1)
        }
    }
}
