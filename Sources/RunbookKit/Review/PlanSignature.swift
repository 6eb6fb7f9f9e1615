/// One reviewer's OpenSSH signature in a plan file (`runbook approve`): over the plan's seal,
/// when it was made and the reviewer's comment, so that none of them can be changed or the
/// signature moved to another plan without it failing to verify.
public struct PlanSignature: Sendable, Equatable {
  /// The namespace every plan signature is made in (`ssh-keygen -Y sign -n`), so that a
  /// signature made for anything else (a git commit, a file) never counts as an approval.
  public static let namespace = "runbook-plan"

  /// The armored signature, `-----BEGIN SSH SIGNATURE-----` to its end.
  public var signature: String
  /// The signer's key, as `ssh-keygen -l` names it (`SHA256:...`); what it was made with is
  /// checked against the signature itself.
  public var fingerprint: String
  public var comment: String?
  /// When it was made, ISO 8601 in UTC.
  public var signedAt: String

  public init(signature: String, fingerprint: String, comment: String?, signedAt: String) {
    self.signature = signature
    self.fingerprint = fingerprint
    self.comment = comment
    self.signedAt = signedAt
  }

  /// The text a reviewer signs: the plan format and seal, then the time and the comment, one
  /// line each (docs/running.md, "Signed approvals").
  public static func signedText(seal: String, signedAt: String, comment: String?) -> String {
    "\(PlanFile.format) \(seal)\nsigned_at \(signedAt)\ncomment \(JSONValue.string(comment ?? "").serialized(pretty: false))\n"
  }

  /// The text this signature must verify over to approve `plan`.
  public func signedText(for plan: PlanFile) -> String {
    Self.signedText(seal: plan.seal, signedAt: signedAt, comment: comment)
  }

  public var json: JSONValue { .object(summary + [.init("signature", .string(signature))]) }

  /// Its key, comment and time as JSON members, without the signature itself.
  var summary: [JSONValue.Member] { Self.summary(fingerprint: fingerprint, comment: comment, signedAt: signedAt) }

  /// `KEY at TIME: "comment"`, for a terminal.
  var line: String { Self.line(key: fingerprint, signedAt: signedAt, comment: comment) }

  /// Whose key, why and when, as every JSON that shows a signature or an approver says it.
  static func summary(fingerprint: String, comment: String?, signedAt: String) -> [JSONValue.Member] {
    [.init("fingerprint", .string(fingerprint))] + (comment.map { [.init("comment", .string($0))] } ?? []) + [.init("signed_at", .string(signedAt))]
  }

  /// `KEY at TIME: "comment"`, user text escaped, as a terminal shows a signature or an approver.
  static func line(key: String, signedAt: String, comment: String?) -> String {
    "\(VisibleText.line(key)) at \(VisibleText.line(signedAt))" + (comment.map { ": \"\(VisibleText.line($0))\"" } ?? "")
  }

  public init?(json: JSONValue) {
    guard let signature = json["signature"]?.stringValue, let fingerprint = json["fingerprint"]?.stringValue,
      let signedAt = json["signed_at"]?.stringValue
    else { return nil }
    let comment: String?
    switch json["comment"] {
    case nil, .null?: comment = nil
    case .string(let text)?: comment = text
    default: return nil
    }
    self.init(signature: signature, fingerprint: fingerprint, comment: comment, signedAt: signedAt)
  }
}
