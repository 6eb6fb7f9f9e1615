import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RunbookKit
import X509

/// One HTTP(S) GET, optionally with a CA to trust and a client certificate: for an API
/// server's `/readyz` and `/healthz`, and for how long its serving certificate lasts.
public struct HTTPGetAction: Action {
  public static let name = "http.get"
  public static let summary = "GET a URL (optional CA, client certificate and key); status, body and the server certificate's expiry"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let volatileFields: Set<String> = ["peer_days_remaining"]
  public static let inputs = [
    InputSpec("url", .string, required: true, "http:// or https:// URL"),
    InputSpec("ca", .path, default: .string(""), "Trust only this CA certificate (empty: the system's roots)"),
    InputSpec("cert", .path, default: .string(""), "Client certificate (empty: none)"),
    InputSpec("key", .path, default: .string(""), "Its private key"),
    InputSpec("server_name", .string, default: .string(""), "The name the server certificate must carry instead of the URL's host (an IP SAN for the connected address also passes); kubeadm's API server certificate names `kubernetes`, not 127.0.0.1"),
    InputSpec("expect_status", .int, default: .int(200), "Fail unless the status is this (0: any)"),
    InputSpec("timeout", .duration, default: .string("10s"), "Give up connecting and reading after this long"),
    InputSpec("max_body", .int, default: .int(65_536), "Keep at most this many bytes of the body"),
  ]
  public static let outputs = [
    OutputSpec("status", "int", "The HTTP status"),
    OutputSpec("body", "string", "The body, up to max_body bytes"),
    OutputSpec("peer_subject", "string", "The server certificate's subject (https only)"),
    OutputSpec("peer_not_after", "string", "Its expiry, RFC 3339 (https only)"),
    OutputSpec("peer_days_remaining", "int", "Whole days until then (https only)"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let ca = input.text("ca").flatMap { $0.isEmpty ? nil : " trusting \($0)" } ?? ""
    let cert = input.text("cert").flatMap { $0.isEmpty ? nil : " with the client certificate \($0)" } ?? ""
    return ActionPreview("GET \(input.text("url") ?? "")\(ca)\(cert)")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let text = try FileInputs.path(input, "url")
    guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else {
      throw ActionError(.invalidInput, "'\(text)' is not an http:// or https:// URL")
    }
    guard let timeout = input.duration("timeout") else { throw ActionError(.invalidInput, "timeout is missing") }
    var maxBody = 65_536
    if case .int(let limit)? = input["max_body"] { maxBody = Int(max(0, limit)) }
    let tls = scheme == "https" ? try Self.tlsContext(input) : nil
    let request = HTTPRequest(
      host: host, serverName: input.text("server_name").flatMap { $0.isEmpty ? nil : $0 }, port: url.port ?? (scheme == "https" ? 443 : 80),
      target: (url.path.isEmpty ? "/" : url.path) + (url.query.map { "?" + $0 } ?? ""), tls: tls, timeout: timeout, maxBody: maxBody)
    let response: HTTPRequest.Response
    do {
      response = try await request.get()
    } catch let error as ActionError {
      throw error
    } catch {
      throw ActionError(.failed, "GET \(text) failed: \(error)", cause: error)
    }
    var outputs: [String: Value] = ["status": .int(Int64(response.status)), "body": .string(response.body), "peer_subject": .null, "peer_not_after": .null, "peer_days_remaining": .null]
    if let peer = response.peerCertificate {
      outputs["peer_subject"] = .string(peer.subject.description)
      outputs["peer_not_after"] = .string(CertificateFacts.timestamp(peer.notValidAfter))
      outputs["peer_days_remaining"] = .int(CertificateFacts.daysRemaining(until: peer.notValidAfter, at: Date()))
    }
    let expiry = response.peerCertificate.map { "; server certificate valid until \(CertificateFacts.timestamp($0.notValidAfter))" } ?? ""
    context.output(OutputLine(.stdout, "GET \(text): \(response.status) \(response.body.prefix(80).split(separator: "\n").first ?? "")\(expiry)"))
    if case .int(let expected)? = input["expect_status"], expected != 0, expected != Int64(response.status) {
      throw ActionError(.failed, "GET \(text) answered \(response.status), not \(expected): \(response.body.prefix(200))", outputs: outputs)
    }
    return ActionResult(outputs)
  }

  private static func tlsContext(_ input: ResolvedInput) throws -> NIOSSLContext {
    var configuration = TLSConfiguration.makeClientConfiguration()
    do {
      if let ca = input.text("ca"), !ca.isEmpty { configuration.trustRoots = .file(ca) }
      if let cert = input.text("cert"), !cert.isEmpty {
        configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
        let key = input.text("key").flatMap { $0.isEmpty ? nil : $0 } ?? cert
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
      }
      return try NIOSSLContext(configuration: configuration)
    } catch {
      throw ActionError(.invalidInput, "cannot set up TLS: \(error)", cause: error)
    }
  }
}
