import ArgumentParser
import Foundation
import RunbookKit

/// `runbook plan`: what a run would do, for review; `--probe` reads the live facts first;
/// `--out` seals it into a plan file.
struct Plan: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show what a run would do: stages, commands, conditions, checks and approvals.",
    discussion: """
      RUNBOOK is a file, a name on RUNBOOK_PATH or ./runbooks, or a plan file written by --out \
      (verified before it is shown). With --probe, the read-only checks and steps run live first \
      and the plan shows what they found; exit 3 when a run-level precondition fails now.
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

  func run() async throws {
    let input = try RunbookInput.load(runbook, params: params.values, paramsFile: params.file)
    let (built, problems) = PlanBuilder.build(input.document, params: input.params, registry: input.registry)
    Teardown.skip((input, built))
    guard var plan = built else {
      Terminal.report(problems, sources: input.sources)
      throw ExitStatus.invalidInput
    }
    if probe {
      do {
        plan = try await plan.probed(params: input.params, registry: input.registry, environment: ProcessInfo.processInfo.environment)
      } catch let failure as ProbeFailure {
        Terminal.report(failure.problems, sources: input.sources)
        throw ExitStatus.invalidInput
      } catch {
        Terminal.standardError("error: the probe failed: \(error)\n")
        throw ExitStatus.stepFailed
      }
    }
    switch format {
    case .text: Terminal.standardOutput(plan.text())
    case .json: Terminal.standardOutput(plan.json().serialized() + "\n")
    case .markdown: Terminal.standardOutput(plan.markdown())
    case .dot: Terminal.standardOutput(plan.dot())
    case .mermaid: Terminal.standardOutput(plan.mermaid())
    }
    var stale = false
    if let sealed = input.sealedPlan?.probe {
      // A sealed probed plan: what it was reviewed with, and — probed again — what changed.
      if let now = plan.probe?.facts {
        let drift = FactDrift.between(reviewed: sealed.facts, found: now)
        stale = !drift.isEmpty
        Terminal.standardError(drift.isEmpty
          ? "note: the \(sealed.facts.count) facts sealed at \(sealed.at) are unchanged now\n"
          : "note: \(drift.count) of the facts sealed at \(sealed.at) changed; apply would refuse this plan (exit 3):\n" + drift.map { "  \($0.line)\n" }.joined())
      } else {
        Terminal.standardError("note: sealed with \(sealed.facts.count) facts probed at \(sealed.at), which apply reads again; `runbook plan \(runbook) --probe` compares them now\n")
      }
    }
    if let out {
      let file = PlanFile(runbook: plan.model, params: input.params, programs: plan.programs, probe: plan.probe)
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
}
