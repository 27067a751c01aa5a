import Foundation
import VMIBCore

/// Reads an S3 storage's keys from the environment or a credentials file at the moment a
/// region is opened. Keys live only in memory; errors name the variable or file, never a value.
enum Credentials {
    static func resolve(_ spec: S3StorageSpec, region: String, config: ServiceConfiguration) throws -> (access: String, secret: String) {
        if let a = spec.accessKeyEnv, let s = spec.secretKeyEnv {
            if let access = config.environment[a], let secret = config.environment[s], !access.isEmpty, !secret.isEmpty {
                return (access, secret)
            }
            if spec.credentialsFile == nil {
                throw DomainError.invalid(.named("topology: \(region).storage"), "credentials missing: set the environment variables \(a) and \(s)")
            }
        }
        guard let file = spec.credentialsFile else {
            throw DomainError.invalid(.named("topology: \(region).storage"), "no credentials configured")
        }
        let path = file.hasPrefix("/") ? file : config.stateDirectory + "/" + file
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DomainError.invalid(.named("topology: \(region).storage.credentialsFile"), "cannot read \(path)")
        }
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let access = values["accessKey"], let secret = values["secretKey"] else {
            throw DomainError.invalid(.named("topology: \(region).storage.credentialsFile"), "\(path) needs accessKey=… and secretKey=… lines")
        }
        return (access, secret)
    }
}

/// The per-deployment key that the controller and agents present to each other, read from
/// the environment variable or file the topology's `agents` section names (never the
/// topology, never the database); errors name the variable or file, never a value.
public enum AgentKey {
    public static func resolve(_ settings: AgentSettings, config: ServiceConfiguration) throws -> String {
        if let name = settings.keyEnv, let key = config.environment[name], !key.isEmpty { return key }
        guard let file = settings.keyFile else {
            throw DomainError.invalid(.named("topology: agents.keyEnv"), "the agent key is missing: set the environment variable \(settings.keyEnv ?? "")")
        }
        let path = file.hasPrefix("/") ? file : config.stateDirectory + "/" + file
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              case let key = text.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty else {
            throw DomainError.invalid(.named("topology: agents.keyFile"), "cannot read the agent key from \(path)")
        }
        return key
    }
}
