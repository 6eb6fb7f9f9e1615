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
