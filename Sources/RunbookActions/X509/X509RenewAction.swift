import Foundation
import RunbookKit
import X509

/// Re-issues a leaf certificate from the CA that issued it, keeping subject, SANs and usages,
/// with a new key of the same type and size; never touches a CA.
public struct X509RenewAction: Action {
  public static let name = "x509.renew"
  public static let summary = "Re-issue a leaf certificate and its key from its CA, keeping subject, SANs and usages; CAs are never touched"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [
    InputSpec("cert", .path, required: true, "The leaf certificate to re-issue"),
    InputSpec("key", .path, "Its private key (default: NAME.key beside NAME.crt, NAME-key.pem beside NAME.pem; the cert's own path for a combined file)"),
    InputSpec("ca_cert", .path, required: true, "The CA certificate that issued it (read only)"),
    InputSpec("ca_key", .path, "The CA's private key (read only; default by the same naming)"),
    InputSpec("validity", .duration, default: .string("8760h"), "How long the new certificate lasts (capped at the CA's own expiry)"),
    InputSpec("backup_dir", .path, required: true, "Where the old certificate and key are copied first"),
  ]
  public static let outputs = [
    OutputSpec("cert", "string", "The certificate written"),
    OutputSpec("key", "string", "The key written"),
    OutputSpec("not_after", "string", "The new expiry, RFC 3339"),
    OutputSpec("serial", "string", "The new serial number, hex"),
    OutputSpec("backups", "list", "The copies of the old files"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let cert = input.text("cert") ?? ""
    let caCert = input.text("ca_cert") ?? ""
    return ActionPreview(
      "re-issue \(cert) with a new key \(Self.keyPath(input)) from the CA \(caCert) (read only, never changed), keeping subject, SANs and usages, valid \(input.text("validity") ?? "8760h"); the old pair is copied to \(input.text("backup_dir") ?? "") first"
    )
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let cert = try FileInputs.path(input, "cert")
    let caCert = try FileInputs.path(input, "ca_cert")
    let authority = try CertificateAuthority(certificatePath: caCert, keyPath: input.text("ca_key").flatMap { $0.isEmpty ? nil : $0 } ?? KeyFileNaming.keyPath(forCertificate: caCert))
    let renewal = LeafRenewal(
      certificatePath: cert, keyPath: Self.keyPath(input), authority: authority, validity: try Self.validity(input),
      backupDirectory: try FileInputs.path(input, "backup_dir"))
    let outcome = try renewal.run(now: Date())
    let facts = try CertificateFacts(outcome.certificate)
    context.output(OutputLine(.stdout, "re-issued \(cert): \(outcome.certificate.subject), valid until \(CertificateFacts.timestamp(outcome.certificate.notValidAfter)); old pair in \(outcome.backups.joined(separator: ", "))"))
    return ActionResult([
      "cert": .string(cert), "key": .string(renewal.keyPath), "not_after": .string(CertificateFacts.timestamp(outcome.certificate.notValidAfter)),
      "serial": .string(facts.serial), "backups": .list(outcome.backups.map(Value.string)),
    ])
  }

  static func keyPath(_ input: ResolvedInput) -> String {
    input.text("key").flatMap { $0.isEmpty ? nil : $0 } ?? KeyFileNaming.keyPath(forCertificate: input.text("cert") ?? "")
  }

  /// The `validity` input in seconds.
  static func validity(_ input: ResolvedInput) throws -> TimeInterval {
    guard let duration = input.duration("validity"), duration > .zero else {
      throw ActionError(.invalidInput, "validity '\(input.text("validity") ?? "")' is not a positive duration such as 8760h")
    }
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
