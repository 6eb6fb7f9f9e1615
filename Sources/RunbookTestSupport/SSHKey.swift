import Foundation

/// An OpenSSH key pair made by the real `ssh-keygen`, for signing plans in tests.
public struct SSHKey {
  /// The private key; the public one is beside it with `.pub`.
  public let path: String
  /// Whom an allowed_signers file names for it.
  public let principal: String
  /// `SHA256:...`, as `ssh-keygen -l` prints it.
  public let fingerprint: String
  /// `ssh-ed25519 AAAA... comment`, the public key file's line.
  public let publicKey: String

  /// Makes a key of `type` (`ed25519`, `rsa`) named `name` in `directory` for `principal`,
  /// encrypted with `passphrase` unless it is empty.
  public init(_ name: String, type: String, principal: String, passphrase: String = "", in directory: String) throws {
    path = directory + "/" + name
    self.principal = principal
    try ExternalProgram.run("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", principal, "-f", path])
    publicKey = try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    fingerprint = String(try ExternalProgram.run("ssh-keygen", ["-l", "-f", path]).split(separator: " ")[1])
  }

  /// This key's line in an allowed_signers file: `PRINCIPAL ssh-ed25519 AAAA...`.
  public var allowedSignersLine: String { "\(principal) \(publicKey)" }
}
