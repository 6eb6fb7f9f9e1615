import Foundation
import RunbookKit
import X509

/// A CA certificate and the private key that belongs to it: what leaf certificates are
/// re-issued from. Loading one proves the pair matches; it is only ever read.
struct CertificateAuthority {
  var certificatePath: String
  var certificate: Certificate
  var key: Certificate.PrivateKey

  init(certificatePath: String, keyPath: String) throws {
    let certificateFile = try PEMFile(path: certificatePath)
    self.certificatePath = certificatePath
    self.certificate = try certificateFile.leaf()
    self.key = try PEMFile(path: keyPath).key().key
    guard key.publicKey == certificate.publicKey else {
      throw ActionError(.failed, "refusing to sign with \(keyPath): it is not the key of the CA certificate \(certificatePath)")
    }
    guard try CertificateFacts(certificate).isCA else {
      throw ActionError(.failed, "refusing to sign with \(certificatePath): it is not a CA certificate (no basicConstraints CA:TRUE)")
    }
  }

  /// A new certificate for `old`'s subject, SANs, key usage and extended key usage, with
  /// `publicKey`, valid from five minutes ago (clock skew, as kubeadm does) for `validity`, but
  /// never beyond the CA's own expiry.
  func reissue(_ old: Certificate, publicKey: Certificate.PublicKey, validity: TimeInterval, now: Date) throws -> Certificate {
    let notBefore = now.addingTimeInterval(-300)
    let notAfter = min(now.addingTimeInterval(validity), certificate.notValidAfter)
    var extensions = Certificate.Extensions()
    for oldExtension in old.extensions {
      switch oldExtension.oid {
      case .X509ExtensionID.subjectKeyIdentifier:
        try extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: oldExtension.critical))
      case .X509ExtensionID.authorityKeyIdentifier:
        if let identifier = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier {
          try extensions.append(Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: identifier), critical: oldExtension.critical))
        }
      default:
        try extensions.append(oldExtension)
      }
    }
    return try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey, notValidBefore: notBefore, notValidAfter: notAfter,
      issuer: certificate.subject, subject: old.subject,
      signatureAlgorithm: try KeyAlgorithm(certificate.publicKey).signatureAlgorithm(preferring: old.signatureAlgorithm),
      extensions: extensions, issuerPrivateKey: key)
  }
}
