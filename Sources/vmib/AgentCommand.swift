import ArgumentParser
import Foundation
import Logging
import VMIBAgent
import VMIBCLI
import VMIBCore
import VMIBService

/// `vmib agent`: a region's (or the origin's) agent for relay and delta replication.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run a region's agent (or the origin's): relay and delta replication.",
        discussion: """
            A region's agent runs next to its storage: the controller tells it which disk to assemble, from which \
            sources (other agents, the origin's agent last) and where to write it; it checks every chunk by its \
            SHA-256, copies chunks it already holds from earlier disks, and serves what it holds to other agents \
            while it still receives. The origin's agent (--origin) runs where the controller's state directory is \
            and serves the origin copies. Every request carries the deployment key that the topology's agents \
            section names (keyEnv or keyFile). SIGTERM or SIGINT stops it.
            """)
    @OptionGroup var global: ServeStateOptions
    @Option(help: "The region this agent serves (its topology entry names the agent).") var region: String?
    @Flag(help: "Serve the origin copies instead of a region.") var origin = false
    @Option(help: "Address to listen on.") var address = "127.0.0.1"
    @Option(help: "Port (0: any free port; the chosen one is printed).") var port = 0
    @Option(name: .customLong("cache-dir"), help: "Where assembled disks are kept for later deltas (default: STATE/agent/NAME).")
    var cacheDirectory: String?
    @Option(help: "How many assembled disks the cache keeps (1…10000).") var keep = 8
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.") var logLevel = "info"

    func validate() throws {
        guard origin != (region != nil) else { throw ValidationError("give exactly one of --region NAME and --origin") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535, not \(port)") }
        guard (1...10000).contains(keep) else { throw ValidationError("--keep must be 1…10000, not \(keep)") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
    }

    func run() async throws {
        SignalMask.unblockTermination()
        let service = try global.service()
        let agent = try Agent(role: origin ? .origin : .region(region!), service: service,
                              cacheDirectory: cacheDirectory.map { ServiceConfiguration.absolute($0) }, keep: keep)
        var logger = Logger(label: "vmib.agent") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        try await agent.run(address: address, port: port, logger: logger) { [address] port in
            Terminal.out("vmib agent: listening on http://\(address):\(port)")
        }
    }
}
