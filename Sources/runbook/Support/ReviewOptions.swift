import ArgumentParser
import RunbookActions
import RunbookKit

/// `--allowed-signers` and `--approvals` of `apply`: the signed approvals it demands of a sealed
/// plan besides the runbook's `review:`, which they may raise, never lower (docs/running.md,
/// "Signed approvals").
struct ReviewOptions: ParsableArguments {
  @Option(
    name: .customLong("allowed-signers"),
    help: ArgumentHelp("An OpenSSH allowed_signers file: the plan's signatures must verify against it.", valueName: "file"))
  var allowedSigners: String?

  @Option(help: ArgumentHelp("Valid signatures by distinct principals required (1 by default with --allowed-signers).", valueName: "n"))
  var approvals: Int?

  func validate() throws {
    if let approvals, approvals < 1 { throw ValidationError("--approvals must be at least 1") }
  }

  /// The verified approvers of the plan `input` came from, as the runbook and these options
  /// demand (none when nothing is demanded); every problem is reported and exits 2.
  func approvers(of input: RunbookInput) async throws(ExitStatus) -> [PlanApprover] {
    do throws(ReviewRefusal) {
      let runbook = input.document.runbook
      let demands = try ReviewDemand.demands(runbook: runbook?.review, allowedSigners: allowedSigners, approvals: approvals)
      guard let demand = demands.first else { return [] }
      guard let plan = input.sealedPlan, let path = input.planFile else {
        throw ReviewRefusal([.signedPlanRequired(runbook?.name.value ?? input.document.file, demand, file: input.document.file)])
      }
      let approvers = try await ReviewGate.check(plan: plan, path: path, demands: demands)
      Terminal.standardError(approvers.map { "Approved by \($0.line)\n" }.joined())
      return approvers
    } catch {
      Terminal.report(error.diagnostics, sources: input.sources)
      throw .invalidInput
    }
  }
}
