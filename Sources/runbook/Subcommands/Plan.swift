import ArgumentParser
import Foundation
import RunbookKit

/// `runbook plan`: what a run would do, for review; `--out` seals it into a plan file.
struct Plan: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show what a run would do: stages, commands, conditions, checks and approvals.",
    discussion: "RUNBOOK is a file, a name on RUNBOOK_PATH or ./runbooks, or a plan file written by --out (verified before it is shown).")

  @Argument(help: ArgumentHelp("A runbook file or name, or a plan file.", valueName: "runbook"))
  var runbook: String

  @OptionGroup var params: ParamOptions

  @Option(help: "text, json, markdown, dot or mermaid.")
  var format: PlanFormat = .text

  @Option(help: ArgumentHelp("Write a sealed plan file for a later apply.", valueName: "plan"))
  var out: String?

  func run() throws {
    let input = try RunbookInput.load(runbook, params: params.values, paramsFile: params.file)
    let (built, problems) = PlanBuilder.build(input.document, params: input.params, registry: input.registry)
    Teardown.skip((input, built))
    guard let plan = built else {
      Terminal.report(problems, sources: input.sources)
      throw ExitStatus.invalidInput
    }
    switch format {
    case .text: Terminal.standardOutput(plan.text())
    case .json: Terminal.standardOutput(plan.json().serialized() + "\n")
    case .markdown: Terminal.standardOutput(plan.markdown())
    case .dot: Terminal.standardOutput(plan.dot())
    case .mermaid: Terminal.standardOutput(plan.mermaid())
    }
    if let out, let runbook = input.document.runbook {
      let file = PlanFile(runbook: runbook, params: input.params, programs: plan.programs)
      do {
        try AtomicFile.write(file.serialized(), to: out, mode: 0o600)
      } catch {
        Terminal.standardError("error: cannot write \(out): \(error.localizedDescription)\n")
        throw ExitStatus.invalidInput
      }
      Terminal.standardError("Plan written to \(out); apply it with: runbook apply \(out)\n")
    }
  }
}
