import Foundation
import VMIBBuild
import VMIBCore
import VMIBTransfer

/// Where a template's VHD distributor may write, and the write itself: only under the run's
/// staging area or a configured output root (a realpath prefix, checked after every
/// directory it creates), never through a symbolic link, never over a directory. The file
/// is written beside its destination and renamed into place, so a reader never sees half
/// a VHD and nothing but that one name is replaced.
struct VHDOutput {
    /// Output roots (realpaths); nil: anywhere.
    let roots: [String]?

    init(roots: [String]?) {
        self.roots = roots.map { $0.map(PathRoots.real) }
    }

    /// Refuses a `file://` destination outside the roots, at template create or update.
    /// - Throws: `DomainError` naming `field`.
    func check(_ uri: String, field: Field) throws {
        guard let roots else { return }
        let path = PathRoots.path(of: uri)
        // Where the directory really is: through any symbolic link on the way.
        let parent = (path as NSString).deletingLastPathComponent
        guard PathRoots.inside(PathRoots.real(PathRoots.deepestExisting(parent)), roots) else {
            throw DomainError.invalid(field, "'\(uri)' is outside the directories this server writes VHDs to (vmib serve --output-root): \(roots.isEmpty ? "none; leave uri empty for the run's staging area" : roots.joined(separator: ", "))")
        }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw DomainError.invalid(field, "'\(uri)' is a symbolic link; a VHD distributor never writes through one")
        }
    }

    /// Copies `vhd` to `uri` (or the run's workspace, as `<name>.vhd`, when nil). Returns the path written.
    /// - Throws: `DomainError` when the destination is outside the allowed directories, is a
    ///   directory or a symbolic link, or reaches outside through one.
    func write(_ vhd: String, uri: String?, name: String, workspace: RunWorkspace) throws -> String {
        let destination = uri.map(PathRoots.path(of:)) ?? workspace.output(named: name)
        let allowed = (roots ?? ["/"]) + [PathRoots.real(workspace.path)]
        let parent = (destination as NSString).deletingLastPathComponent
        // Create what is missing one level at a time, checking where each level really is.
        let existing = PathRoots.deepestExisting(parent)
        guard PathRoots.inside(PathRoots.real(existing), allowed) else { throw outside(destination, allowed) }
        var current = existing
        for component in String(parent.dropFirst(existing.count)).split(separator: "/") {
            current += (current.hasSuffix("/") ? "" : "/") + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw DomainError(.refused, field: .named("uri"), "cannot create \(current): \(String(cString: strerror(errno)))")
            }
            guard PathRoots.inside(PathRoots.real(current), allowed) else { throw outside(destination, allowed) }
        }
        var info = stat()
        if lstat(destination, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFLNK: throw DomainError(.refused, field: .named("uri"), "'\(destination)' is a symbolic link; a VHD distributor never writes through one")
            case S_IFDIR: throw DomainError(.refused, field: .named("uri"), "'\(destination)' is a directory; a VHD distributor never replaces one")
            default: break
            }
        }
        let temporary = "\(parent)/.vmib-vhd-\(UUID().uuidString).tmp"
        do {
            _ = try FileDigest.copy(vhd, to: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, destination) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw DomainError(.refused, field: .named("uri"), "cannot write \(destination): \(why)")
        }
        return destination
    }

    private func outside(_ destination: String, _ allowed: [String]) -> DomainError {
        DomainError(.refused, field: .named("uri"), "'\(destination)' is outside the directories VHDs may be written to: \(allowed.joined(separator: ", "))")
    }
}
