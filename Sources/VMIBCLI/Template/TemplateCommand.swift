import ArgumentParser

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Image templates: source, customizations, distribution.",
        subcommands: [TemplateCreate.self, TemplateUpdate.self, TemplateShow.self, TemplateList.self, TemplateDelete.self, TemplatePlanCommand.self,
                      TemplateRunCommand.self, TemplateCancel.self, TemplateLogs.self, TemplateOutputs.self, TemplateRuns.self, TriggerCommand.self, TemplateRunWorker.self])
}
