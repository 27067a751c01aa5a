import CoreMetrics

/// Build runs that outlive a server process. A run a shutdown interrupts is not ended (it
/// is counted interrupted) and is counted resumed by the process that takes it over, which
/// counts its end; so per process started + resumed = ended + interrupted + in progress.
extension ServerMetrics {
    func runInterrupted() {
        Counter(label: "vmib_build_runs_interrupted_total", factory: factory).increment()
    }

    func runResumed() {
        Counter(label: "vmib_build_runs_resumed_total", factory: factory).increment()
    }
}
