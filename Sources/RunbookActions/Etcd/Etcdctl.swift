import Foundation
import RunbookKit

/// Runs the real `etcdctl` (v3 API, `-w json`) with the connection inputs every etcd action
/// shares, in an environment cleared of `ETCDCTL_*` (which would conflict with the flags).
struct Etcdctl: Sendable {
  static let connectionInputs: [InputSpec] = [
    InputSpec("endpoints", .list, default: .list([.string("https://127.0.0.1:2379")]), "Client URLs"),
    InputSpec("cacert", .path, default: .string("/etc/kubernetes/pki/etcd/ca.crt"), "CA certificate; empty: not used"),
    InputSpec("cert", .path, default: .string("/etc/kubernetes/pki/etcd/healthcheck-client.crt"), "Client certificate; empty: not used"),
    InputSpec("key", .path, default: .string("/etc/kubernetes/pki/etcd/healthcheck-client.key"), "Client key; empty: not used"),
    InputSpec("command_timeout", .duration, default: .string("10s"), "etcdctl --command-timeout"),
    InputSpec("dial_timeout", .duration, default: .string("2s"), "How long a member has to accept a connection; one that does not is unreachable, and no command waits on it"),
  ]

  var endpoints: [String]
  var cacert: String
  var cert: String
  var key: String
  var commandTimeout: String
  var dialTimeout: RunbookDuration?

  init(_ input: ResolvedInput, endpoints override: [String]? = nil, commandTimeout: String? = nil) throws {
    if let override {
      endpoints = override
    } else if case .list(let list)? = input["endpoints"] {
      endpoints = list.map(\.plainText).filter { !$0.isEmpty }
    } else {
      endpoints = input.text("endpoints").map { $0.split(separator: ",").map(String.init) } ?? []
    }
    guard !endpoints.isEmpty else { throw ActionError(.invalidInput, "no etcd endpoints given") }
    cacert = input.text("cacert") ?? ""
    cert = input.text("cert") ?? ""
    key = input.text("key") ?? ""
    self.commandTimeout = commandTimeout ?? input.text("command_timeout") ?? "10s"
    dialTimeout = input.durations["dial_timeout"]
  }

  /// The endpoints that do not accept a connection within the dial timeout, with why; none
  /// when no dial timeout is given.
  func unreachable() async -> [String: String] {
    guard let dialTimeout else { return [:] }
    return await EndpointDial.failures(endpoints, timeout: dialTimeout)
  }

  /// The same connection to other endpoints.
  func reaching(_ endpoints: [String]) -> Etcdctl {
    var copy = self
    copy.endpoints = endpoints
    return copy
  }

  /// The flags every call carries; TLS files only when given.
  var flags: [String] {
    var flags = ["--endpoints=" + endpoints.joined(separator: ","), "--command-timeout=" + Self.etcdDuration(commandTimeout)]
    if let dialTimeout { flags.append("--dial-timeout=" + Self.etcdDuration(dialTimeout.text)) }
    if !cacert.isEmpty { flags.append("--cacert=" + cacert) }
    if !cert.isEmpty { flags.append("--cert=" + cert) }
    if !key.isEmpty { flags.append("--key=" + key) }
    return flags
  }

  /// The command line a plan shows.
  func commandLine(_ arguments: [String]) -> String {
    (["etcdctl"] + flags + arguments).map(ShellQuoting.quote).joined(separator: " ")
  }

  struct Output {
    var json: JSONValue?
    var exitCode: Int32
    var stderrTail: String
  }

  /// Runs `etcdctl FLAGS ARGUMENTS -w json`; the JSON is read even when it exits 1 (some
  /// endpoints failing), and nil when there is none.
  func run(_ arguments: [String], in context: ActionContext) async throws -> Output {
    var environment = context.environment.filter { !$0.key.hasPrefix("ETCDCTL_") }
    environment["ETCDCTL_API"] = "3"
    let child = ChildProcess(argv: ["etcdctl"] + flags + arguments + ["-w", "json"], environment: environment, workingDirectory: nil, timeout: nil, streamsStandardOutput: false, streamsStandardError: false)
    let outcome = try await child.run(in: context)
    let text = outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return Output(json: text.isEmpty ? nil : JSONValue.parse(text), exitCode: outcome.exitCode, stderrTail: outcome.stderrTail)
  }

  /// Like `run`, but any failure is an error carrying etcdctl's last line of stderr.
  func require(_ arguments: [String], in context: ActionContext) async throws -> JSONValue {
    let output = try await run(arguments, in: context)
    guard output.exitCode == 0, let json = output.json else {
      let detail = Self.reason(output.stderrTail)
      throw ActionError(.failed, "etcdctl \(arguments.joined(separator: " ")) failed (exit \(output.exitCode))\(detail)")
    }
    return json
  }

  /// Runs a command whose output is a sentence, not JSON (defrag, move-leader, member remove,
  /// member promote in etcd 3.4): any failure is an error carrying etcdctl's last line of stderr.
  func succeed(_ arguments: [String], in context: ActionContext) async throws {
    let output = try await run(arguments, in: context)
    guard output.exitCode == 0 else {
      throw ActionError(.failed, "etcdctl \(arguments.joined(separator: " ")) failed (exit \(output.exitCode))\(Self.reason(output.stderrTail))")
    }
  }

  /// The last line of etcdctl's stderr that is not a JSON log line, for messages.
  static func reason(_ stderrTail: String) -> String {
    let lines = stderrTail.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{") }
    return lines.last.map { ": \($0)" } ?? ""
  }

  /// A duration as etcdctl (Go) reads it: ours are Go's, but for days, which become milliseconds.
  static func etcdDuration(_ text: String) -> String {
    guard text.contains("d"), let duration = RunbookDuration(text) else { return text }
    return "\(duration.milliseconds)ms"
  }
}
