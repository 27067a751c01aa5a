import Foundation
import Logging
import ServiceLifecycle
import VMIBCore
import VMIBService

/// Checks the templates' triggers every `interval` (`Triggers.checkAll`) and hands the runs
/// they start to the server's `TemplateRunService`. A check fires a source version at most
/// once, across restarts and processes: the store records the run and the version together.
public struct TriggerService: Service {
    let api: API
    let interval: Duration
    let clock: any Clock<Duration>
    let logger: Logger

    public init(api: API, interval: Duration, clock: any Clock<Duration> = ContinuousClock(), logger: Logger) {
        self.api = api; self.interval = interval; self.clock = clock; self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Not before the run service takes runs: a run started earlier would be carried
                // out on a task nothing stops at shutdown.
                if api.runInbox.continuation != nil { Self.check(api: api, logger: logger) }
                do { try await clock.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One check of every trigger; the runs it started.
    @discardableResult
    static func check(api: API, logger: Logger?) -> [TemplateRun] {
        let result: (started: [TemplateRun], failed: [(TriggerKey, any Error)])
        do { result = try api.service.triggers.checkAll() } catch {
            logger?.error("cannot read the templates' triggers", metadata: ["error": .string("\(error)")])
            return []
        }
        for (key, error) in result.failed {
            logger?.warning("cannot check a trigger", metadata: ["trigger": .string(key.id), "error": .string("\(error)")])
        }
        for run in result.started {
            logger?.info("trigger started a template run", metadata: [
                "run": .string(run.id), "template": .string(run.template.id),
                "trigger": .string(run.triggeredBy?.trigger ?? ""), "sourceVersion": .string(run.triggeredBy?.sourceVersion ?? "")])
            TemplateRoutes.carryOut(run, api: api)
        }
        return result.started
    }
}
