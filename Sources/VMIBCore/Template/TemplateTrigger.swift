import Foundation

/// A trigger's address: `<template id>/triggers/NAME`.
public struct TriggerKey: Sendable, Hashable, Codable {
    public var template: TemplateKey
    public var name: String
    public init(template: TemplateKey, name: String) { self.template = template; self.name = name }
    public var id: String { "\(template.id)/triggers/\(name)" }
    public static let resourceType = "Microsoft.VirtualMachineImages/imageTemplates/triggers"
}

/// Azure's trigger kinds (Microsoft.VirtualMachineImages 2025-10-01): SourceImage only.
public enum TriggerKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Runs the template when its source image gets a new version.
    case SourceImage

    /// Parses a kind as Azure does (case-insensitively).
    /// - Throws: `DomainError.invalidArgument` on `Field.triggerKind`.
    public init(parsing text: String) throws {
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw DomainError.invalid(.triggerKind, "'\(text)' is not a trigger kind; allowed: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = kind
    }
}

/// A trigger's status (Azure's TriggerStatus: code, message, time). `Enabled`: the trigger
/// follows its template's source; `Disabled`: it cannot now (the message says why), and it
/// enables itself again when the cause is gone.
public struct TriggerStatus: Sendable, Hashable, Codable {
    public enum Code: String, Sendable, Hashable, Codable { case Enabled, Disabled }
    public var code: Code
    public var message: String
    public var time: Date
    public init(code: Code, message: String, time: Date) { self.code = code; self.message = message; self.time = time }
}

/// A SourceImage trigger on an image template: when the template's source (a gallery image
/// or a marketplace image it takes at `latest`) gets a version higher than any it has
/// seen, the template runs once for that version.
public struct TemplateTrigger: Sendable, Hashable, Codable {
    public var key: TriggerKey
    public var kind: TriggerKind
    public var createdAt: Date
    /// The principal that created it (the API's caller; nil from the embedded CLI).
    public var createdBy: String?
    /// The highest source version the trigger has seen: the source's latest when it was
    /// created, then each version that started a run. Only a higher one starts a run, so a
    /// version starts at most one (and a rollback of the source starts none).
    public var lastSourceVersion: String?
    /// The source version that last started a run, and that run.
    public var lastTriggeredVersion: String?
    public var lastRunID: String?
    public var status: TriggerStatus

    public init(key: TriggerKey, kind: TriggerKind, createdAt: Date, createdBy: String? = nil, lastSourceVersion: String?,
                lastTriggeredVersion: String? = nil, lastRunID: String? = nil, status: TriggerStatus) {
        self.key = key; self.kind = kind; self.createdAt = createdAt; self.createdBy = createdBy
        self.lastSourceVersion = lastSourceVersion; self.lastTriggeredVersion = lastTriggeredVersion
        self.lastRunID = lastRunID; self.status = status
    }

    /// What a check of the trigger comes to.
    public enum Decision: Sendable, Hashable {
        /// Start a run for this source version.
        case fire(version: String)
        /// A new version is there, but the template's run `run` is active: it fires after.
        case wait(version: String, run: String)
        /// Nothing new.
        case idle
    }

    /// Decides from the source's current latest version (nil: it has none) and the
    /// template's active run, if any.
    public func decide(latest: String?, activeRun: String?) -> Decision {
        guard let latest, SourceVersionOrder.isNewer(latest, than: lastSourceVersion) else { return .idle }
        if let activeRun { return .wait(version: latest, run: activeRun) }
        return .fire(version: latest)
    }
}

/// What a run started by a trigger records: which trigger, and the source version it ran for.
public struct RunTrigger: Sendable, Hashable, Codable {
    public var trigger: String
    public var sourceVersion: String
    public init(trigger: String, sourceVersion: String) { self.trigger = trigger; self.sourceVersion = sourceVersion }
}

/// The order of source versions: gallery versions (Major.Minor.Patch) and marketplace
/// versions (`22.04.202311010`), as the marketplace catalog orders them for `latest`.
public enum SourceVersionOrder {
    public static func isNewer(_ a: String, than b: String?) -> Bool {
        guard let b else { return true }
        return MarketplaceCatalog.compare(b, a)
    }
}

extension TemplateSource {
    /// Whether a trigger can follow this source: a gallery image or marketplace image taken
    /// at `latest` can; an exact version or a managed image never changes.
    public var followsLatest: Bool {
        switch self {
        case .sharedImageVersion(_, let version): version == nil
        case .platformImage(_, _, _, let version): version == "latest"
        case .managedImage: false
        }
    }

    /// This source at the exact version a trigger fired for (a run started by a trigger
    /// builds from that version, even if a newer one appeared since).
    public func pinned(to version: String) -> TemplateSource {
        switch self {
        case .sharedImageVersion(let image, nil):
            guard let v = try? VersionNumber(parsing: version) else { return self }
            return .sharedImageVersion(image: image, version: v)
        case .platformImage(let publisher, let offer, let sku, "latest"):
            return .platformImage(publisher: publisher, offer: offer, sku: sku, version: version)
        default:
            return self
        }
    }
}
