/// A reviewer whose signature of a plan verified against the allowed signers: the principal it
/// is listed as, the key, and what the signature carried. Journaled with the run.
public struct PlanApprover: Sendable, Equatable {
  public var principal: String
  /// The key that made the signature, `SHA256:...`, as `ssh-keygen` reported it when verifying.
  public var fingerprint: String
  public var comment: String?
  /// When the signature was made, as it says (ISO 8601).
  public var signedAt: String

  public init(principal: String, fingerprint: String, comment: String?, signedAt: String) {
    self.principal = principal
    self.fingerprint = fingerprint
    self.comment = comment
    self.signedAt = signedAt
  }

  public var json: JSONValue {
    .object([.init("principal", .string(principal))] + PlanSignature.summary(fingerprint: fingerprint, comment: comment, signedAt: signedAt))
  }

  public init?(json: JSONValue) {
    guard let principal = json["principal"]?.stringValue, let fingerprint = json["fingerprint"]?.stringValue,
      let signedAt = json["signed_at"]?.stringValue
    else { return nil }
    self.init(principal: principal, fingerprint: fingerprint, comment: json["comment"]?.stringValue, signedAt: signedAt)
  }

  /// One line for a terminal: `alice (SHA256:...) at 2026-...Z: "comment"`, user text escaped.
  public var line: String {
    PlanSignature.line(key: "\(principal) (\(fingerprint))", signedAt: signedAt, comment: comment)
  }
}
