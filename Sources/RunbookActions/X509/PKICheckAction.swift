import Foundation
import RunbookKit
import X509

/// The expiry of every certificate of a kubeadm or kubespray control plane, kubeconfig client
/// certificates included, as the table `kubeadm certs check-expiration` prints.
public struct PKICheckAction: Action {
  public static let name = "pki.check"
  public static let summary = "Check the expiry of a kubeadm or kubespray PKI tree and its kubeconfigs, as kubeadm certs check-expiration"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let volatileFields: Set<String> = CertificateFacts.volatileFields
  public static let inputs = [
    InputSpec("pki_dir", .path, default: .string("/etc/kubernetes/pki"), "The PKI directory (kubespray: /etc/kubernetes/ssl)"),
    InputSpec("etcd_pki_dir", .path, default: .string(""), "etcd's certificates when outside pki_dir (kubespray: /etc/ssl/etcd/ssl); pki_dir/etcd is read as part of pki_dir"),
    InputSpec("kubeconfig_dir", .path, default: .string("/etc/kubernetes"), "Where the *.conf kubeconfigs are (empty: none)"),
    InputSpec("warn_days", .int, default: .int(30), "A certificate expiring within this many days is 'expiring'"),
  ]
  public static let outputs = [
    OutputSpec(
      "certificates", "list",
      "Each leaf certificate and kubeconfig client certificate: name, kind (certificate|kubeconfig), path, key, user, ca, ca_cert, ca_key, not_after, days_remaining, status (ok|expiring|expired)"),
    OutputSpec("cas", "list", "Each CA: name, path, key, key_present, not_after, days_remaining, status"),
    OutputSpec("expired", "list", "Names of the expired certificates, CAs included"),
    OutputSpec("expiring", "list", "Names of those expiring within warn_days"),
    OutputSpec("ok", "list", "Names of the others"),
    OutputSpec("missing", "list", "Names a kubeadm tree should hold and does not"),
    OutputSpec("due", "list", "The leaf and kubeconfig entries of `certificates` that are expired or expiring"),
    OutputSpec("unsigned", "list", "Names of leaves that none of the tree's CAs signed"),
    OutputSpec("unreadable", "list", "Files that look like certificates and do not parse, with why"),
    OutputSpec("ca_problems", "list", "Why a CA cannot sign: missing, expired, its key missing or not its key (empty when every CA can)"),
    OutputSpec("ca_fingerprints", "map", "sha256 of every CA certificate and key and of sa.key and sa.pub, by path: compare before and after to prove none changed"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let kubeconfigs = input.text("kubeconfig_dir").flatMap { $0.isEmpty ? nil : " and the kubeconfigs in \($0)" } ?? ""
    return ActionPreview("read every certificate under \(input.text("pki_dir") ?? "")\(kubeconfigs); warn within \(input.text("warn_days") ?? "30") days")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let pkiDirectory = try FileInputs.path(input, "pki_dir")
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: pkiDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw ActionError(.failed, "cannot check \(pkiDirectory): no such directory")
    }
    guard case .int(let warnDays)? = input["warn_days"] ?? .int(30), warnDays >= 0 else {
      throw ActionError(.invalidInput, "warn_days must be a whole number of days, 0 or more")
    }
    let etcdDirectory = input.text("etcd_pki_dir").flatMap { $0.isEmpty ? nil : $0 }
      ?? (FileInputs.status(pkiDirectory + "/etcd") != nil ? pkiDirectory + "/etcd" : nil)
    let inventory = PKIInventory(
      pkiDirectory: pkiDirectory, etcdDirectory: etcdDirectory == pkiDirectory + "/etcd" ? nil : etcdDirectory,
      kubeconfigDirectory: input.text("kubeconfig_dir").flatMap { $0.isEmpty ? nil : $0 }, expectEtcd: etcdDirectory == pkiDirectory + "/etcd")
    let now = Date()
    let warning = Double(warnDays) * 86_400
    let status = { (certificate: Certificate) -> String in
      let left = certificate.notValidAfter.timeIntervalSince(now)
      if left <= 0 { return "expired" }
      return left < warning ? "expiring" : "ok"
    }
    var byStatus: [String: [Value]] = ["expired": [], "expiring": [], "ok": []]
    var certificates: [Value] = []
    var due: [Value] = []
    for entry in inventory.leaves {
      let state = status(entry.certificate)
      byStatus[state, default: []].append(.string(entry.name))
      let row = Value.map([
        "name": .string(entry.name), "kind": .string(entry.kind.rawValue), "path": .string(entry.path), "key": .string(entry.keyPath),
        "user": entry.user.map(Value.string) ?? .null, "ca": .string(entry.authority?.name ?? ""),
        "ca_cert": .string(entry.authority?.certificatePath ?? ""), "ca_key": .string(entry.authority?.keyPath ?? ""),
        "not_after": .string(CertificateFacts.timestamp(entry.certificate.notValidAfter)),
        "days_remaining": .int(CertificateFacts.daysRemaining(until: entry.certificate.notValidAfter, at: now)), "status": .string(state),
      ])
      certificates.append(row)
      if state != "ok" { due.append(row) }
    }
    var cas: [Value] = []
    for entry in inventory.cas {
      let state = status(entry.certificate)
      byStatus[state, default: []].append(.string(entry.name))
      cas.append(.map([
        "name": .string(entry.name), "path": .string(entry.path), "key": .string(entry.keyPath), "key_present": .bool(FileInputs.status(entry.keyPath) != nil),
        "not_after": .string(CertificateFacts.timestamp(entry.certificate.notValidAfter)),
        "days_remaining": .int(CertificateFacts.daysRemaining(until: entry.certificate.notValidAfter, at: now)), "status": .string(state),
      ]))
    }
    let missingCAs = inventory.missing.filter { $0.hasSuffix("-ca") || $0 == "ca" }
    var caProblems = missingCAs.map { Value.string("\($0): missing") }
    var fingerprints: [String: Value] = [:]
    for entry in inventory.cas {
      if entry.certificate.notValidAfter <= now { caProblems.append(.string("\(entry.name): expired on \(CertificateFacts.timestamp(entry.certificate.notValidAfter))")) }
      if FileInputs.status(entry.keyPath) == nil {
        caProblems.append(.string("\(entry.name): its key \(entry.keyPath) is missing"))
      } else if (try? PEMFile(path: entry.keyPath).key().key.publicKey) != entry.certificate.publicKey {
        caProblems.append(.string("\(entry.name): \(entry.keyPath) is not its key"))
      }
    }
    let trusted = inventory.cas.flatMap { [$0.path, $0.keyPath] } + [pkiDirectory + "/sa.key", pkiDirectory + "/sa.pub"]
    for path in trusted where FileInputs.status(path) != nil {
      fingerprints[path] = .string(try FileInputs.sha256(ofFile: path))
    }
    let table = ExpiryTable(
      leaves: inventory.leaves.map { .init(name: $0.name, notAfter: $0.certificate.notValidAfter, authority: $0.authority?.name ?? "(none of these)", status: status($0.certificate)) }
        + inventory.missing.filter { !missingCAs.contains($0) }.map { .init(name: $0, notAfter: nil, authority: "", status: "missing") },
      cas: inventory.cas.map { .init(name: $0.name, notAfter: $0.certificate.notValidAfter, authority: "", status: status($0.certificate)) }
        + missingCAs.map { .init(name: $0, notAfter: nil, authority: "", status: "missing") },
      now: now)
    for line in table.lines() { context.output(OutputLine(.stdout, line)) }
    for file in inventory.unreadable { context.output(OutputLine(.stderr, "unreadable: \(file.path): \(file.reason)")) }
    return ActionResult([
      "certificates": .list(certificates), "cas": .list(cas), "expired": .list(byStatus["expired"]!), "expiring": .list(byStatus["expiring"]!),
      "ok": .list(byStatus["ok"]!), "missing": .list(inventory.missing.map(Value.string)), "due": .list(due),
      "unsigned": .list(inventory.leaves.filter { $0.authority == nil }.map { .string($0.name) }),
      "unreadable": .list(inventory.unreadable.map { .string("\($0.path): \($0.reason)") }),
      "ca_problems": .list(caProblems), "ca_fingerprints": .map(fingerprints),
    ])
  }
}
