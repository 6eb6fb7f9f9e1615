import Foundation
import XCTest

/// A real etcd cluster for tests: members on loopback addresses 127.0.0.x with free ports, each
/// its own `etcd` process and data directory; started and awaited healthy on init, killed and
/// removed on `stop()` or deinit, so a failing test never leaves one running.
public final class EtcdCluster {
  public struct Member {
    public var name: String
    public var address: String
    public var clientPort: Int
    public var peerPort: Int
    public var dataDirectory: String
    public var scheme: String
    public var clientURL: String { "\(scheme)://\(address):\(clientPort)" }
    public var peerURL: String { "\(scheme)://\(address):\(peerPort)" }
  }

  /// The openssl-made PKI of a TLS cluster: a CA, one certificate per member (server and peer),
  /// and a client certificate such as kubeadm's healthcheck client.
  public struct PKI {
    public var caCertificate: String
    public var clientCertificate: String
    public var clientKey: String
  }

  public enum Failure: Error, CustomStringConvertible {
    case notInstalled
    case notReady(String)
    public var description: String {
      switch self {
      case .notInstalled: "etcd is not installed (Debian: apt-get install etcd-server etcd-client)"
      case .notReady(let log): "the etcd cluster did not become healthy; last log lines:\n\(log)"
      }
    }
  }

  public let directory: String
  public private(set) var members: [Member] = []
  /// Set for a TLS cluster.
  public private(set) var pki: PKI?
  private var processes: [String: Process] = [:]
  /// Processes started by someone else (a runbook's start command) that stop() must kill too.
  private var adopted: [String] = []

  public var endpoints: [String] { members.map(\.clientURL) }
  public var initialCluster: String { members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",") }

  /// Whether `etcd` and `etcdctl` are on PATH.
  public static var isInstalled: Bool {
    ["etcd", "etcdctl"].allSatisfy { tool in
      (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
      }
    }
  }

  /// Skips the calling test when etcd is missing, unless `RUNBOOK_REQUIRE_ETCD` is set (as in CI),
  /// where a missing etcd must fail the test instead.
  public static func requireInstalled() throws {
    if !isInstalled && ProcessInfo.processInfo.environment["RUNBOOK_REQUIRE_ETCD"] == nil {
      throw XCTSkip("etcd is not installed; CI installs it and sets RUNBOOK_REQUIRE_ETCD=1")
    }
  }

  /// Starts `size` members, plain or (with `tls`) with client and peer TLS and client
  /// certificate authentication.
  public init(size: Int, tls: Bool = false) throws {
    guard Self.isInstalled else { throw Failure.notInstalled }
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-etcd-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let base = Int.random(in: 20...200)
    for index in 1...size {
      let address = "127.0.0.\(base + index)"
      members.append(Member(
        name: "m\(index)", address: address, clientPort: try Self.freePort(on: address), peerPort: try Self.freePort(on: address),
        dataDirectory: "\(directory)/m\(index).etcd", scheme: tls ? "https" : "http"))
    }
    do {
      if tls { pki = try makePKI() }
      for member in members { try start(member.name, state: "new") }
      try waitUntilHealthy(members.map(\.name))
    } catch {
      stop()
      throw error
    }
  }

  deinit { stop() }

  /// Starts (or restarts) a member's process.
  public func start(_ name: String, state: String = "existing", initialCluster: String? = nil) throws {
    guard let member = members.first(where: { $0.name == name }) else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "etcd", "--name", member.name, "--data-dir", member.dataDirectory,
      "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
      "--listen-peer-urls", member.peerURL, "--initial-advertise-peer-urls", member.peerURL,
      "--initial-cluster", initialCluster ?? self.initialCluster, "--initial-cluster-state", state,
      "--initial-cluster-token", "runbook-test", "--heartbeat-interval", "50", "--election-timeout", "500",
    ] + tlsFlags(for: member)
    process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ETCD") }
    let log = "\(directory)/\(member.name).log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    handle.seekToEndOfFile()
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    processes[name] = process
  }

  /// Kills a member with SIGKILL, as a crash would.
  public func kill(_ name: String) {
    guard let process = processes.removeValue(forKey: name) else { return }
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Kills every member and removes the data.
  public func stop() {
    for name in Array(processes.keys) { kill(name) }
    for pidFile in adopted {
      if let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
        Foundation.kill(pid, SIGKILL)
      }
    }
    adopted = []
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Tracks a member process started outside the harness (its pid is in `pidFile`) for teardown.
  public func adopt(pidFile: String) {
    adopted.append(pidFile)
  }

  /// Deletes a member's data directory, as a lost disk would.
  public func deleteData(_ name: String) throws {
    guard let member = members.first(where: { $0.name == name }) else { return }
    try FileManager.default.removeItem(atPath: member.dataDirectory)
  }

  /// A shell command that starts `name` from the ETCD_* variables the replacement runbook sets,
  /// in the background, writing its pid to `pidFile`.
  public func startCommand(for name: String, pidFile: String) -> String {
    guard let member = members.first(where: { $0.name == name }) else { return "false" }
    return "etcd --data-dir \(member.dataDirectory) --listen-client-urls \(member.clientURL) --advertise-client-urls \(member.clientURL)"
      + " --listen-peer-urls \(member.peerURL) --initial-cluster-token runbook-test --heartbeat-interval 50 --election-timeout 500"
      + " >> \(directory)/\(name)-replacement.log 2>&1 & echo $! > \(pidFile)"
  }

  /// Runs `etcdctl ARGUMENTS` against the given members (default: all), returning stdout.
  @discardableResult
  public func etcdctl(_ arguments: [String], members names: [String]? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    let chosen = names.map { wanted in members.filter { wanted.contains($0.name) } } ?? members
    var tls: [String] = []
    if let pki { tls = ["--cacert=" + pki.caCertificate, "--cert=" + pki.clientCertificate, "--key=" + pki.clientKey] }
    process.arguments = ["etcdctl", "--endpoints=" + chosen.map(\.clientURL).joined(separator: ","), "--command-timeout=3s"] + tls + arguments
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ETCDCTL_") }
    environment["ETCDCTL_API"] = "3"
    process.environment = environment
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// Waits until the named members answer health checks.
  public func waitUntilHealthy(_ names: [String], timeout: TimeInterval = 30) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let output = (try? etcdctl(["endpoint", "health", "-w", "json"], members: names)) ?? ""
      if output.contains("\"health\":true"), !output.contains("\"health\":false"),
        output.components(separatedBy: "\"health\":true").count - 1 == names.count
      {
        return
      }
      usleep(100_000)
    }
    let logs = names.map { (try? String(contentsOfFile: "\(directory)/\($0).log", encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? "" }
    throw Failure.notReady(logs.joined(separator: "\n"))
  }

  private func tlsFlags(for member: Member) -> [String] {
    guard pki != nil else { return [] }
    let (certificate, key, ca) = ("\(directory)/pki/\(member.name).crt", "\(directory)/pki/\(member.name).key", "\(directory)/pki/ca.crt")
    return [
      "--cert-file", certificate, "--key-file", key, "--trusted-ca-file", ca, "--client-cert-auth",
      "--peer-cert-file", certificate, "--peer-key-file", key, "--peer-trusted-ca-file", ca, "--peer-client-cert-auth",
    ]
  }

  /// A CA, a certificate per member for its address, and a client certificate, made with openssl.
  private func makePKI() throws -> PKI {
    let pki = "\(directory)/pki"
    try FileManager.default.createDirectory(atPath: pki, withIntermediateDirectories: true)
    let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    try OpenSSL.run(["req", "-x509"] + curve + ["-keyout", "\(pki)/ca.key", "-out", "\(pki)/ca.crt", "-days", "2", "-subj", "/CN=etcd-ca"])
    func issue(_ name: String, extensions: String) throws {
      try extensions.write(toFile: "\(pki)/\(name).ext", atomically: true, encoding: .utf8)
      try OpenSSL.run(["req"] + curve + ["-keyout", "\(pki)/\(name).key", "-out", "\(pki)/\(name).csr", "-subj", "/CN=\(name)"])
      try OpenSSL.run([
        "x509", "-req", "-in", "\(pki)/\(name).csr", "-CA", "\(pki)/ca.crt", "-CAkey", "\(pki)/ca.key", "-CAcreateserial",
        "-out", "\(pki)/\(name).crt", "-days", "2", "-extfile", "\(pki)/\(name).ext",
      ])
    }
    for member in members {
      try issue(member.name, extensions: "subjectAltName=IP:\(member.address),IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n")
    }
    try issue("healthcheck-client", extensions: "extendedKeyUsage=clientAuth\n")
    return PKI(caCertificate: "\(pki)/ca.crt", clientCertificate: "\(pki)/healthcheck-client.crt", clientKey: "\(pki)/healthcheck-client.key")
  }

  /// A port nobody listens on at `address` right now.
  public static func freePort(on address: String) throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_port = 0
    inet_pton(AF_INET, address, &socketAddress.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE) }
    return Int(UInt16(bigEndian: socketAddress.sin_port))
  }
}
