import Foundation
import RunbookActions
import RunbookKit
import RunbookTestSupport
import XCTest

/// The x509 actions on a kubeadm tree made by openssl, checked with openssl.
final class X509ActionTests: XCTestCase {
  func testInspectReportsNamesUsagesExpiryChainAndKeyMatch() async throws {
    let scratch = try ScratchDirectory("x509-inspect")
    let tree = try KubeadmTree(in: scratch.path, validity: ["apiserver": .expired])
    let run = try await ActionHarness.run(X509InspectAction.self, ["path": .string(tree.pkiDirectory + "/apiserver.crt"), "ca": .string(tree.pkiDirectory + "/ca.crt")])
    guard case .list(let certificates)? = run.outputs["certificates"], case .map(let apiserver)? = certificates.first else {
      return XCTFail("no certificate: \(run.outputs)")
    }
    XCTAssertEqual(apiserver["common_name"], .string("kube-apiserver"))
    XCTAssertEqual(apiserver["dns_names"], .list(["cp1", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"].map(Value.string)))
    XCTAssertEqual(apiserver["ip_addresses"], .list(["10.96.0.1", KubeadmTree.nodeIP].map(Value.string)))
    XCTAssertEqual(apiserver["key_type"], .string("RSA"))
    XCTAssertEqual(apiserver["key_bits"], .int(2048))
    XCTAssertEqual(apiserver["key_usage"], .list(["digitalSignature", "keyEncipherment"].map(Value.string)))
    XCTAssertEqual(apiserver["extended_key_usage"], .list([.string("serverAuth")]))
    XCTAssertEqual(apiserver["is_ca"], .bool(false))
    XCTAssertEqual(apiserver["expired"], .bool(true))
    XCTAssertEqual(apiserver["chains_to_ca"], .bool(true))
    XCTAssertEqual(apiserver["key_matches"], .bool(true))
    let serial = try OpenSSL.run(["x509", "-noout", "-serial", "-in", tree.pkiDirectory + "/apiserver.crt"])
    XCTAssertEqual(apiserver["serial"].map { "serial=" + $0.plainText.uppercased() + "\n" }, serial)
    let enddate = try OpenSSL.run(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in", tree.pkiDirectory + "/apiserver.crt"])
    XCTAssertEqual(apiserver["not_after"].map { "notAfter=" + $0.plainText.replacingOccurrences(of: "T", with: " ") + "\n" }, enddate)

    let wrongCA = try await ActionHarness.run(X509InspectAction.self, ["path": .string(tree.pkiDirectory + "/etcd"), "ca": .string(tree.pkiDirectory + "/ca.crt")])
    guard case .list(let etcd)? = wrongCA.outputs["certificates"] else { return XCTFail("\(wrongCA.outputs)") }
    XCTAssertEqual(etcd.count, 4, "etcd/ca and three leaves")
    XCTAssertTrue(etcd.allSatisfy { $0["chains_to_ca"] == .bool(false) }, "nothing under etcd/ is signed by the cluster CA")
    XCTAssertEqual(etcd.filter { $0["is_ca"] == .bool(true) }.count, 1)
  }
}

extension X509ActionTests {
  func testRenewReissuesALeafFromItsCAKeepingNamesAndUsagesAndNeverTouchesACA() async throws {
    let scratch = try ScratchDirectory("x509-renew")
    let tree = try KubeadmTree(in: scratch.path, validity: ["etcd/server": .expired])
    let pki = tree.pkiDirectory
    let before = try tree.snapshot()
    let oldText = try OpenSSL.run(["x509", "-noout", "-text", "-in", pki + "/etcd/server.crt"])
    let run = try await ActionHarness.run(
      X509RenewAction.self,
      ["cert": .string(pki + "/etcd/server.crt"), "ca_cert": .string(pki + "/etcd/ca.crt"), "validity": .string("720h"), "backup_dir": .string(scratch.path + "/backup")])

    XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", pki + "/etcd/ca.crt", pki + "/etcd/server.crt"]), pki + "/etcd/server.crt: OK\n")
    let newText = try OpenSSL.run(["x509", "-noout", "-text", "-in", pki + "/etcd/server.crt"])
    for section in ["Subject:", "X509v3 Subject Alternative Name", "X509v3 Key Usage", "X509v3 Extended Key Usage", "X509v3 Basic Constraints", "Public-Key:"] {
      XCTAssertEqual(Self.section(section, of: newText), Self.section(section, of: oldText), section)
    }
    XCTAssertNotEqual(Self.section("Modulus:", of: newText), Self.section("Modulus:", of: oldText), "a new key")
    let checkend = { (seconds: Int) in try? OpenSSL.run(["x509", "-noout", "-checkend", String(seconds), "-in", pki + "/etcd/server.crt"]) }
    XCTAssertNotNil(checkend(29 * 86_400), "valid for the new period")
    XCTAssertNil(checkend(31 * 86_400), "and not longer than asked")
    let keyModulus = try OpenSSL.run(["rsa", "-noout", "-modulus", "-in", pki + "/etcd/server.key"])
    XCTAssertEqual(keyModulus, try OpenSSL.run(["x509", "-noout", "-modulus", "-in", pki + "/etcd/server.crt"]), "the key matches")
    XCTAssertTrue(try String(contentsOfFile: pki + "/etcd/server.key", encoding: .utf8).hasPrefix("-----BEGIN RSA PRIVATE KEY-----"), "written as it was read (PKCS#1)")
    XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: pki + "/etcd/server.key")[.posixPermissions] as? Int, 0o600)

    let after = try tree.snapshot()
    XCTAssertEqual(Set(after.filter { before[$0.key] != $0.value }.keys), ["kubernetes/pki/etcd/server.crt", "kubernetes/pki/etcd/server.key"], "nothing else changed")
    let backups = run.outputs["backups"]?.items.map(\.plainText) ?? []
    XCTAssertEqual(backups.count, 2)
    XCTAssertEqual(backups.compactMap { FileManager.default.contents(atPath: $0) }, [before["kubernetes/pki/etcd/server.crt"], before["kubernetes/pki/etcd/server.key"]])

    let refusals: [(String, [String: Value])] = [
      ("it is a CA certificate", ["cert": .string(pki + "/front-proxy-ca.crt"), "ca_cert": .string(pki + "/front-proxy-ca.crt")]),
      ("it was issued by", ["cert": .string(pki + "/apiserver.crt"), "ca_cert": .string(pki + "/etcd/ca.crt")]),
      ("it is not the key of the CA certificate", ["cert": .string(pki + "/apiserver.crt"), "ca_cert": .string(pki + "/ca.crt"), "ca_key": .string(pki + "/etcd/ca.key")]),
    ]
    for (reason, inputs) in refusals {
      do {
        _ = try await ActionHarness.run(X509RenewAction.self, inputs.merging(["backup_dir": .string(scratch.path + "/backup")]) { $1 })
        XCTFail("renewed despite: \(reason)")
      } catch let error as ActionError {
        XCTAssertTrue(error.message.contains(reason), error.message)
      }
    }
    XCTAssertEqual(try tree.snapshot().filter { after[$0.key] != $0.value }.count, 0, "a refusal writes nothing")
  }

  func testKubeconfigRenewalRewritesOnlyTheClientCertificateFields() async throws {
    let scratch = try ScratchDirectory("kubeconfig-renew")
    let tree = try KubeadmTree(in: scratch.path, validity: ["admin.conf": .expired, "kubelet.conf": .expired])
    let admin = tree.kubernetesDirectory + "/admin.conf"
    let oldText = try String(contentsOfFile: admin, encoding: .utf8)
    let run = try await ActionHarness.run(
      KubeconfigRenewClientCertAction.self,
      ["kubeconfig": .string(admin), "ca_cert": .string(tree.pkiDirectory + "/ca.crt"), "backup_dir": .string(scratch.path + "/backup")])
    XCTAssertEqual(run.outputs["users"], .list([.string("kubernetes-admin")]))
    let newText = try String(contentsOfFile: admin, encoding: .utf8)
    let masked = { (text: String) in
      text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.contains("client-certificate-data:") || line.contains("client-key-data:") ? String(line.prefix { $0 != ":" }) : String(line)
      }
    }
    XCTAssertEqual(masked(newText), masked(oldText), "every byte but the two values kept")
    XCTAssertNotEqual(newText, oldText)
    let certificate = try Self.embedded("client-certificate-data", in: newText, at: scratch.path + "/admin.crt")
    XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", tree.pkiDirectory + "/ca.crt", certificate]), certificate + ": OK\n")
    XCTAssertEqual(try OpenSSL.run(["x509", "-noout", "-subject", "-nameopt", "compat", "-in", certificate]), "subject=/O=kubeadm:cluster-admins/CN=kubernetes-admin\n")
    let key = try Self.embedded("client-key-data", in: newText, at: scratch.path + "/admin.key")
    XCTAssertEqual(try OpenSSL.run(["rsa", "-noout", "-modulus", "-in", key]), try OpenSSL.run(["x509", "-noout", "-modulus", "-in", certificate]))
    XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: admin)[.posixPermissions] as? Int, 0o600)

    let kubelet = try await ActionHarness.run(
      KubeconfigRenewClientCertAction.self,
      ["kubeconfig": .string(tree.kubernetesDirectory + "/kubelet.conf"), "ca_cert": .string(tree.pkiDirectory + "/ca.crt"), "backup_dir": .string(scratch.path + "/backup")])
    let current = tree.kubeletPKIDirectory + "/kubelet-client-current.pem"
    XCTAssertEqual(kubelet.outputs["written"], .list([.string(current)]), "kubelet.conf itself is not rewritten")
    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: current), tree.kubeletPKIDirectory + "/kubelet-client-2025-01-01-00-00-00.pem", "the symlink still points where it did")
    XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", tree.pkiDirectory + "/ca.crt", current]), current + ": OK\n")
    XCTAssertEqual(try OpenSSL.run(["rsa", "-noout", "-modulus", "-in", current]), try OpenSSL.run(["x509", "-noout", "-modulus", "-in", current]), "one file, a matching pair")
    XCTAssertNotNil(try? OpenSSL.run(["x509", "-noout", "-checkend", "86400", "-in", current]))
  }

  /// The lines of `text` from the one containing `marker` up to the next line indented less deeply.
  static func section(_ marker: String, of text: String) -> String {
    let lines = text.split(separator: "\n")
    guard let start = lines.firstIndex(where: { $0.contains(marker) }) else { return "" }
    let depth = lines[start].prefix { $0 == " " }.count
    let rest = lines[(start + 1)...].prefix { $0.prefix { $0 == " " }.count > depth }
    return ([lines[start]] + rest).joined(separator: "\n")
  }

  /// Decodes a kubeconfig's base64 field into a file for openssl.
  static func embedded(_ field: String, in text: String, at path: String) throws -> String {
    let line = try XCTUnwrap(text.split(separator: "\n").first { $0.contains(field + ":") })
    let data = try XCTUnwrap(Data(base64Encoded: String(line.split(separator: " ").last ?? "")))
    try data.write(to: URL(fileURLWithPath: path))
    return path
  }
}

extension X509ActionTests {
  func testPKICheckTablesEveryCertificateWithItsCAAndStatus() async throws {
    let scratch = try ScratchDirectory("pki-check")
    let tree = try KubeadmTree(in: scratch.path, validity: ["apiserver": .expired, "scheduler.conf": .expired, "etcd/peer": .expiring, "kubelet.conf": .expiring])
    try FileManager.default.removeItem(atPath: tree.pkiDirectory + "/front-proxy-client.crt")
    let run = try await ActionHarness.run(PKICheckAction.self, ["pki_dir": .string(tree.pkiDirectory), "kubeconfig_dir": .string(tree.kubernetesDirectory)])
    XCTAssertEqual(run.outputs["expired"], .list(["apiserver", "scheduler.conf"].map(Value.string)))
    XCTAssertEqual(run.outputs["expiring"], .list(["etcd-peer", "kubelet.conf"].map(Value.string)))
    XCTAssertEqual(run.outputs["missing"], .list([.string("front-proxy-client")]))
    XCTAssertEqual(run.outputs["unsigned"], .list([]))
    XCTAssertEqual(
      Set(run.outputs["ok"]?.items.map(\.plainText) ?? []),
      ["apiserver-etcd-client", "apiserver-kubelet-client", "etcd-healthcheck-client", "etcd-server", "admin.conf", "controller-manager.conf", "super-admin.conf", "ca", "etcd-ca", "front-proxy-ca"])
    let due = run.outputs["due"]?.items ?? []
    XCTAssertEqual(due.map { $0["name"]?.plainText ?? "" }, ["apiserver", "etcd-peer", "kubelet.conf", "scheduler.conf"])
    XCTAssertEqual(due.first?["ca_cert"], .string(tree.pkiDirectory + "/ca.crt"))
    XCTAssertEqual(due.first?["ca_key"], .string(tree.pkiDirectory + "/ca.key"))
    XCTAssertEqual(due[1]["ca"], .string("etcd-ca"))
    XCTAssertEqual(due[2]["kind"], .string("kubeconfig"))
    XCTAssertEqual(run.outputs["cas"]?.items.map { $0["name"]?.plainText ?? "" }, ["ca", "etcd-ca", "front-proxy-ca"])
    XCTAssertEqual(run.outputs["ca_problems"], .list([]))
    let fingerprints = try XCTUnwrap(run.outputs["ca_fingerprints"])
    let caSum = try XCTUnwrap(try OpenSSL.run(["dgst", "-sha256", "-r", tree.pkiDirectory + "/etcd/ca.key"]).split(separator: " ").first)
    XCTAssertEqual(fingerprints[tree.pkiDirectory + "/etcd/ca.key"], .string(String(caSum)))
    XCTAssertEqual(fingerprints[tree.pkiDirectory + "/sa.pub"].map { _ in true }, true)
    guard case .map(let sums) = fingerprints else { return XCTFail("\(fingerprints)") }
    XCTAssertEqual(sums.count, 8, "three CAs with their keys, and the sa pair")

    try FileManager.default.copyItem(atPath: tree.pkiDirectory + "/ca.key", toPath: tree.pkiDirectory + "/wrong.key")
    try FileManager.default.removeItem(atPath: tree.pkiDirectory + "/front-proxy-ca.key")
    try FileManager.default.removeItem(atPath: tree.pkiDirectory + "/etcd/ca.key")
    try FileManager.default.copyItem(atPath: tree.pkiDirectory + "/wrong.key", toPath: tree.pkiDirectory + "/etcd/ca.key")
    let broken = try await ActionHarness.run(PKICheckAction.self, ["pki_dir": .string(tree.pkiDirectory), "kubeconfig_dir": .string("")])
    XCTAssertEqual(
      broken.outputs["ca_problems"],
      .list([.string("etcd-ca: \(tree.pkiDirectory)/etcd/ca.key is not its key"), .string("front-proxy-ca: its key \(tree.pkiDirectory)/front-proxy-ca.key is missing")]))
    XCTAssertEqual(run.lines.first?.split(separator: " ", omittingEmptySubsequences: true).first, "CERTIFICATE")
    XCTAssertTrue(run.lines.contains { $0.hasPrefix("apiserver ") && $0.contains("<invalid>") && $0.hasSuffix("expired") }, run.lines.joined(separator: "\n"))
    XCTAssertTrue(run.lines.contains { $0.hasPrefix("!MISSING! front-proxy-client") }, run.lines.joined(separator: "\n"))
    XCTAssertTrue(run.lines.contains { $0.hasPrefix("ca ") && $0.contains("9y") }, run.lines.joined(separator: "\n"))
  }
}

extension X509ActionTests {
  /// kubespray keeps the cluster PKI in /etc/kubernetes/ssl and etcd's as NAME.pem and
  /// NAME-key.pem in /etc/ssl/etcd/ssl.
  func testAKubesprayLayoutIsCheckedAndRenewedByItsNaming() async throws {
    let scratch = try ScratchDirectory("kubespray")
    let tree = try KubeadmTree(in: scratch.path + "/kubeadm", validity: ["etcd/server": .expired])
    let ssl = scratch.path + "/kubernetes/ssl"
    let etcd = scratch.path + "/etcd/ssl"
    try FileManager.default.createDirectory(atPath: AtomicFile.directoryOf(ssl), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: etcd, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: tree.pkiDirectory, toPath: ssl)
    try FileManager.default.removeItem(atPath: ssl + "/etcd")
    let copies = ["etcd/ca.crt": "ca.pem", "etcd/ca.key": "ca-key.pem", "etcd/server.crt": "member-cp1.pem", "etcd/server.key": "member-cp1-key.pem"]
    for (from, to) in copies { try FileManager.default.copyItem(atPath: tree.pkiDirectory + "/" + from, toPath: etcd + "/" + to) }

    let check = try await ActionHarness.run(PKICheckAction.self, ["pki_dir": .string(ssl), "etcd_pki_dir": .string(etcd), "kubeconfig_dir": .string("")])
    XCTAssertEqual(check.outputs["expired"], .list([.string("etcd-member-cp1")]))
    XCTAssertEqual(check.outputs["missing"], .list([]), "kubeadm's etcd names are not expected of kubespray")
    XCTAssertEqual(check.outputs["unsigned"], .list([]))
    XCTAssertEqual(check.outputs["ca_problems"], .list([]))
    let due = try XCTUnwrap(check.outputs["due"]?.items.first)
    XCTAssertEqual(due["ca_cert"], .string(etcd + "/ca.pem"))
    XCTAssertEqual(due["ca_key"], .string(etcd + "/ca-key.pem"))
    XCTAssertEqual(due["key"], .string(etcd + "/member-cp1-key.pem"))

    _ = try await ActionHarness.run(
      X509RenewAction.self, ["cert": .string(etcd + "/member-cp1.pem"), "ca_cert": .string(etcd + "/ca.pem"), "backup_dir": .string(scratch.path + "/backup")])
    XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", etcd + "/ca.pem", etcd + "/member-cp1.pem"]), etcd + "/member-cp1.pem: OK\n")
    XCTAssertEqual(try OpenSSL.run(["rsa", "-noout", "-modulus", "-in", etcd + "/member-cp1-key.pem"]), try OpenSSL.run(["x509", "-noout", "-modulus", "-in", etcd + "/member-cp1.pem"]))
    let again = try await ActionHarness.run(PKICheckAction.self, ["pki_dir": .string(ssl), "etcd_pki_dir": .string(etcd), "kubeconfig_dir": .string("")])
    XCTAssertEqual(again.outputs["expired"], .list([]))
  }
}

extension X509ActionTests {
  /// An ECDSA leaf (kubeadm's `encryptionAlgorithm: ECDSA-P256`) gets a new P-256 key, written
  /// as SEC 1 `EC PRIVATE KEY` as it was, which openssl reads back.
  func testAnECDSALeafIsRenewedWithAKeyOfTheSameCurveAndEncoding() async throws {
    let scratch = try ScratchDirectory("x509-ecdsa")
    let dir = scratch.path
    try OpenSSL.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir + "/ca.key"])
    try OpenSSL.run([
      "req", "-x509", "-new", "-key", dir + "/ca.key", "-out", dir + "/ca.crt", "-days", "30", "-subj", "/CN=ec-ca",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
    ])
    try OpenSSL.run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir + "/leaf.key"])
    try OpenSSL.run(["req", "-new", "-key", dir + "/leaf.key", "-out", dir + "/leaf.csr", "-subj", "/O=system:nodes/CN=system:node:cp1"])
    _ = try scratch.write("leaf.ext", "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
    try OpenSSL.run([
      "x509", "-req", "-in", dir + "/leaf.csr", "-CA", dir + "/ca.crt", "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out", dir + "/leaf.crt",
      "-days", "1", "-extfile", dir + "/leaf.ext",
    ])
    XCTAssertTrue(scratch.read("leaf.key").hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
    let oldKey = scratch.read("leaf.key")

    _ = try await ActionHarness.run(X509RenewAction.self, ["cert": .string(dir + "/leaf.crt"), "ca_cert": .string(dir + "/ca.crt"), "backup_dir": .string(dir + "/backup")])
    XCTAssertTrue(scratch.read("leaf.key").hasPrefix("-----BEGIN EC PRIVATE KEY-----"), scratch.read("leaf.key"))
    XCTAssertNotEqual(scratch.read("leaf.key"), oldKey)
    let publicFromKey = try OpenSSL.run(["ec", "-in", dir + "/leaf.key", "-pubout"])
    let publicFromCertificate = try OpenSSL.run(["x509", "-in", dir + "/leaf.crt", "-noout", "-pubkey"])
    XCTAssertEqual(publicFromKey, publicFromCertificate, "the new SEC 1 key is the certificate's")
    XCTAssertTrue(try OpenSSL.run(["ec", "-in", dir + "/leaf.key", "-noout", "-text"]).contains("ASN1 OID: prime256v1"))
    XCTAssertEqual(try OpenSSL.run(["verify", "-CAfile", dir + "/ca.crt", dir + "/leaf.crt"]), dir + "/leaf.crt: OK\n")
    let text = try OpenSSL.run(["x509", "-noout", "-text", "-in", dir + "/leaf.crt"])
    XCTAssertTrue(text.contains("Signature Algorithm: ecdsa-with-SHA256"), text)
    XCTAssertTrue(text.contains("TLS Web Client Authentication"), text)
    XCTAssertNotNil(try? OpenSSL.run(["x509", "-noout", "-checkend", String(20 * 86_400), "-in", dir + "/leaf.crt"]), "valid for the year asked, capped at the CA's 30 days")
    XCTAssertNil(try? OpenSSL.run(["x509", "-noout", "-checkend", String(31 * 86_400), "-in", dir + "/leaf.crt"]), "never beyond the CA")
  }
}
