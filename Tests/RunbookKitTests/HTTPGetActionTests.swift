import Foundation
import RunbookActions
import RunbookKit
import RunbookTestSupport
import XCTest

/// http.get against a real TLS server (`openssl s_server -WWW`) that asks for a client
/// certificate and serves a kubeadm API server certificate, which names `kubernetes`, not 127.0.0.1.
final class HTTPGetActionTests: XCTestCase {
  func testGetsStatusBodyAndServerCertificateExpiryWithAClientCertificate() async throws {
    let scratch = try ScratchDirectory("http-get")
    let tree = try KubeadmTree(in: scratch.path)
    let pki = tree.pkiDirectory
    try "ok".write(toFile: scratch.path + "/readyz", atomically: true, encoding: .utf8)
    let port = try EtcdCluster.freePort(on: "127.0.0.1")
    let server = try OpenSSL.startServer(
      in: scratch.path, port: port, certificate: pki + "/apiserver.crt", key: pki + "/apiserver.key", clientCA: pki + "/ca.crt")
    defer { server.terminate() }
    let client: [String: Value] = [
      "ca": .string(pki + "/ca.crt"), "cert": .string(pki + "/apiserver-kubelet-client.crt"), "key": .string(pki + "/apiserver-kubelet-client.key"),
      "server_name": .string("kubernetes"),
    ]
    var ready: ActionHarness.Run?
    for _ in 0..<50 where ready == nil {
      ready = try? await ActionHarness.run(HTTPGetAction.self, client.merging(["url": .string("https://127.0.0.1:\(port)/readyz")]) { $1 })
      if ready == nil { try await Task.sleep(for: .milliseconds(100)) }
    }
    let run = try XCTUnwrap(ready, "the server never answered")
    XCTAssertEqual(run.outputs["status"], .int(200))
    XCTAssertEqual(run.outputs["body"], .string("ok"))
    let notAfter = try OpenSSL.run(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in", pki + "/apiserver.crt"])
    XCTAssertEqual(run.outputs["peer_not_after"].map { "notAfter=" + $0.plainText.replacingOccurrences(of: "T", with: " ") + "\n" }, notAfter)
    XCTAssertEqual(run.outputs["peer_days_remaining"], .int(364))

    let failures: [(String, [String: Value])] = [
      ("CERTIFICATE_VERIFY_FAILED", client.merging(["url": .string("https://127.0.0.1:\(port)/readyz"), "ca": .string(pki + "/front-proxy-ca.crt")]) { $1 }),
      ("failedToValidateHostname", client.merging(["url": .string("https://127.0.0.1:\(port)/readyz"), "server_name": .string("")]) { $1 }),
      ("CERTIFICATE_REQUIRED", ["url": .string("https://127.0.0.1:\(port)/readyz"), "ca": .string(pki + "/ca.crt"), "server_name": .string("kubernetes")]),
    ]
    for (reason, inputs) in failures {
      do {
        let unexpected = try await ActionHarness.run(HTTPGetAction.self, inputs.merging(["timeout": .string("3s")]) { $1 })
        XCTFail("succeeded: \(unexpected.outputs), expected: \(reason)")
      } catch let error as ActionError {
        XCTAssertTrue(error.message.contains(reason), error.message)
      }
    }
  }

  func testPlainHTTPStatusAndABoundedBody() async throws {
    let scratch = try ScratchDirectory("http-plain")
    try String(repeating: "x", count: 5000).write(toFile: scratch.path + "/big", atomically: true, encoding: .utf8)
    let port = try EtcdCluster.freePort(on: "127.0.0.1")
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = ["python3", "-m", "http.server", "--bind", "127.0.0.1", String(port)]
    server.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { server.terminate() }
    var big: ActionHarness.Run?
    for _ in 0..<50 where big == nil {
      big = try? await ActionHarness.run(HTTPGetAction.self, ["url": .string("http://127.0.0.1:\(port)/big"), "max_body": .int(100)])
      if big == nil { try await Task.sleep(for: .milliseconds(100)) }
    }
    XCTAssertEqual(try XCTUnwrap(big, "the server never answered").outputs["body"], .string(String(repeating: "x", count: 100)))
    XCTAssertEqual(big?.outputs["peer_not_after"], .null, "no TLS, no certificate")
    do {
      _ = try await ActionHarness.run(HTTPGetAction.self, ["url": .string("http://127.0.0.1:\(port)/missing")])
      XCTFail("a 404 passed")
    } catch let error as ActionError {
      XCTAssertTrue(error.message.contains("answered 404, not 200"), error.message)
      XCTAssertEqual(error.outputs["status"], .int(404))
    }
    let any = try await ActionHarness.run(HTTPGetAction.self, ["url": .string("http://127.0.0.1:\(port)/missing"), "expect_status": .int(0)])
    XCTAssertEqual(any.outputs["status"], .int(404))
  }
}
