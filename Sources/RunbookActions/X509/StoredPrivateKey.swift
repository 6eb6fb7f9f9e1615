import Crypto
import Foundation
import RunbookKit
import SwiftASN1
import X509
import _CryptoExtras

/// A private key as a PEM file stores it, with the encoding it was stored in, so that a
/// replacement can be generated of the same algorithm and size and written the same way.
struct StoredPrivateKey {
  /// The PEM label, which names the encoding.
  enum Encoding: String {
    case pkcs1 = "RSA PRIVATE KEY"
    case sec1 = "EC PRIVATE KEY"
    case pkcs8 = "PRIVATE KEY"
  }

  var key: Certificate.PrivateKey
  var encoding: Encoding
  /// The PEM text of the key.
  var pem: String

  init(_ document: PEMDocument) throws {
    guard let encoding = Encoding(rawValue: document.discriminator) else {
      throw ActionError(.failed, "a \(document.discriminator) block is not a private key this tool reads (RSA, EC or PKCS#8)")
    }
    self.key = try Certificate.PrivateKey(pemDocument: document)
    self.encoding = encoding
    self.pem = document.pemString
  }

  private init(key: Certificate.PrivateKey, encoding: Encoding, pem: String) {
    self.key = key
    self.encoding = encoding
    self.pem = pem
  }

  /// A new key of the algorithm and size of `publicKey`, in `encoding` (the usual one for the
  /// algorithm when nil).
  static func generate(like publicKey: Certificate.PublicKey, encoding: Encoding?) throws -> StoredPrivateKey {
    let algorithm = try KeyAlgorithm(publicKey)
    switch algorithm {
    case .rsa(let bits):
      let rsa = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))
      let chosen = encoding == .pkcs8 ? Encoding.pkcs8 : .pkcs1
      return StoredPrivateKey(key: Certificate.PrivateKey(rsa), encoding: chosen, pem: chosen == .pkcs8 ? rsa.pkcs8PEMRepresentation : rsa.pemRepresentation)
    case .p256:
      let key = P256.Signing.PrivateKey()
      return try ecdsa(Certificate.PrivateKey(key), raw: key.rawRepresentation, x963: key.publicKey.x963Representation, curve: .NamedCurves.secp256r1, encoding)
    case .p384:
      let key = P384.Signing.PrivateKey()
      return try ecdsa(Certificate.PrivateKey(key), raw: key.rawRepresentation, x963: key.publicKey.x963Representation, curve: .NamedCurves.secp384r1, encoding)
    case .p521:
      let key = P521.Signing.PrivateKey()
      return try ecdsa(Certificate.PrivateKey(key), raw: key.rawRepresentation, x963: key.publicKey.x963Representation, curve: .NamedCurves.secp521r1, encoding)
    case .ed25519:
      let key = Certificate.PrivateKey(Curve25519.Signing.PrivateKey())
      return StoredPrivateKey(key: key, encoding: .pkcs8, pem: try key.serializeAsPEM().pemString)
    }
  }

  /// An ECDSA key in PKCS#8 or, as OpenSSL and Go write it by default, SEC 1 (RFC 5915).
  private static func ecdsa(
    _ key: Certificate.PrivateKey, raw: Data, x963: Data, curve: ASN1ObjectIdentifier, _ encoding: Encoding?
  ) throws -> StoredPrivateKey {
    if encoding == .pkcs8 {
      return StoredPrivateKey(key: key, encoding: .pkcs8, pem: try key.serializeAsPEM().pemString)
    }
    var serializer = DER.Serializer()
    try serializer.appendConstructedNode(identifier: .sequence) { coder in
      try coder.serialize(1)
      try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(raw)))
      try coder.serialize(curve, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
      try coder.serialize(ASN1BitString(bytes: ArraySlice(x963)), explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
    }
    let pem = PEMDocument(type: Encoding.sec1.rawValue, derBytes: serializer.serializedBytes).pemString
    return StoredPrivateKey(key: key, encoding: .sec1, pem: pem)
  }
}
