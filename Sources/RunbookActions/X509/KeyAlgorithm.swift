import Crypto
import RunbookKit
import X509
import _CryptoExtras

/// A public key's algorithm and size: what a re-issued certificate's new key must match.
enum KeyAlgorithm: Equatable {
  case rsa(bits: Int)
  case p256, p384, p521, ed25519

  init(_ publicKey: Certificate.PublicKey) throws {
    if let rsa = _RSA.Signing.PublicKey(publicKey) {
      self = .rsa(bits: rsa.keySizeInBits)
    } else if P256.Signing.PublicKey(publicKey) != nil {
      self = .p256
    } else if P384.Signing.PublicKey(publicKey) != nil {
      self = .p384
    } else if P521.Signing.PublicKey(publicKey) != nil {
      self = .p521
    } else if Curve25519.Signing.PublicKey(publicKey) != nil {
      self = .ed25519
    } else {
      throw ActionError(.failed, "the key type of \(publicKey) is not supported")
    }
  }

  /// `RSA`, `ECDSA` or `Ed25519`.
  var type: String {
    switch self {
    case .rsa: "RSA"
    case .p256, .p384, .p521: "ECDSA"
    case .ed25519: "Ed25519"
    }
  }

  var bits: Int {
    switch self {
    case .rsa(let bits): bits
    case .p256, .ed25519: 256
    case .p384: 384
    case .p521: 521
    }
  }

  /// The signature algorithm a key of this kind signs with; `preferred` (the old certificate's)
  /// is kept when this key can make it and it is not SHA-1.
  func signatureAlgorithm(preferring preferred: Certificate.SignatureAlgorithm) -> Certificate.SignatureAlgorithm {
    switch self {
    case .rsa:
      let rsa: [Certificate.SignatureAlgorithm] = [.sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption]
      return rsa.contains(preferred) ? preferred : .sha256WithRSAEncryption
    case .p256: return .ecdsaWithSHA256
    case .p384: return .ecdsaWithSHA384
    case .p521: return .ecdsaWithSHA512
    case .ed25519: return .ed25519
    }
  }
}
