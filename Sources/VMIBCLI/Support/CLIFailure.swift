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

    /// - Parameter command: the command that failed: a field it takes as `--name` is named so.
    init(_ error: any Error, command: (any ParsableCommandNaming.Type)? = nil) {
        switch error {
        case let e as CLIFailure:
            self = e
        case let e as DomainError:
            let text = e.field.map { "\(CLIFields.name($0, named: command?.namedResource)): \(e.message)" } ?? e.message
            self.init(message: text, exitCode: 2)
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

/// A command whose `--name` names a resource (`gallery create --name G`): errors about that
/// resource name `--name`, not `--gallery`.
protocol ParsableCommandNaming {
    static var namedResource: Field { get }
}

/// The domain's fields as the command line names them: its options.
enum CLIFields {
    static func name(_ field: Field, named: Field? = nil) -> String {
        if field == named { return "--name" }
        switch field {
        case .subscription: return "subscription"
        case .resourceGroup: return "--resource-group"
        case .location: return "location"
        case .gallery: return "--gallery"
        case .image: return "--image"
        case .version: return "--version"
        // A trigger command names its trigger with --name and its template with --template.
        case .template: return named == .trigger ? "--template" : "--name"
        case .trigger: return "--name"
        case .triggerKind: return "--kind"
        case .runID: return "--run-id"
        case .osType: return "--os-type"
        case .osState: return "--os-state"
        case .hyperVGeneration: return "--hyper-v-generation"
        case .publisher: return "--publisher"
        case .offer: return "--offer"
        case .sku: return "--sku"
        case .disk: return "--disk"
        case .targetRegions: return "--target-region"
        case .removeRegions: return "--remove-region"
        case .excludeRegionsFromLatest: return "--exclude-region-from-latest"
        case .includeRegionsInLatest: return "--include-region-in-latest"
        case .replicaCount: return "--replica-count"
        case .endOfLife: return "--end-of-life"
        case .expectedDeployments: return "--expected-deployments"
        case .ifMatch: return "--if-match"
        case .replicationMode: return "--replication-mode"
        case .targetRegion(let i, _): return "--target-region (#\(i + 1))"
        case .region: return "--region"
        case .rollbackTarget: return "--to"
        case .undo: return "--undo"
        case .lifecycleState: return "--state"
        case .replacement: return "--replacement"
        case .templateDocument: return "--file"
        case .templateParameter: return "--parameter"
        case .topology: return "--topology"
        case .named(let name): return name
        }
    }
}

extension GalleryCreate: ParsableCommandNaming { static var namedResource: Field { .gallery } }
extension GalleryShow: ParsableCommandNaming { static var namedResource: Field { .gallery } }
extension GalleryDelete: ParsableCommandNaming { static var namedResource: Field { .gallery } }
extension ImageCreate: ParsableCommandNaming { static var namedResource: Field { .image } }
extension ImageShow: ParsableCommandNaming { static var namedResource: Field { .image } }
extension ImageDelete: ParsableCommandNaming { static var namedResource: Field { .image } }
