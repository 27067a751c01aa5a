/// The build stage: resolve and fetch a template's source, run its customizers in a
/// sandbox, package the disk, hand the artifact to distribution. (Issue: templates.)
public enum VMIBBuild {}
