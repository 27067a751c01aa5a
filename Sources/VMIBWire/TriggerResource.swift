import Foundation
import VMIBCore

/// A template's trigger (Microsoft.VirtualMachineImages/imageTemplates/triggers): Azure's
/// Trigger, plus `properties.vmib`, what the trigger has seen and started. The API and the
/// CLI's `--output json` print the same document.
public struct TriggerResource: Codable, Sendable {
    public struct Status: Codable, Sendable {
        public var code: String
        public var message: String
        public var time: Date
    }
    public struct Record: Codable, Sendable {
        /// The highest source version seen: only a higher one starts a run.
        public var lastSourceVersion: String?
        public var lastTriggeredVersion: String?
        public var lastRunId: String?
    }
    public struct Properties: Codable, Sendable {
        public var kind: String
        public var status: Status
        public var provisioningState: String
        public var vmib: Record
    }
    public struct SystemData: Codable, Sendable {
        public var createdBy: String?
        public var createdByType: String?
        public var createdAt: Date
    }
    public var id: String
    public var name: String
    public var type: String
    public var systemData: SystemData
    public var properties: Properties

    public init(_ t: TemplateTrigger) {
        id = t.key.id; name = t.key.name; type = TriggerKey.resourceType
        systemData = SystemData(createdBy: t.createdBy, createdByType: t.createdBy == nil ? nil : "User", createdAt: t.createdAt)
        properties = Properties(kind: t.kind.rawValue, status: Status(code: t.status.code.rawValue, message: t.status.message, time: t.status.time),
                                provisioningState: "Succeeded",
                                vmib: Record(lastSourceVersion: t.lastSourceVersion, lastTriggeredVersion: t.lastTriggeredVersion, lastRunId: t.lastRunID))
    }

    /// The trigger this document describes, for `key` (the client reads the server's answer).
    public func trigger(_ key: TriggerKey) -> TemplateTrigger {
        TemplateTrigger(key: key, kind: TriggerKind(rawValue: properties.kind) ?? .SourceImage, createdAt: systemData.createdAt,
                        createdBy: systemData.createdBy, lastSourceVersion: properties.vmib.lastSourceVersion,
                        lastTriggeredVersion: properties.vmib.lastTriggeredVersion, lastRunID: properties.vmib.lastRunId,
                        status: TriggerStatus(code: TriggerStatus.Code(rawValue: properties.status.code) ?? .Disabled,
                                              message: properties.status.message, time: properties.status.time))
    }
}

/// `properties` of a trigger's PUT: its kind. What a GET returns (status, provisioningState,
/// vmib) may be sent back and is ignored, as Azure ignores read-only members.
public struct TriggerProperties: Payload {
    public static let members: Set<String> = ["kind", "status", "provisioningState", "vmib"]
    public var kind: String
    public init(kind: String) { self.kind = kind }
}

/// A trigger's PUT body: Azure's Trigger (a proxy resource: no location or tags).
public struct TriggerPayload: Payload {
    public static let members: Set<String> = ["properties", "id", "name", "type", "systemData"]
    public var properties: TriggerProperties
    public init(kind: TriggerKind) { properties = TriggerProperties(kind: kind.rawValue) }
}
