import Testing
import VMIBBuild

@Test func buildModuleLinks() { _ = VMIBBuild.self }
