import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import X509

/// One HTTP/1.1 GET over a fresh connection, TLS when given a context; the body is kept up to
/// a limit, and over TLS the server's certificate is read after the response.
struct HTTPRequest {
  struct Response {
    var status: Int
    var body: String
    var peerCertificate: Certificate?
  }

  var host: String
  /// The name to check the server's certificate for (and send as SNI); nil: `host`.
  var serverName: String?
  var port: Int
  var target: String
  var tls: NIOSSLContext?
  var timeout: Duration
  var maxBody: Int

  func get() async throws -> Response {
    let group = MultiThreadedEventLoopGroup.singleton
    let timeoutAmount = TimeAmount.milliseconds(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    let promise = group.next().makePromise(of: ResponseCollector.Collected.self)
    let expectedName = serverName ?? host
    let isAddress = expectedName.contains(":") || expectedName.allSatisfy { $0.isNumber || $0 == "." }
    let bootstrap = ClientBootstrap(group: group)
      .connectTimeout(timeoutAmount)
      .channelInitializer { [tls, maxBody, expectedName] channel in
        do {
          if let tls {
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : expectedName))
          }
          try channel.pipeline.syncOperations.addHTTPClientHandlers()
          try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, maxBody: maxBody))
          return channel.eventLoop.makeSucceededFuture(())
        } catch {
          return channel.eventLoop.makeFailedFuture(error)
        }
      }
    let channel: Channel
    do {
      channel = try await bootstrap.connect(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port).get()
    } catch {
      promise.fail(error)
      throw error
    }
    let deadline = channel.eventLoop.scheduleTask(in: timeoutAmount) {
      promise.fail(TimedOut(after: timeout))
      channel.close(promise: nil)
    }
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: port == 80 || port == 443 ? host : "\(host):\(port)")
    headers.add(name: "User-Agent", value: "runbook")
    headers.add(name: "Accept", value: "*/*")
    headers.add(name: "Connection", value: "close")
    channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers)), promise: nil)
    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    defer {
      deadline.cancel()
      channel.close(promise: nil)
    }
    let collected = try await promise.futureResult.get()
    let peer = try collected.peerCertificate.map { try Certificate(derEncoded: $0.toDERBytes()) }
    return Response(status: collected.status, body: String(decoding: collected.body, as: UTF8.self), peerCertificate: peer)
  }

  struct TimedOut: Error, CustomStringConvertible {
    var after: Duration
    var description: String { "no answer within \(after)" }
  }
}

/// Collects one response's status, body (up to a limit) and, over TLS, the server's
/// certificate (read when the head arrives: once the server closes, the TLS handler is gone).
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = HTTPClientResponsePart

  struct Collected {
    var status = 0
    var body: [UInt8] = []
    var peerCertificate: NIOSSLCertificate?
  }

  private let promise: EventLoopPromise<Collected>
  private let maxBody: Int
  private var collected = Collected()

  init(promise: EventLoopPromise<Collected>, maxBody: Int) {
    self.promise = promise
    self.maxBody = maxBody
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      collected.status = Int(head.status.code)
      collected.peerCertificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate()
    case .body(var buffer):
      let room = maxBody - collected.body.count
      if room > 0, let bytes = buffer.readBytes(length: min(room, buffer.readableBytes)) { collected.body += bytes }
    case .end:
      promise.succeed(collected)
    }
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    promise.fail(error)
    context.close(promise: nil)
  }

  func channelInactive(context: ChannelHandlerContext) {
    promise.fail(ChannelError.eof)
  }
}
