import Foundation
import RunbookKit
import X509

/// Re-issues the client certificate of a kubeconfig's users from their CA: an embedded one is
/// rewritten in place (every other byte of the file kept), a referenced file pair (the
/// kubelet's `kubelet-client-current.pem`) is renewed where it lives.
public struct KubeconfigRenewClientCertAction: Action {
  public static let name = "kubeconfig.renew-client-cert"
  public static let summary = "Re-issue a kubeconfig's client certificate from its CA, every other byte of the file kept"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [
    InputSpec("kubeconfig", .path, required: true, "The kubeconfig file"),
    InputSpec("user", .string, default: .string(""), "Only this user (default: every user with a client certificate)"),
    InputSpec("ca_cert", .path, required: true, "The CA certificate that issued the client certificate (read only)"),
    InputSpec("ca_key", .path, "The CA's private key (read only; default: NAME.key beside NAME.crt)"),
    InputSpec("validity", .duration, default: .string("8760h"), "How long the new certificate lasts (capped at the CA's own expiry)"),
    InputSpec("backup_dir", .path, required: true, "Where the old kubeconfig (or certificate files) are copied first"),
  ]
  public static let outputs = [
    OutputSpec("kubeconfig", "string", "The kubeconfig"),
    OutputSpec("users", "list", "The users whose certificate was re-issued"),
    OutputSpec("written", "list", "The files written: the kubeconfig, or the certificate files it points at"),
    OutputSpec("not_after", "string", "The new expiry, RFC 3339"),
    OutputSpec("backups", "list", "The copies of the old files"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let user = input.text("user").flatMap { $0.isEmpty ? nil : "user \($0)'s" } ?? "each user's"
    return ActionPreview(
      "re-issue \(user) client certificate in \(input.text("kubeconfig") ?? "") (or the file it points at) with a new key from the CA \(input.text("ca_cert") ?? "") (read only, never changed), valid \(input.text("validity") ?? "8760h"); the old file is copied to \(input.text("backup_dir") ?? "") first"
    )
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let path = try FileInputs.path(input, "kubeconfig")
    let caCert = try FileInputs.path(input, "ca_cert")
    let authority = try CertificateAuthority(certificatePath: caCert, keyPath: input.text("ca_key").flatMap { $0.isEmpty ? nil : $0 } ?? KeyFileNaming.keyPath(forCertificate: caCert))
    let validity = try X509RenewAction.validity(input)
    let backupDirectory = try FileInputs.path(input, "backup_dir")
    let only = input.text("user").flatMap { $0.isEmpty ? nil : $0 }
    var kubeconfig = try Kubeconfig(path: path)
    let users = kubeconfig.users.filter { only == nil || $0.name == only }
    guard !users.isEmpty else {
      throw ActionError(.failed, "\(path) has no user \(only.map { "named \($0) " } ?? "")with a client certificate")
    }
    let now = Date()
    var written: [String] = []
    var backups: [String] = []
    var notAfter = ""
    let original = kubeconfig.text
    for user in users {
      switch user.credential {
      case .files(let certificate, let key):
        let outcome = try LeafRenewal(certificatePath: certificate, keyPath: key, authority: authority, validity: validity, backupDirectory: backupDirectory).run(now: now)
        written += [certificate, key].reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        backups += outcome.backups
        notAfter = CertificateFacts.timestamp(outcome.certificate.notValidAfter)
      case .embedded(let certificateField, let keyField):
        guard let keyField else { throw ActionError(.failed, "\(path): user \(user.name) has client-certificate-data but no client-key-data") }
        let old = try PEMFile(path: "\(path) (user \(user.name))", text: kubeconfig.decoded(certificateField, "client-certificate-data")).leaf()
        try LeafRenewal.refuseUnlessRenewable(old, at: "the client certificate of \(user.name) in \(path)", from: authority)
        let oldKey = try PEMFile(path: path, text: kubeconfig.decoded(keyField, "client-key-data")).privateKey
        let newKey = try StoredPrivateKey.generate(like: old.publicKey, encoding: oldKey?.encoding)
        let renewed = try authority.reissue(old, publicKey: newKey.key.publicKey, validity: validity, now: now)
        kubeconfig.text = try kubeconfig.replacing(certificateField, with: Data((try renewed.serializeAsPEM().pemString + "\n").utf8).base64EncodedString())
        kubeconfig.text = try kubeconfig.replacing(keyField, with: Data((newKey.pem + "\n").utf8).base64EncodedString())
        notAfter = CertificateFacts.timestamp(renewed.notValidAfter)
      }
    }
    if kubeconfig.text != original {
      let rewritten = kubeconfig.text
      try Self.verify(rewritten, path: path, users: users.map(\.name))
      backups.append(try LeafRenewal.backUp(path, into: backupDirectory))
      let old = FileInputs.status(path)
      try FileInputs.perform("write \(path)") {
        try AtomicFile.write(Array(rewritten.utf8), to: path, mode: old.map { $0.st_mode & 0o7777 } ?? 0o600, owner: old.map { ($0.st_uid, $0.st_gid) })
      }
      written.insert(path, at: 0)
    }
    context.output(OutputLine(.stdout, "re-issued the client certificate of \(users.map(\.name).joined(separator: ", ")) in \(path), valid until \(notAfter); wrote \(written.joined(separator: ", "))"))
    return ActionResult([
      "kubeconfig": .string(path), "users": .list(users.map { .string($0.name) }), "written": .list(written.map(Value.string)),
      "not_after": .string(notAfter), "backups": .list(backups.map(Value.string)),
    ])
  }

  /// Reads the new text back: it must parse, and each renewed user's certificate must match its key.
  private static func verify(_ text: String, path: String, users: [String]) throws {
    let reread = try Kubeconfig(path: path, text: text)
    for user in reread.users where users.contains(user.name) {
      guard case .embedded(let certificateField, let keyField?) = user.credential else { continue }
      let certificate = try PEMFile(path: path, text: reread.decoded(certificateField, "client-certificate-data")).leaf()
      let key = try PEMFile(path: path, text: reread.decoded(keyField, "client-key-data")).key()
      guard key.key.publicKey == certificate.publicKey else {
        throw ActionError(.failed, "internal error: the rewritten \(path) does not read back with a matching key for \(user.name); nothing was written")
      }
    }
  }
}
