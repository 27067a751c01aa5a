import VMIBCore
import VMIBReplication
import VMIBStore

/// An error as the command line shows it: one line and an exit code (2 for bad input or a
/// refusal that changed nothing, 1 for an operation that ran and failed).
struct CLIFailure: Error {
    var message: String
    var exitCode: Int32
    /// False when the error came from outside vmib's modules (e.g. the argument parser).
    var isOurs = true

    init(message: String, exitCode: Int32) { self.message = message; self.exitCode = exitCode }

    init(_ error: any Error) {
        switch error {
        case let e as CLIFailure:
            self = e
        case let e as DomainError:
            self.init(message: e.description, exitCode: 2)
        case let e as StoreError:
            self.init(message: e.message, exitCode: e.code == .database ? 1 : 2)
        case let e as ReplicationError:
            self.init(message: e.message, exitCode: e.code == .regionNotServed ? 2 : 1)
        default:
            self.init(message: "\(error)", exitCode: 1)
            isOurs = false
        }
    }
}
