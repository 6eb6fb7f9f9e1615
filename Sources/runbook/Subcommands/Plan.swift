import ArgumentParser
import Foundation
import RunbookActions
import RunbookKit

/// `runbook plan`: what a run would do, for review; `--out` seals it into a plan file.
struct Plan: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show what a run would do: stages, commands, conditions, checks and approvals.",
    discussion: """
      RUNBOOK is a file, a name on RUNBOOK_PATH or ./runbooks, or a plan file written by --out (verified before it is \
      shown, with the signatures it carries).
      """)

  @Argument(help: ArgumentHelp("A runbook file or name, or a plan file.", valueName: "runbook"))
  var runbook: String

  @OptionGroup var params: ParamOptions

  @Option(help: "text, json, markdown, dot or mermaid.")
  var format: PlanFormat = .text

  @Option(help: ArgumentHelp("Write a sealed plan file for a later apply.", valueName: "plan"))
  var out: String?

  @Option(
    name: .customLong("allowed-signers"),
    help: ArgumentHelp("Verify a plan file's signatures against this OpenSSH allowed_signers file.", valueName: "file"))
  var allowedSigners: String?

  func run() async throws {
    let input = try RunbookInput.load(runbook, params: params.values, paramsFile: params.file)
    let verdicts = try await signatureVerdicts(input)
    let (built, problems) = PlanBuilder.build(input.document, params: input.params, registry: input.registry)
    Teardown.skip((input, built))
    guard let plan = built else {
      Terminal.report(problems, sources: input.sources)
      throw ExitStatus.invalidInput
    }
    let sealed = input.sealedPlan
    switch format {
    case .text:
      var text = plan.text()
      if let demand = input.document.runbook?.review { text += "\n" + demand.sentence + "\n" }
      if let sealed { text += sealed.signaturesText(verdicts: verdicts, allowedSigners: allowedSigners) }
      Terminal.standardOutput(text)
    case .json:
      var json = plan.json()
      if let sealed, case .object(var members) = json {
        members.append(.init("signatures", sealed.signaturesJSON(verdicts: verdicts)))
        json = .object(members)
      }
      Terminal.standardOutput(json.serialized() + "\n")
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

  /// With `--allowed-signers`, each signature's verdict; a runbook that is no plan file, or an
  /// allowed signers file that cannot be read, exits 2.
  private func signatureVerdicts(_ input: RunbookInput) async throws(ExitStatus) -> [SignatureVerdict]? {
    guard let allowedSigners else { return nil }
    guard let sealed = input.sealedPlan else {
      Terminal.standardError("error: --allowed-signers verifies the signatures of a plan file, and \(runbook) is a runbook\n")
      throw .invalidInput
    }
    do throws(ReviewRefusal) {
      return try await ReviewGate.verdicts(of: sealed, allowedSigners: allowedSigners)
    } catch {
      Terminal.report(error.diagnostics, sources: [:])
      throw .invalidInput
    }
  }
}
