/// The signatures a plan file carries, as `runbook plan PLAN` lists them: unverified (key and
/// comment) without an allowed signers file, else with each one's verdict.
extension PlanFile {
  /// Text lines after the plan; `verdicts`, when given, one per signature in order. Nothing
  /// for a plan without signatures unless they were asked for.
  public func signaturesText(verdicts: [SignatureVerdict]?, allowedSigners: String?) -> String {
    guard !signatures.isEmpty else { return verdicts == nil ? "" : "\nSignatures: none\n" }
    var out = "\nSignatures: \(signatures.count), "
    if let allowedSigners, verdicts != nil {
      out += "checked against \(VisibleText.line(allowedSigners))\n"
    } else {
      out += "not verified (--allowed-signers FILE verifies them)\n"
    }
    for (index, signature) in signatures.enumerated() {
      out += "  \(index + 1). "
      switch verdicts?[index] {
      case .approved(let approver)?: out += "✓ \(approver.line)\n"
      case .refused(let reason)?: out += "✗ \(signature.line) — \(VisibleText.line(reason))\n"
      case nil: out += "\(signature.line)\n"
      }
    }
    return out
  }

  /// The same as JSON: each signature's key, comment and time, and with verdicts `verified`
  /// and the `principal` or the `problem`.
  public func signaturesJSON(verdicts: [SignatureVerdict]?) -> JSONValue {
    .array(signatures.enumerated().map { index, signature in
      var members = signature.summary
      switch verdicts?[index] {
      case .approved(let approver)?: members += [.init("verified", .bool(true)), .init("principal", .string(approver.principal))]
      case .refused(let reason)?: members += [.init("verified", .bool(false)), .init("problem", .string(reason))]
      case nil: members.append(.init("verified", .null))
      }
      return .object(members)
    })
  }
}
