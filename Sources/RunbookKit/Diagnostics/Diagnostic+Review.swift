/// Diagnostics of signed approvals (docs/running.md, "Signed approvals").
extension Diagnostic {
  /// Fewer valid signatures by distinct principals of `allowedSigners` than `required`; a note
  /// for each approver counted and each signature counted with an earlier one.
  public static func tooFewApprovals(
    _ path: String, approvers: [PlanApprover], required: Int, allowedSigners: String, notes: [String]
  ) -> Diagnostic {
    let found = approvers.isEmpty ? "no approval" : "\(approvers.count) approval\(approvers.count == 1 ? "" : "s")"
    var diagnostic = Diagnostic(
      code: "F605",
      message: "the plan has \(found) by distinct principals in \(allowedSigners); \(required) \(required == 1 ? "is" : "are") required",
      file: path)
    for approver in approvers { diagnostic = diagnostic.note("approved by \(approver.line)") }
    for note in notes { diagnostic = diagnostic.note(note) }
    return diagnostic.note("each reviewer signs it with `runbook approve PLAN --key KEY`")
  }

  /// A signature that does not verify: the plan carrying it is refused, whatever the others.
  public static func signatureRefused(_ path: String, label: String, reason: String) -> Diagnostic {
    Diagnostic(code: "F610", message: "\(label) does not count: \(reason)", file: path)
      .note("a plan carrying a signature that does not count is refused, whatever the others; delete that entry from its 'signatures' (the seal does not cover them) or make a new plan and have it signed again")
  }

  public static func unreadableAllowedSigners(_ path: String, reason: String) -> Diagnostic {
    Diagnostic(code: "F606", message: "cannot read the allowed signers file \(path): \(reason), so no signature can be verified")
  }

  /// A runbook applied as it is, not from a plan file, while signed approvals are demanded of it.
  public static func signedPlanRequired(_ runbook: String, _ demand: ReviewDemand, file: String) -> Diagnostic {
    let demanded = "\(demand.approvals) signed approval\(demand.approvals == 1 ? " is" : "s are") demanded"
    return Diagnostic(
      code: "F607",
      message: "\(demanded) (\(demand.range == nil ? "--allowed-signers" : "review:")), so runbook '\(runbook)' runs only from a signed plan file",
      file: file, range: demand.range
    ).note("seal it with `runbook plan RUNBOOK --out change.plan`, have each reviewer sign it with `runbook approve change.plan --key KEY`, then `runbook apply change.plan`")
  }

  public static func approvalsWithoutAllowedSigners() -> Diagnostic {
    Diagnostic(code: "F608", message: "--approvals needs an allowed signers file: --allowed-signers FILE, or review: allowed_signers in the runbook")
  }

  /// `ssh-keygen` could not be run, or refused what it was asked (`doing`) for a reason of its own.
  public static func sshKeygenFailed(_ doing: String, reason: String) -> Diagnostic {
    Diagnostic(code: "F609", message: "ssh-keygen could not \(doing): \(reason)")
  }
}
