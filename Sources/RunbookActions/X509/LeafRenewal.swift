import Foundation
import RunbookKit
import X509

/// Re-issues one leaf certificate file and its key from the CA that issued it: the old pair is
/// copied to a backup first, then the new key and the new certificate replace the old ones,
/// each atomically (the key first, mode 0600). A file that is a symlink is replaced at its target.
///
/// A crash between the two replacements leaves a new key beside the old certificate; running
/// the renewal again re-issues both from the still-valid old certificate, so it is idempotent.
struct LeafRenewal {
  var certificatePath: String
  /// The key file; the certificate's own path for a combined file.
  var keyPath: String
  var authority: CertificateAuthority
  var validity: TimeInterval
  var backupDirectory: String

  struct Outcome {
    var certificate: Certificate
    var backups: [String]
  }

  func run(now: Date) throws -> Outcome {
    let oldFile = try PEMFile(path: certificatePath)
    let old = try oldFile.leaf()
    try Self.refuseUnlessRenewable(old, at: certificatePath, from: authority)
    let combined = keyPath == certificatePath
    let oldKey = combined ? oldFile.privateKey : (try? PEMFile(path: keyPath))?.privateKey
    let newKey = try StoredPrivateKey.generate(like: old.publicKey, encoding: oldKey?.encoding)
    let renewed = try authority.reissue(old, publicKey: newKey.key.publicKey, validity: validity, now: now)
    let certificatePEM = try renewed.serializeAsPEM().pemString + "\n"

    var backups = [try Self.backUp(certificatePath, into: backupDirectory)]
    if !combined, FileInputs.status(keyPath) != nil { backups.append(try Self.backUp(keyPath, into: backupDirectory)) }
    if combined {
      try replace(certificatePath, with: certificatePEM + newKey.pem + "\n", mode: 0o600)
    } else {
      try replace(keyPath, with: newKey.pem + "\n", mode: 0o600)
      try replace(certificatePath, with: certificatePEM, mode: nil)
    }
    return Outcome(certificate: renewed, backups: backups)
  }

  /// A CA is never re-issued, and a leaf only from the CA that signed it: anything else would
  /// change who trusts it.
  static func refuseUnlessRenewable(_ old: Certificate, at path: String, from authority: CertificateAuthority) throws {
    let facts = try CertificateFacts(old)
    if facts.isCA || realPath(path) == realPath(authority.certificatePath) {
      throw ActionError(.failed, "refusing to re-issue \(path): it is a CA certificate; CAs are never renewed here")
    }
    guard facts.isIssued(by: authority.certificate) else {
      throw ActionError(
        .failed,
        "refusing to re-issue \(path) from \(authority.certificatePath): it was issued by \(old.issuer), not by that CA, so the new one would not be trusted where the old one is")
    }
  }

  /// Copies `path` (its content, through a symlink) to a dated name in the backup directory.
  static func backUp(_ path: String, into directory: String) throws -> String {
    try FileInputs.perform("create the backup directory \(directory)") {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    let destination = FileBackupAction.freeName(in: directory, base: (path as NSString).lastPathComponent)
    try FileInputs.perform("back up \(path) to \(destination)") {
      var copier = TreeCopier()
      try copier.copy(Self.realPath(path), to: destination)
    }
    return destination
  }

  /// Replaces the file at `path` (at its target, for a symlink) keeping its owner, and its mode
  /// unless `mode` is given.
  private func replace(_ path: String, with text: String, mode: mode_t?) throws {
    let target = Self.realPath(path)
    let old = FileInputs.status(target)
    try FileInputs.perform("write \(target)") {
      try AtomicFile.write(Array(text.utf8), to: target, mode: mode ?? old.map { $0.st_mode & 0o7777 } ?? 0o644, owner: old.map { ($0.st_uid, $0.st_gid) })
    }
  }

  static func realPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
