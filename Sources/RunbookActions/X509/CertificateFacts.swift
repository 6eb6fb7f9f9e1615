import Foundation
import RunbookKit
import SwiftASN1
import X509

/// What an operator asks of a certificate, as the outputs of `x509.inspect` and `pki.check`.
struct CertificateFacts {
  /// The time left, which a later read always finds smaller: whether a certificate is expired
  /// or due is the fact, not how many seconds it has.
  static let volatileFields: Set<String> = ["seconds_remaining", "days_remaining"]

  var certificate: Certificate
  var algorithm: KeyAlgorithm

  init(_ certificate: Certificate) throws {
    self.certificate = certificate
    self.algorithm = try KeyAlgorithm(certificate.publicKey)
  }

  var commonName: String {
    for rdn in certificate.subject {
      for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
        return Self.text(of: attribute)
      }
    }
    return ""
  }

  var organizations: [String] {
    certificate.subject.flatMap { $0.filter { $0.type == .RDNAttributeType.organizationName }.map(Self.text(of:)) }
  }

  var isCA: Bool {
    if case .isCertificateAuthority? = try? certificate.extensions.basicConstraints { return true }
    return false
  }

  var dnsNames: [String] {
    sans.compactMap { if case .dnsName(let name) = $0 { name } else { nil } }
  }

  var ipAddresses: [String] {
    sans.compactMap { if case .ipAddress(let bytes) = $0 { Self.ipText(Array(bytes.bytes)) } else { nil } }
  }

  var keyUsage: [String] {
    guard let usage = try? certificate.extensions.keyUsage else { return [] }
    let names: [(Bool, String)] = [
      (usage.digitalSignature, "digitalSignature"), (usage.nonRepudiation, "nonRepudiation"), (usage.keyEncipherment, "keyEncipherment"),
      (usage.dataEncipherment, "dataEncipherment"), (usage.keyAgreement, "keyAgreement"), (usage.keyCertSign, "keyCertSign"),
      (usage.cRLSign, "cRLSign"), (usage.encipherOnly, "encipherOnly"), (usage.decipherOnly, "decipherOnly"),
    ]
    return names.filter(\.0).map(\.1)
  }

  var extendedKeyUsage: [String] {
    guard let usages = try? certificate.extensions.extendedKeyUsage else { return [] }
    return usages.map { usage in
      switch usage {
      case .serverAuth: "serverAuth"
      case .clientAuth: "clientAuth"
      case .codeSigning: "codeSigning"
      case .emailProtection: "emailProtection"
      case .timeStamping: "timeStamping"
      case .ocspSigning: "ocspSigning"
      default: String(describing: usage)
      }
    }
  }

  var serial: String {
    certificate.serialNumber.bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  }

  func secondsRemaining(at now: Date) -> Int64 {
    Int64(certificate.notValidAfter.timeIntervalSince(now).rounded(.down))
  }

  /// Whole days left; negative once expired.
  func daysRemaining(at now: Date) -> Int64 {
    Self.daysRemaining(until: certificate.notValidAfter, at: now)
  }

  /// Whole days from `now` until `expiry`, rounded down; negative once it has passed.
  static func daysRemaining(until expiry: Date, at now: Date) -> Int64 {
    Int64((expiry.timeIntervalSince(now) / 86_400).rounded(.down))
  }

  /// Whether `authority` signed this certificate: its issuer is the CA's subject and the CA's
  /// key verifies the signature (whatever the dates).
  func isIssued(by authority: Certificate) -> Bool {
    certificate.issuer == authority.subject && authority.publicKey.isValidSignature(certificate.signature, for: certificate)
  }

  func outputs(at now: Date) -> [String: Value] {
    [
      "subject": .string(certificate.subject.description),
      "common_name": .string(commonName),
      "organizations": .list(organizations.map(Value.string)),
      "issuer": .string(certificate.issuer.description),
      "serial": .string(serial),
      "dns_names": .list(dnsNames.map(Value.string)),
      "ip_addresses": .list(ipAddresses.map(Value.string)),
      "key_type": .string(algorithm.type),
      "key_bits": .int(Int64(algorithm.bits)),
      "key_usage": .list(keyUsage.map(Value.string)),
      "extended_key_usage": .list(extendedKeyUsage.map(Value.string)),
      "is_ca": .bool(isCA),
      "not_before": .string(Self.timestamp(certificate.notValidBefore)),
      "not_after": .string(Self.timestamp(certificate.notValidAfter)),
      "seconds_remaining": .int(secondsRemaining(at: now)),
      "days_remaining": .int(daysRemaining(at: now)),
      "expired": .bool(certificate.notValidAfter <= now),
    ]
  }

  private var sans: [GeneralName] {
    (try? certificate.extensions.subjectAlternativeNames).map { Array($0) } ?? []
  }

  /// RFC 3339 in UTC, to the second.
  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }

  private static func text(of attribute: RelativeDistinguishedName.Attribute) -> String {
    String(describing: attribute.value)
  }

  private static func ipText(_ bytes: [UInt8]) -> String {
    if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
    var address = in6_addr()
    withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes.prefix(16)) }
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
