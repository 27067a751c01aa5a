import ArgumentParser

struct RegionsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the served regions, their storage and limits.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (regions, topology) = try await global.backend().servedRegions()
        if global.output == .json { return try JSONOutput.print(regions) }
        var t = Table("NAME", "DISPLAY NAME", "BUILD", "STORAGE", "CONCURRENT", "BYTES/S", "REQUESTS/S")
        for r in regions {
            t.add(r.name, r.displayName, r.buildRegion ? "yes" : "no",
                  r.storageAccountTypes.map(\.rawValue).joined(separator: ","),
                  "\(r.limits.concurrentTransfers)",
                  r.limits.bytesPerSecond == 0 ? "unlimited" : "\(r.limits.bytesPerSecond)",
                  r.limits.requestsPerSecond == 0 ? "unlimited" : "\(r.limits.requestsPerSecond)")
        }
        Terminal.out(t.rendered + "\ntopology: \(topology)")
    }
}
