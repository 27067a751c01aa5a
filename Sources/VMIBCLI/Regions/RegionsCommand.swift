import ArgumentParser

struct RegionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regions", abstract: "Regions this deployment serves.", subcommands: [RegionsList.self])
}
