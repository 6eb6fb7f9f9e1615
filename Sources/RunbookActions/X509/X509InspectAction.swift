import Foundation
import RunbookKit
import X509

/// Reads certificates from a PEM file or every PEM certificate file in a directory tree, and
/// reports what each one is, how long it lasts, and — given a CA — whether it chains to it.
public struct X509InspectAction: Action {
  public static let name = "x509.inspect"
  public static let summary = "Read certificates from a PEM file or a directory: names, keys, usages, expiry, chain and key match"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let volatileFields: Set<String> = CertificateFacts.volatileFields.union(["min_days_remaining"])
  public static let inputs = [
    InputSpec("path", .path, required: true, "A PEM file, or a directory searched recursively for certificate files"),
    InputSpec("ca", .path, "A CA certificate: each certificate is checked to be signed by it"),
    InputSpec("key", .path, "The private key of a single certificate file (default: NAME.key beside NAME.crt, NAME-key.pem beside NAME.pem)"),
  ]
  public static let outputs = [
    OutputSpec(
      "certificates", "list",
      "Each: path, subject, common_name, organizations, issuer, serial, dns_names, ip_addresses, key_type, key_bits, key_usage, extended_key_usage, is_ca, not_before, not_after, seconds_remaining, days_remaining, expired, chains_to_ca (null without ca), key_matches (null without a key file)"
    ),
    OutputSpec("count", "int", "How many certificates"),
    OutputSpec("expired", "list", "Paths of the expired ones"),
    OutputSpec("key_mismatches", "list", "Paths of the certificates whose private key (beside it, or given) is not their key"),
    OutputSpec("unchained", "list", "Paths of the certificates ca did not sign (empty without ca)"),
    OutputSpec("min_days_remaining", "int", "Days left on the one that expires first (negative once expired)"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let ca = input.text("ca").flatMap { $0.isEmpty ? nil : " and check they chain to \($0)" } ?? ""
    return ActionPreview("read the certificates in \(input.text("path") ?? "")\(ca)")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let path = try FileInputs.path(input, "path")
    let authority = try input.text("ca").flatMap { $0.isEmpty ? nil : $0 }.map { try PEMFile(path: $0).leaf() }
    let now = Date()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw ActionError(.failed, "cannot inspect \(path): no such file or directory")
    }
    let files = isDirectory.boolValue ? Self.certificateFiles(under: path) : [path]
    var certificates: [Value] = []
    var expired: [Value] = []
    var mismatches: [Value] = []
    var unchained: [Value] = []
    var soonest: Int64?
    for file in files {
      let pem = try PEMFile(path: file)
      let keyPath = isDirectory.boolValue ? KeyFileNaming.keyPath(forCertificate: file) : (input.text("key").flatMap { $0.isEmpty ? nil : $0 } ?? KeyFileNaming.keyPath(forCertificate: file))
      let key = pem.privateKey ?? (try? PEMFile(path: keyPath))?.privateKey
      for (index, certificate) in pem.certificates.enumerated() {
        let facts = try CertificateFacts(certificate)
        var outputs = facts.outputs(at: now)
        outputs["path"] = .string(file)
        outputs["chains_to_ca"] = authority.map { .bool(facts.isIssued(by: $0)) } ?? .null
        outputs["key_matches"] = index == 0 ? key.map { .bool($0.key.publicKey == certificate.publicKey) } ?? .null : .null
        certificates.append(.map(outputs))
        if outputs["key_matches"] == .bool(false) { mismatches.append(.string(file)) }
        if outputs["chains_to_ca"] == .bool(false) { unchained.append(.string(file)) }
        if certificate.notValidAfter <= now { expired.append(.string(file)) }
        soonest = min(soonest ?? .max, facts.daysRemaining(at: now))
        context.output(OutputLine(.stdout, Self.line(file: file, facts: facts, outputs: outputs, now: now)))
      }
    }
    return ActionResult([
      "certificates": .list(certificates), "count": .int(Int64(certificates.count)), "expired": .list(expired),
      "key_mismatches": .list(mismatches), "unchained": .list(unchained), "min_days_remaining": soonest.map(Value.int) ?? .null,
    ])
  }

  /// Every regular file under `directory` that holds a PEM certificate, sorted; keys skipped.
  static func certificateFiles(under directory: String) -> [String] {
    let entries = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
    return entries.sorted().map { directory + "/" + $0 }.filter { path in
      var info = stat()
      guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
      return !KeyFileNaming.isKeyFile(path) && PEMFile.holdsCertificate(path)
    }
  }

  private static func line(file: String, facts: CertificateFacts, outputs: [String: Value], now: Date) -> String {
    var parts = [file + ":", "CN=\(facts.commonName)", facts.isCA ? "CA" : "leaf", "\(facts.algorithm.type) \(facts.algorithm.bits)"]
    let days = facts.daysRemaining(at: now)
    parts.append(days < 0 ? "EXPIRED \(CertificateFacts.timestamp(facts.certificate.notValidAfter))" : "expires \(CertificateFacts.timestamp(facts.certificate.notValidAfter)) (\(days)d)")
    if case .bool(let chains) = outputs["chains_to_ca"] { parts.append(chains ? "chains to CA" : "NOT signed by the CA") }
    if case .bool(let matches) = outputs["key_matches"] { parts.append(matches ? "key matches" : "KEY DOES NOT MATCH") }
    return parts.joined(separator: " ")
  }
}
