import Foundation
import NIOCore
import NIOPosix

/// Whether an etcd client URL accepts a TCP connection within the dial timeout: etcdctl waits
/// its whole command timeout on a member that is down, so the etcd reads ask this first and
/// leave out an endpoint that does not answer (docs/running.md, "Checks evaluated together
/// share a read").
enum EndpointDial {
  /// Nil when `endpoint` accepts a connection in time (or names no host and port this can
  /// dial, which etcdctl then judges), else why not.
  static func failure(_ endpoint: String, timeout: Duration) async -> String? {
    let url = URLComponents(string: endpoint.contains("://") ? endpoint : "http://" + endpoint)
    guard let host = url?.host, !host.isEmpty, let port = url?.port else { return nil }
    let milliseconds = Int64(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    do {
      let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connectTimeout(.milliseconds(max(1, milliseconds)))
        .connect(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, port: port).get()
      try? await channel.close()
      return nil
    } catch let error as ChannelError where error == .connectTimeout(.milliseconds(max(1, milliseconds))) {
      return "unreachable: no connection within the dial timeout \(timeout)"
    } catch {
      return "unreachable: \(error)"
    }
  }

  /// Each endpoint's dial failure, dialled at once; the endpoints that answered are left out.
  static func failures(_ endpoints: [String], timeout: Duration) async -> [String: String] {
    await withTaskGroup(of: (String, String?).self) { group in
      for endpoint in endpoints { group.addTask { (endpoint, await failure(endpoint, timeout: timeout)) } }
      var failures: [String: String] = [:]
      for await (endpoint, failure) in group { if let failure { failures[endpoint] = failure } }
      return failures
    }
  }
}
