import Hummingbird

/// The `api-version` query parameter every Resource Manager request must carry.
public enum APIVersion {
    /// Microsoft.Compute galleries, newest first: 2026-03-03 (what azure-mgmt-compute 39
    /// sends; a version created under it gets lifecycle defaults, `VersionBody.CreateDefaults`),
    /// the spec vmib follows (2025-03-03), and the earlier ones whose shapes for the
    /// implemented operations are the same (what released SDKs send).
    public static let compute = ["2026-03-03", "2025-03-03", "2024-03-03", "2023-07-03", "2022-08-03", "2022-03-03", "2022-01-03", "2021-10-01", "2021-07-01"]
    /// Microsoft.VirtualMachineImages.
    public static let imageBuilder = ["2025-10-01", "2024-02-01", "2022-07-01", "2022-02-14"]
    /// Microsoft.Resources (subscription locations).
    public static let resources = ["2022-12-01", "2021-04-01", "2020-01-01"]

    /// - Returns: the version the request named.
    /// - Throws: 400 `MissingApiVersionParameter` / `InvalidApiVersionParameter` listing the supported versions.
    @discardableResult
    public static func require(_ request: Request, supported: [String]) throws -> String {
        guard let given = request.uri.queryParameters.get("api-version"), !given.isEmpty else {
            throw ARMError(.badRequest, code: "MissingApiVersionParameter",
                           "The api-version query parameter (?api-version=) is required for all requests. Supported api-versions are '\(supported.joined(separator: ", "))'.",
                           target: "api-version")
        }
        guard supported.contains(given) else {
            throw ARMError(.badRequest, code: "InvalidApiVersionParameter",
                           "The api-version '\(given)' is invalid. The supported versions are '\(supported.joined(separator: ", "))'.",
                           target: "api-version")
        }
        return given
    }
}
