import ArgumentParser
import Foundation
import VMIBCore
import VMIBService

struct TemplateRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Build the image and distribute it.",
        discussion: "Without --no-wait, waits for the end and exits 1 unless the run Succeeded.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions
    @Flag(name: .customLong("no-wait"), help: "Start the run in the background and return; follow it with `template show`.")
    var noWait = false
    @OptionGroup var buildMinute: BuildMinuteOption

    func run() async throws {
        let backend = try global.backend(buildMinute: buildMinute.duration)
        let key = try template.key(backend)
        // Embedded: this process or a worker carries it out; a server carries it out itself.
        let run = try await backend.runTemplate(key, wait: !noWait)
        if global.output == .json {
            try TemplateView.printJSON(TemplateView.runStatus(run))
        } else {
            Terminal.out("run \(run.id): \(TemplateView.statusLine(run))")
            Terminal.out("staging area: \(run.staging)")
        }
        if !noWait || run.state == .Failed, run.state != .Succeeded, run.state != .Running {
            throw CLIFailure(message: "run of \(key.name) \(run.state.rawValue): \(run.message)", exitCode: 1)
        }
    }
}

/// Carries out a run started with `--no-wait` (started by `template run`, not by people).
struct TemplateRunWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-worker", abstract: "Carry out a recorded run.", shouldDisplay: false)
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("run-id")) var runID: String
    @OptionGroup var buildMinute: BuildMinuteOption

    func run() async throws {
        let service = try global.service(buildMinute: buildMinute.duration)
        let r = try await service.runs.execute(id: runID)
        Terminal.out("run \(r.id): \(TemplateView.statusLine(r))")
    }
}

/// `--build-minute-seconds`, hidden: tests shorten a build timeout's minute to see a run
/// time out in seconds. Embedded runs only; a `--no-wait` run passes it to its worker.
struct BuildMinuteOption: ParsableArguments {
    @Option(name: .customLong("build-minute-seconds"),
            help: ArgumentHelp("How many seconds one minute of buildTimeoutInMinutes lasts (tests).", visibility: .hidden))
    var seconds: Double?

    var duration: Duration? { seconds.map { .milliseconds(Int64($0 * 1000)) } }

    func validate() throws {
        if let seconds, !(seconds > 0) {
            throw DomainError.invalid(.named("--build-minute-seconds"), "'\(seconds)' is not allowed; expected a number of seconds above 0")
        }
    }

    /// The option for a worker's command line: nothing for a real minute.
    static func arguments(_ minute: Duration) -> [String] {
        guard minute != .seconds(60) else { return [] }
        let c = minute.components
        return ["--build-minute-seconds", String(Double(c.seconds) + Double(c.attoseconds) / 1e18)]
    }
}

struct TemplateCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel the template's run in progress.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() async throws {
        let service = try global.backend()
        let r = try await service.cancelRun(try template.key(service))
        if global.output == .json { return try TemplateView.printJSON(TemplateView.runStatus(r)) }
        Terminal.out("run \(r.id): \(TemplateView.statusLine(r))")
    }
}

struct TemplateLogs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the last run's customization.log.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() async throws {
        let backend = try global.backend()
        Terminal.out(try await backend.runLogText(try template.key(backend)))
    }
}

struct TemplateOutputs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outputs", abstract: "List run outputs: artifactId, artifactUri, provisioningState.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() async throws {
        let service = try global.backend()
        let key = try template.key(service)
        let outputs = try await service.runOutputs(key)
        if global.output == .json {
            return try TemplateView.printJSON(.object([("value", .array(outputs.map { TemplateJSON.runOutput($0, of: key) }))]))
        }
        var table = Table("NAME", "TYPE", "STATE", "ARTIFACT")
        for o in outputs { table.add(o.name, o.type, o.provisioningState, o.artifactId ?? o.artifactUri ?? o.message ?? "") }
        Terminal.out(table.rendered)
    }
}

struct TemplateRuns: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List a template's runs, newest first, with what started each.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() async throws {
        let service = try global.backend()
        let runs = try await service.runs(try template.key(service))
        if global.output == .json { return try TemplateView.printJSON(.object([("value", .array(runs.map(TemplateView.runStatus)))])) }
        var table = Table("RUN", "STATE", "STARTED", "ENDED", "STARTED BY", "MESSAGE")
        for r in runs {
            table.add(r.id, r.state.rawValue, TemplateView.iso(r.startTime), r.endTime.map(TemplateView.iso) ?? "-",
                      r.triggeredBy.map { "trigger \($0.trigger) (source \($0.sourceVersion))" } ?? "-", r.message)
        }
        Terminal.out(runs.isEmpty ? "image template \(template.nameOption ?? template.nameArgument ?? "") has not been run" : table.rendered)
    }
}

struct TemplatePlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show what a run will do: source, customizers, fan-out.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var template: TemplateOptions

    func run() async throws {
        let backend = try global.backend()
        let p = try await backend.plan(try template.key(backend))
        if global.output == .json { return try JSONOutput.print(p) }
        var lines = ["plan for \(p.template)", "build region: \(p.buildRegion)  timeout: \(p.buildTimeoutInMinutes) min",
                     "source: \(p.source.type) \(p.source.exact)\(p.source.url.map { " from \($0)" } ?? "")"
                        + "\(p.source.sizeBytes.map { ", \($0) bytes" } ?? "")\(p.source.cached ? " (cached)" : "")"]
        for s in p.customize { lines.append("customize \(s.index): \(s.type) '\(s.name)': \(s.detail)") }
        for d in p.distribute {
            lines.append("distribute \(d.type) '\(d.runOutputName)' → \(d.target)\(d.version.map { " as version \($0)" } ?? "")")
            for r in d.regions {
                lines.append("  \(r.region): \(r.replicas) × \(r.storageAccountType), \(r.bytes) bytes over the link; \(r.how); "
                             + (r.estimatedSeconds.map { String(format: "≈ %.1f s", $0) } ?? "no bandwidth limit") + " (\(r.limit))")
            }
        }
        lines += TransferPlanView.lines(p.transfers)
        for w in p.warnings { lines.append("warning: \(w)") }
        Terminal.out(lines.joined(separator: "\n"))
    }
}
