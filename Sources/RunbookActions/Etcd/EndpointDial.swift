import Foundation
import NIOCore
import NIOPosix
import RunbookKit

/// Whether an etcd client URL accepts a TCP connection within the dial timeout: etcdctl waits
/// its whole command timeout on a member that is down, so the etcd reads ask this first and
/// leave out an endpoint that does not answer (docs/running.md, "Probing a plan"). A member
/// that accepts the connection and then never answers still costs the command timeout.
enum EndpointDial {
  /// Nil when `endpoint` accepts a connection in time (or names no host and port this can
  /// dial, which etcdctl then judges), else why not.
  static func failure(_ endpoint: String, timeout: RunbookDuration) async -> String? {
    let url = URLComponents(string: endpoint.contains("://") ? endpoint : "http://" + endpoint)
    guard let host = url?.host, !host.isEmpty, let port = url?.port else { return nil }
    do {
      let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(.milliseconds(max(1, timeout.milliseconds)))
        .connect(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: port).get()
      try? await channel.close()
      return nil
    } catch let error as NIOConnectionError {
      // Every address it tried failed; the first one's reason is what an operator reads.
      if let io = error.connectionErrors.first?.error as? IOError { return "unreachable: \(String(cString: strerror(io.errnoCode)).lowercased())" }
      return "unreachable: no connection within the dial timeout \(timeout)"
    } catch is ChannelError {
      return "unreachable: no connection within the dial timeout \(timeout)"
    } catch {
      return "unreachable: \(error)"
    }
  }

  /// Each endpoint's dial failure, dialled at once; the endpoints that answered are left out.
  static func failures(_ endpoints: [String], timeout: RunbookDuration) async -> [String: String] {
    await withTaskGroup(of: (String, String?).self) { group in
      for endpoint in endpoints { group.addTask { (endpoint, await failure(endpoint, timeout: timeout)) } }
      var failures: [String: String] = [:]
      for await (endpoint, failure) in group { if let failure { failures[endpoint] = failure } }
      return failures
    }
  }
}
