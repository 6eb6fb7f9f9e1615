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

  public var json: JSONValue {
    var members: [JSONValue.Member] = [.init("fingerprint", .string(fingerprint))]
    if let comment { members.append(.init("comment", .string(comment))) }
    members += [.init("signed_at", .string(signedAt)), .init("signature", .string(signature))]
    return .object(members)
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
