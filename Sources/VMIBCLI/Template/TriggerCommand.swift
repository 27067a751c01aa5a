import ArgumentParser
import VMIBCore
import VMIBService
import VMIBWire

/// `vmib template trigger …`: Azure's imageTemplates/triggers.
struct TriggerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trigger", abstract: "Triggers: run a template when its source image gets a new version.",
        discussion: """
            A SourceImage trigger follows a template whose source is a gallery image at latest \
            (…/images/I/versions/latest) or a PlatformImage with version latest. Each version \
            higher than any the trigger has seen starts one run, which builds from that version \
            and records it (lastRunStatus.triggeredBy); none starts while a run is active. \
            vmib serve checks every --trigger-interval seconds; embedded, `trigger check` does.
            """,
        subcommands: [TriggerCreate.self, TriggerList.self, TriggerShow.self, TriggerDelete.self, TriggerCheck.self])
}

/// A trigger's template (`--template T`) and name (`--name N` or a bare `N`).
struct TriggerOptions: ParsableArguments {
    @OptionGroup var resourceGroup: ResourceGroupOption
    @Option(name: .customLong("template"), help: "The image template's name.") var template: String
    @Option(name: .customLong("name"), help: "The trigger's name.") var nameOption: String?
    @Argument(help: "The trigger's name (instead of --name).") var nameArgument: String?

    func key(_ service: any VMIBBackend) throws -> TriggerKey {
        guard let name = nameOption ?? nameArgument else {
            throw DomainError.invalid(.trigger, "the trigger's name is required (--name N)")
        }
        return try service.triggerKey(try templateKey(service), name: name)
    }

    func templateKey(_ service: any VMIBBackend) throws -> TemplateKey {
        try service.templateKey(resourceGroup: resourceGroup.value, name: template)
    }
}

enum TriggerView {
    static func print(_ t: TemplateTrigger) {
        Terminal.out("""
            trigger \(t.key.name) of image template \(t.key.template.name)
            id: \(t.key.id)
            kind: \(t.kind.rawValue)
            status: \(t.status.code.rawValue): \(t.status.message) (since \(TemplateView.iso(t.status.time)))
            last source version: \(t.lastSourceVersion ?? "-")  last triggered version: \(t.lastTriggeredVersion ?? "-")  last run: \(t.lastRunID ?? "-")
            """)
    }
}

struct TriggerCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a trigger on a template (creating it again changes nothing).",
        discussion: "It records the source's latest version now: only a later one starts a run.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var trigger: TriggerOptions
    @Option(help: "The trigger's kind: SourceImage.") var kind = "SourceImage"

    func run() async throws {
        let service = try global.backend()
        let key = try trigger.key(service)
        let result = try await service.createTrigger(key, kind: try TriggerKind(parsing: kind))
        if global.output == .json { return try JSONOutput.print(TriggerResource(result.trigger)) }
        Terminal.out(result.created ? "created trigger \(key.name) on image template \(key.template.name)"
                                    : "trigger \(key.name) exists on image template \(key.template.name): unchanged")
        TriggerView.print(result.trigger)
    }
}

struct TriggerShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a trigger and its status.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var trigger: TriggerOptions

    func run() async throws {
        let service = try global.backend()
        let t = try await service.trigger(try trigger.key(service))
        if global.output == .json { return try JSONOutput.print(TriggerResource(t)) }
        TriggerView.print(t)
    }
}

struct TriggerList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List a template's triggers.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var resourceGroup: ResourceGroupOption
    @Option(name: .customLong("template"), help: "The image template's name.") var template: String

    func run() async throws {
        let service = try global.backend()
        let all = try await service.triggers(of: try service.templateKey(resourceGroup: resourceGroup.value, name: template))
        if global.output == .json { return try JSONOutput.print(ARMList(value: all.map(TriggerResource.init))) }
        var table = Table("NAME", "KIND", "STATUS", "LAST SOURCE VERSION", "LAST TRIGGERED", "LAST RUN")
        for t in all {
            table.add(t.key.name, t.kind.rawValue, t.status.code.rawValue, t.lastSourceVersion ?? "-", t.lastTriggeredVersion ?? "-", t.lastRunID ?? "-")
        }
        Terminal.out(table.rendered)
    }
}

struct TriggerDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a trigger (a run it started goes on).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var trigger: TriggerOptions

    func run() async throws {
        let service = try global.backend()
        let key = try trigger.key(service)
        try await service.deleteTrigger(key)
        Terminal.out("deleted trigger \(key.name) of image template \(key.template.name)")
    }
}

struct TriggerCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check every trigger once and start the runs they fire (embedded mode; e.g. from cron).")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Carry the runs out here and return when they end (else each goes on in a worker process).") var wait = false

    func run() async throws {
        let runs = try await global.backend().checkTriggers(wait: wait)
        if global.output == .json { return try TemplateView.printJSON(.array(runs.map(TemplateView.runStatus))) }
        if runs.isEmpty { Terminal.out("no trigger fired") }
        for r in runs {
            Terminal.out("trigger \(r.triggeredBy?.trigger ?? "?") of image template \(r.template.name) started run \(r.id) for source version \(r.triggeredBy?.sourceVersion ?? "?"): \(TemplateView.statusLine(r))")
        }
    }
}

extension TriggerCreate: ParsableCommandNaming { static var namedResource: Field { .trigger } }
extension TriggerShow: ParsableCommandNaming { static var namedResource: Field { .trigger } }
extension TriggerDelete: ParsableCommandNaming { static var namedResource: Field { .trigger } }
extension TriggerList: ParsableCommandNaming { static var namedResource: Field { .trigger } }
