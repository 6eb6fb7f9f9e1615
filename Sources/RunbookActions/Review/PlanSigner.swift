import Foundation
import RunbookKit

/// Signs a sealed plan with the system `ssh-keygen -Y sign` in the `runbook-plan` namespace
/// (`runbook approve`): over its seal, the time and the comment (`PlanSignature.signedText`).
public enum PlanSigner {
  /// The largest key file read to see that it can be read (an OpenSSH private or public key).
  static let keyLimit = 1 << 20

  /// A signature of `plan` by `key`, a private key file, or a public one whose private half an
  /// agent holds. ssh-keygen runs in the foreground, so it can ask for a passphrase on the
  /// terminal.
  public static func sign(_ plan: PlanFile, key: String, comment: String?, at time: Date = Date()) async throws(ReviewRefusal) -> PlanSignature {
    if case .failure(let failure) = InputFile.read(key, limit: keyLimit) {
      throw ReviewRefusal([Diagnostic.unreadableFile(key, reason: failure.reason).note("--key names an OpenSSH private key, or a public key whose private half ssh-agent holds")])
    }
    let signedAt = ISO8601DateFormatter().string(from: time)
    let message = PlanSignature.signedText(seal: plan.seal, signedAt: signedAt, comment: comment)
    return try await SSHKeygen.withDirectory { (keygen) async throws(ReviewRefusal) -> PlanSignature in
      let listed = try await keygen.run(["-l", "-f", key])
      guard listed.succeeded, let fingerprint = SSHKeygen.listedFingerprint(listed.stdout) else {
        throw ReviewRefusal([.sshKeygenFailed("read the key \(key)", reason: listed.reason)])
      }
      let file = try keygen.write(Array(message.utf8), named: "plan")
      let signed = try await keygen.run(["-Y", "sign", "-f", key, "-n", PlanSignature.namespace, file], foreground: true)
      guard signed.succeeded, let signature = try? String(contentsOfFile: file + ".sig", encoding: .utf8) else {
        throw ReviewRefusal([.sshKeygenFailed("sign with \(key)", reason: signed.reason)])
      }
      return PlanSignature(signature: signature, fingerprint: fingerprint, comment: comment, signedAt: signedAt)
    }
  }
}
