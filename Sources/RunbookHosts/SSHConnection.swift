import Foundation
import RunbookActions
import RunbookKit

/// One inventory host reached through a multiplexed OpenSSH master, with the action agent
/// installed in its cache (docs/running.md, "Steps on hosts"): the master is opened on first
/// use and closed at the end of the run; every action is one session of it.
actor SSHConnection {
  let target: SSHTarget
  let agent: AgentExecutable
  let environment: [String: String]
  /// Whether the master runs, and whether the agent is known to be there too.
  private var masterIsOpen = false
  private var isOpen = false
  /// The opening in progress, which every caller awaits.
  private var opening: Task<Void, any Error>?
  /// The agent sessions, as the login user (false) and as root (true).
  private var sessions: [Bool: AgentSession] = [:]

  init(target: SSHTarget, agent: AgentExecutable, environment: [String: String]) {
    self.target = target
    self.agent = agent
    self.environment = environment
  }

  /// Where the agent lives on the host, relative to the login directory: named by its sha256,
  /// so a changed engine is a new file and a present one needs no copy.
  var agentPath: String { ".cache/runbook/agents/\(agent.sha256)/runbook" }

  /// How long the master outlives its last session when the engine dies without closing it.
  static let persist = "60"

  // MARK: Opening

  /// Opens the master and makes sure the agent is there, once however many steps ask at the
  /// same time (a second master on the same socket would outlive the run); an open connection is
  /// kept, and a failed opening is tried again by the next caller.
  func open() async throws {
    if isOpen { return }
    if let opening { return try await opening.value }
    let task = Task { try await self.connect() }
    opening = task
    defer { opening = nil }
    try await task.value
  }

  private func connect() async throws {
    if let reason = target.host.connection.unusable {
      throw ActionError(.cannotStart, "\(name) cannot be reached as the inventory says: \(reason); nothing was run there")
    }
    if !masterIsOpen {
      let master = try await ssh(["-o", "ControlMaster=yes", "-o", "ControlPersist=\(Self.persist)", "-f", "-N"], command: [], input: nil)
      guard master.exitCode == 0 else { throw transportError(master.stderrTail, opening: true) }
      masterIsOpen = true
    }
    // The agent's file is named by its sha256 and appears whole (copied, checked, renamed):
    // one that answers is the one named.
    if try await identity(hash: false) == nil {
      try await install()
      let installed = try await identity(hash: true)
      guard installed == agent.sha256 else {
        throw ActionError(.cannotStart, "\(name): the agent copied to ~/\(agentPath) has sha256 \(installed ?? "(none)"), not \(agent.sha256)")
      }
    }
    isOpen = true
  }

  /// The installed agent's sha256 (empty when not asked to `hash`), or nil when there is none.
  private func identity(hash: Bool) async throws -> String? {
    let outcome = try await ssh(["-o", "ControlMaster=no"], command: [agentPath, "agent"], input: AgentRequest.identity(hash: hash).json)
    // ssh's own failures exit 255, and so may a damaged file run on the host: the master tells.
    if outcome.exitCode == 255, try await !masterAnswers() { throw transportError(outcome.stderrTail, opening: false) }
    // Not there (127), not executable (126), or not answering as an agent (a damaged file): copy it again.
    guard outcome.exitCode == 0 else { return nil }
    guard case .identity(let sha256, _, _)? = outcome.stdout.split(separator: "\n").first.flatMap({ AgentMessage(line: String($0)) }) else {
      return nil
    }
    return sha256
  }

  /// Whether the master connection still answers (`ssh -O check`).
  private func masterAnswers() async throws -> Bool {
    try await ssh(["-O", "check"], command: [], input: nil, timeout: .seconds(10)).exitCode == 0
  }

  /// Copies the engine's executable into the host's agent cache: to a temporary name first,
  /// so a cut-off copy is never taken for the agent.
  private func install() async throws {
    let directory = (agentPath as NSString).deletingLastPathComponent
    let bytes: [UInt8]
    do {
      bytes = Array(try Data(contentsOf: URL(fileURLWithPath: agent.path)))
    } catch {
      throw ActionError(.cannotStart, "cannot read the agent executable \(agent.path): \(error.localizedDescription)")
    }
    // A copy cut short (the engine or the connection died) ends like a whole one for cat: only a
    // file of the full size takes the agent's name.
    let partial = "\(agentPath).$$"
    let script = "umask 077 && mkdir -p \(directory) && cat > \(partial) && test \"$(wc -c < \(partial))\" -eq \(bytes.count)"
      + " && chmod 700 \(partial) && mv -f \(partial) \(agentPath) || { rm -f \(partial); echo 'the copy was cut short' >&2; exit 1; }"
    let copy = try await run(command: ["sh", "-c", ShellQuoting.word(.string(script))], input: bytes)
    guard copy.exitCode == 0 else {
      if copy.exitCode == 255 { throw transportError(copy.stderrTail, opening: false) }
      let reason = Self.lastLine(copy.stderrTail)
      throw ActionError(.cannotStart, "\(name): cannot copy the agent to ~/\(directory)" + (reason.isEmpty ? " (exit status \(copy.exitCode))" : ": \(reason)"))
    }
  }

  // MARK: Requests

  /// Runs one action through the agent session (as root through sudo when `become`): its
  /// output and process start go to `context` as they come; the operator's signals and a
  /// timeout reach its process group on the host.
  func run(_ request: AgentRun, become: Bool, in context: ActionContext) async throws -> ActionResult {
    let session = try await session(become: become)
    let remote = RemoteProcess()
    let forwarder = context.interruption.register { [self] signal in
      Task { await self.signal(remote, signal, become: become) }
    }
    defer { context.interruption.unregister(forwarder: forwarder) }
    let answer: AgentMessage
    do {
      answer = try await session.send(.run(request), relay: MessageRelay(context: context, remote: remote)) {
        // The step's timeout: stop the command on the host, not only the wait for it.
        Task { await self.signal(remote, SIGTERM, become: become) }
      }
    } catch let error as ActionError where remote.group != nil && error.code != .timedOut {
      // The command started there and the connection dropped: it may run on, or have ended.
      throw ActionError(.outcomeUnknown, "\(error.message), after its command (process group \(remote.group!)) started there", cause: error)
    }
    switch answer {
    case .result(let outputs): return ActionResult(outputs)
    case .failure(let code, let message, let outputs): throw ActionError(ActionError.Code(code), message, outputs: outputs)
    default: throw ActionError(.brokenPlugin, "\(name): the agent answered a run with \(answer.json.serialized(pretty: false))")
    }
  }

  /// The open session that runs actions as the login user, or as root when `become`; one that
  /// ended (the connection dropped) is opened again.
  private func session(become: Bool) async throws -> AgentSession {
    try await open()
    if let open = sessions[become], open.isOpen { return open }
    let command = become ? SSHTarget.becoming(target.host.connection.becomeUser, [agentPath, "agent"]) : [agentPath, "agent"]
    let session = try AgentSession(argv: target.arguments(["-o", "ControlMaster=no"], command: command), environment: environment) {
      [name, target] status, stderr in
      if status == 255 { return Self.transportError(stderr, opening: false, name: name, target: target) }
      let last = Self.lastLine(stderr)
      if become, let user = target.host.connection.becomeUser, user != "root", stderr.contains("Permission denied") {
        return ActionError(
          .cannotStart,
          "\(name): become failed: \(user) (ansible_become_user) cannot run the agent kept in the login user's ~/.cache/runbook; become root instead (leave ansible_become_user unset), or log in as \(user)")
      }
      if become, last.contains("sudo:") {
        return ActionError(
          .cannotStart, "\(name): become failed: \(last) (the engine runs sudo -n, which never asks a password: allow this user NOPASSWD, or log in as root)")
      }
      return ActionError(.failed, "\(name): the agent ended with status \(status) before it answered" + (last.isEmpty ? "" : ": \(last)"))
    }
    sessions[become] = session
    return session
  }

  /// Whether a process group started on the host during `bootID` still runs.
  func isRunning(processGroup: Int32, bootID: String) async throws -> Bool {
    try await open()
    let outcome = try await ssh(["-o", "ControlMaster=no"], command: [agentPath, "agent"], input: AgentRequest.process(group: processGroup, bootID: bootID).json)
    guard outcome.exitCode == 0, case .process(let running)? = outcome.stdout.split(separator: "\n").first.flatMap({ AgentMessage(line: String($0)) }) else {
      throw transportError(outcome.stderrTail, opening: false)
    }
    return running
  }

  /// Sends `signal` to the action's process group on the host, once it is known.
  private func signal(_ remote: RemoteProcess, _ signal: Int32, become: Bool) async {
    guard let group = remote.group else { return }
    let kill = ["kill", "-s", Self.signalName(signal), "--", "-\(group)"]
    _ = try? await ssh(["-o", "ControlMaster=no"], command: become ? SSHTarget.becoming(nil, kill) : kill, input: nil, timeout: .seconds(10))
  }

  /// Closes the agent sessions, then the master.
  func close() async {
    for session in sessions.values { session.close() }
    sessions = [:]
    isOpen = false
    guard masterIsOpen else { return }
    masterIsOpen = false
    _ = try? await ssh(["-O", "exit"], command: [], input: nil, timeout: .seconds(10))
  }

  // MARK: ssh

  private var name: String { "host \(target.host.name) (\(target.endpoint))" }

  private func run(command: [String], input: [UInt8]) async throws -> ChildProcess.Outcome {
    try await ssh(["-o", "ControlMaster=no"], command: command, input: input)
  }

  private func ssh(_ options: [String], command: [String], input: JSONValue) async throws -> ChildProcess.Outcome {
    try await ssh(options, command: command, input: Array(input.serialized(pretty: false).utf8))
  }

  private func ssh(_ options: [String], command: [String], input: [UInt8]?, timeout: Duration? = nil) async throws -> ChildProcess.Outcome {
    let child = ChildProcess(
      argv: target.arguments(options, command: command), environment: environment, timeout: timeout, standardInput: input,
      streamsStandardOutput: false, streamsStandardError: false)
    // ssh itself is not the step's command: the operator's signals go to the remote group.
    let quiet = ActionContext(
      runID: "", step: "", environment: environment, output: { _ in }, interruption: Interruption(),
      runCheck: { _, _ in [:] }, evaluateExpect: { _, _ in .null })
    return try await child.run(in: quiet)
  }

  /// What ssh's own failure (exit 255) means for the operator: an unknown or changed host
  /// key (nothing ran there), or a host that cannot be reached.
  private func transportError(_ stderr: String, opening: Bool) -> ActionError {
    Self.transportError(stderr, opening: opening, name: name, target: target)
  }

  private static func transportError(_ stderr: String, opening: Bool, name: String, target: SSHTarget) -> ActionError {
    let endpoint = target.endpoint
    let address = target.host.connection.address
    let port = target.host.connection.port ?? 22
    let keyName = port == 22 ? address : "[\(address)]:\(port)"
    if stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || stderr.contains("Host key for") && stderr.contains("has changed") {
      return ActionError(
        ActionError.Code("host-key-changed"),
        "\(name): its host key changed since it was recorded in known_hosts; nothing was run there. If the host was rebuilt, check the new key's fingerprint, then: ssh-keygen -R '\(keyName)' and connect once with ssh -p \(port) \(address)")
    }
    if stderr.contains("Host key verification failed") || stderr.contains("host key is known") {
      return ActionError(
        ActionError.Code("host-key-unknown"),
        "\(name): its host key is not in known_hosts; nothing was run there. Check its fingerprint, then accept it: ssh-keyscan -p \(port) \(address) >> ~/.ssh/known_hosts")
    }
    let reason = Self.lastLine(stderr)
    return ActionError(
      ActionError.Code("host-unreachable"),
      "\(name) \(opening ? "cannot be reached" : "dropped the connection")\(reason.isEmpty ? "" : ": \(reason)") (ssh to \(endpoint))")
  }

  static func lastLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
  }

  static func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGINT: "INT"
    case SIGKILL: "KILL"
    default: "TERM"
    }
  }
}

/// The executable sent to hosts as the action agent, and its sha256.
struct AgentExecutable: Sendable {
  var path: String
  var sha256: String
}

/// The process group of an action on a host, once the agent said it started.
final class RemoteProcess: @unchecked Sendable {
  private let lock = NSLock()
  private var started: Int32?

  var group: Int32? { lock.withLock { started } }
  func set(_ group: Int32) { lock.withLock { started = group } }
}

/// Turns the agent's messages about one action into its output and process start.
final class MessageRelay: @unchecked Sendable {
  private let context: ActionContext
  private let remote: RemoteProcess

  init(context: ActionContext, remote: RemoteProcess) {
    self.context = context
    self.remote = remote
  }

  func receive(_ message: AgentMessage) {
    switch message {
    case .output(let output): context.output(output)
    case .started(let group, let bootID):
      remote.set(group)
      context.processStarted(group, bootID)
    default: break
    }
  }
}
