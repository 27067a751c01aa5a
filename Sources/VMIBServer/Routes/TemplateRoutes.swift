import Hummingbird

/// Microsoft.VirtualMachineImages/imageTemplates: placeholder until the template engine is
/// on main (see the branch note).
enum TemplateRoutes {
    static func add(to router: Router<ARMRequestContext>, api: API) {}
}
