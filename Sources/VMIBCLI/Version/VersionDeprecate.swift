import ArgumentParser
import VMIBService
import VMIBWire

struct VersionDeprecate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deprecate", abstract: "Set a version's lifecycle state: Deprecated (never latest, warns), Obsolete (refused), or Active again.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var version: VersionOptions
    @Option(help: "Active, Deprecated or Obsolete.") var state: String = "Deprecated"
    @Option(help: "The version to use instead.") var replacement: String?

    func run() async throws {
        let backend = try global.backend()
        let v = try await backend.deprecate(try version.ref(backend), state: state, replacement: replacement)
        if global.output == .json { return try JSONOutput.print(VersionResource(v, for: .cli)) }
        Terminal.out("version \(v.ref.version) is \(v.lifecycle.state.rawValue)" + (v.lifecycle.replacement.map { "; replacement \($0)" } ?? ""))
    }
}
