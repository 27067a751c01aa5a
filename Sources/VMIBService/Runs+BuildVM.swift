import Foundation
import VMIBBuild
import VMIBCore

extension Runs {
    /// The build VM a template's run gets: its vmProfile's size (bounded by this host), its
    /// network, the deployment's acceleration, its validators, disk size and whether the
    /// image is generalized.
    /// - Throws: `DomainError` when the topology no longer offers the size or network.
    func configureVM(_ job: inout BuildJob, template: ImageTemplate, log: BuildLog) async throws {
        let host = topology.builds
        let (name, size) = try host.vmSize(template.vmProfile.vmSize)
        let network = try host.network(template.vmProfile.network)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let halfMemory = Int(ProcessInfo.processInfo.physicalMemory >> 21)
        let cpus = min(size.cpus, cores), memory = min(size.memoryMiB, halfMemory)
        let (acceleration, why) = await GuestVM.acceleration(host.acceleration, workspace: root.templates.stagingRoot + "/.acceleration-probe")
        let bounded = cpus < size.cpus || memory < size.memoryMiB
            ? "; bounded by this host (\(cores) cores, half its memory) to \(cpus) vCPU, \(memory) MiB" : ""
        log.line("build VM size \(name): \(size.cpus) vCPU, \(size.memoryMiB) MiB\(bounded); acceleration \(acceleration.rawValue) (\(why))")
        if let key = template.vmProfile.network { log.line("build VM network: \(key) (vmProfile.vnetConfig.subnetId)") }
        job.vm = GuestVM.Spec(cpus: cpus, memoryMiB: memory, network: network, acceleration: acceleration)
        job.validators = template.validation.inVMValidations
        job.continueDistributeOnFailure = template.validation.continueDistributeOnFailure
        job.diskSizeBytes = template.vmProfile.osDiskSizeGB.map { Int64($0) << 30 }
        job.generalize = try generalizes(template)
        job.vmRunner = configuration.buildVMExecutable.map { .process(executable: $0) } ?? .inProcess
    }

    /// Azure deprovisions its build VM before capturing, except for a Specialized image
    /// definition: a VHD, a managed image and a Generalized definition get a generalized image.
    /// - Throws: `DomainError` on `properties.distribute` when a Specialized definition shares
    ///   the run with outputs that need a generalized image (one disk cannot be both).
    func generalizes(_ template: ImageTemplate) throws -> Bool {
        var specialized: [String] = [], generalized: [String] = []
        for d in template.distribute {
            if case .sharedImage(_, let s) = d, try store.image(s.image)?.osState == .Specialized {
                specialized.append(d.runOutputName)
            } else {
                generalized.append(d.runOutputName)
            }
        }
        if !specialized.isEmpty && !generalized.isEmpty {
            throw DomainError.invalid(.named("properties.distribute"),
                "'\(specialized.joined(separator: "', '"))' publish to a Specialized image definition and '\(generalized.joined(separator: "', '"))' need a generalized image; one run makes one image: split them into two templates")
        }
        return specialized.isEmpty
    }

    /// `body`, unless the build's deadline passes first (then it is cancelled).
    /// - Throws: `BuildError(.timedOut)` naming what was going on.
    func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant, minutes: Int, what: String,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let value = try await group.next()! else {
                throw BuildError(.timedOut, "build timeout of \(minutes) minutes passed while \(what)")
            }
            return value
        }
    }
}
