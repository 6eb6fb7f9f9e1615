import ArgumentParser
import Foundation
import RunbookActions
import RunbookKit

/// `runbook plan`: what a run would do, for review; `--probe` reads the live facts first;
/// `--out` seals it into a plan file.
struct Plan: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show what a run would do: stages, commands, conditions, checks and approvals.",
    discussion: """
      RUNBOOK is a file, a name on RUNBOOK_PATH or ./runbooks, or a plan file written by --out \
      (verified before it is shown, with the signatures it carries). With --probe, the read-only \
      checks and steps run live first and the plan shows what they found; exit 3 when something \
      would stop an apply now.
      """)

  @Argument(help: ArgumentHelp("A runbook file or name, or a plan file.", valueName: "runbook"))
  var runbook: String

  @OptionGroup var params: ParamOptions

  @Option(help: "text, json, markdown, dot or mermaid.")
  var format: PlanFormat = .text

  @Flag(help: "Run the read-only checks and steps live and show what they found (nothing else runs).")
  var probe = false

  @Option(help: ArgumentHelp("Write a sealed plan file for a later apply.", valueName: "plan"))
  var out: String?

  @OptionGroup(title: "Hosts") var hosts: InventoryOptions

  @OptionGroup var state: StateOptions

  @Option(
    name: .customLong("allowed-signers"),
    help: ArgumentHelp("Verify a plan file's signatures against this OpenSSH allowed_signers file.", valueName: "file"))
  var allowedSigners: String?

  func run() async throws {
    let input = try RunbookInput.load(runbook, params: params.values, paramsFile: params.file)
    let verdicts = try await signatureVerdicts(input)
    let inventory = try hosts.resolve(for: input)
    let (built, problems) = PlanBuilder.build(input.document, params: input.params, registry: input.registry, inventory: inventory)
    Teardown.skip((input, built))
    guard var plan = built else {
      Terminal.report(problems, sources: input.sources)
      throw ExitStatus.invalidInput
    }
    if probe {
      do {
        // SIGINT stops the probe's commands, and the plan is not printed half read; a second
        // one does not wait for a read that does not stop (nothing is journaled here).
        let interruption = Interruption()
        let trap = SignalTrap(interruption) { _, first in if !first { Foundation.exit(ExitStatus.interrupted.rawValue) } }
        plan = try await plan.probed(
          params: input.params, registry: input.registry, environment: ProcessInfo.processInfo.environment, interruption: interruption,
          hostRunner: try HostTransport.runner(for: plan, stateDirectory: state.directoryPath))
        withExtendedLifetime(trap) {}
        if interruption.isInterrupted {
          Terminal.standardError("interrupted: the probe stopped, so no plan is shown\n")
          throw ExitStatus.interrupted
        }
      } catch let status as ExitStatus {
        throw status
      } catch let failure as ProbeFailure {
        Terminal.report(failure.problems, sources: input.sources)
        throw ExitStatus.invalidInput
      } catch {
        Terminal.standardError("error: the probe failed: \(error)\n")
        throw ExitStatus.stepFailed
      }
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
      if let sealed { json = json.appending("signatures", sealed.signaturesJSON(verdicts: verdicts)) }
      Terminal.standardOutput(json.serialized() + "\n")
    case .markdown: Terminal.standardOutput(plan.markdown())
    case .dot: Terminal.standardOutput(plan.dot())
    case .mermaid: Terminal.standardOutput(plan.mermaid())
    }
    var stale = false
    if let reviewed = sealed?.probe {
      // A sealed probed plan: what it was reviewed with, and — probed again — what changed.
      if let now = plan.probe?.facts {
        let drift = FactDrift.between(reviewed: reviewed.facts, found: now)
        stale = !drift.isEmpty
        Terminal.standardError(drift.isEmpty
          ? "note: the \(reviewed.facts.count) facts sealed at \(reviewed.at) are unchanged now\n"
          : "note: \(drift.count) of the facts sealed at \(reviewed.at) changed; apply would refuse this plan (exit 3):\n" + drift.map { "  \($0.line)\n" }.joined())
      } else {
        Terminal.standardError("note: sealed with \(reviewed.facts.count) facts probed at \(reviewed.at), which apply reads again; `runbook plan \(runbook) --probe` compares them now\n")
      }
    }
    if let out {
      let file = PlanFile(runbook: plan.model, params: input.params, programs: plan.programs, probe: plan.probe, inventory: plan.inventory)
      do {
        try AtomicFile.write(file.serialized(), to: out, mode: 0o600)
      } catch {
        Terminal.standardError("error: cannot write \(out): \(error.localizedDescription)\n")
        throw ExitStatus.invalidInput
      }
      Terminal.standardError("Plan written to \(out); apply it with: runbook apply \(out)\n")
    }
    if plan.probe?.wouldProceed == false || stale { throw ExitStatus.blocked }
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
