import Crypto
import Foundation
import RunbookKit

/// Runs actions on inventory hosts through the system's OpenSSH client and the action agent:
/// one master connection per host, opened when the run first needs the host and closed when
/// the run ends (docs/running.md, "Steps on hosts").
public actor SSHHostRunner: HostRunner {
  private let agent: AgentExecutable
  private let controlDirectory: String
  private let environment: [String: String]
  private var connections: [String: SSHConnection] = [:]
  /// Makes this runner's master sockets its own: two runs, or two inventory names for one
  /// address, never share (or fight over) a master.
  private let token = UUID().uuidString

  /// - Parameters:
  ///   - agentExecutable: what is sent to hosts as the agent: the running engine's own
  ///     executable unless told otherwise (`RUNBOOK_AGENT`).
  ///   - stateDirectory: holds the master sockets (`ssh/`), unless its path is too long for a
  ///     Unix socket.
  public init(agentExecutable: String, stateDirectory: String, environment: [String: String]) throws {
    controlDirectory = try Self.controlDirectory(under: stateDirectory)
    guard let sha256 = Self.digest(of: agentExecutable, remembered: controlDirectory + "/agent.sha256") else {
      throw ActionError(.cannotStart, "cannot read the agent executable \(agentExecutable)")
    }
    agent = AgentExecutable(path: agentExecutable, sha256: sha256)
    self.environment = environment
  }

  /// The agent's sha256, hashed again only when the file changed (its device, inode, size or
  /// modification time): reading a 100 MB executable costs every run a third of a second.
  static func digest(of path: String, remembered file: String) -> String? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    let identity = "\(status.st_dev) \(status.st_ino) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) \(path)"
    if let line = try? String(contentsOfFile: file, encoding: .utf8), line.hasSuffix(" " + identity + "\n") {
      return String(line.prefix { $0 != " " })
    }
    guard let sha256 = ActionAgent.executableSHA256(path: path) else { return nil }
    let temporary = file + ".\(getpid())"
    if FileManager.default.createFile(atPath: temporary, contents: Data("\(sha256) \(identity)\n".utf8), attributes: [.posixPermissions: 0o600]) {
      rename(temporary, file)
    }
    return sha256
  }

  public func run(_ action: String, _ input: ResolvedInput, on host: InventoryHost, become: Bool, in context: ActionContext) async throws -> ActionResult {
    let request = AgentRun(action: action, values: input.values, bindings: input.bindings, runID: context.runID, step: context.step, iteration: context.iteration)
    return try await connection(host).run(request, become: become, in: context)
  }

  public func isRunning(processGroup: Int32, bootID: String, on host: InventoryHost) async throws -> Bool {
    try await connection(host).isRunning(processGroup: processGroup, bootID: bootID)
  }

  public func close() async {
    for connection in connections.values { await connection.close() }
    connections = [:]
  }

  private func connection(_ host: InventoryHost) -> SSHConnection {
    if let open = connections[host.name], open.target.host == host { return open }
    let socket = SHA256.hash(data: Data("\(token)\n\(host.name)".utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    let connection = SSHConnection(target: SSHTarget(host: host, controlPath: controlDirectory + "/" + socket), agent: agent, environment: environment)
    connections[host.name] = connection
    return connection
  }

  /// Linux caps a Unix socket's path at 108 bytes; a socket is named by 16 hex digits, and ssh
  /// binds it first under a temporary name 17 characters longer.
  static let socketPathLimit = 107

  /// `STATE/ssh`, or a private directory under /tmp when that path is too long for a socket.
  static func controlDirectory(under stateDirectory: String) throws -> String {
    var directory = stateDirectory + "/ssh"
    if directory.utf8.count + 1 + 16 + 17 > socketPathLimit { directory = "/tmp/runbook-ssh-\(getuid())" }
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      var status = stat()
      guard lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else {
        throw ActionError(.cannotStart, "\(directory) is not a directory of this user's, for ssh's master sockets")
      }
      chmod(directory, 0o700)
    } catch let error as ActionError {
      throw error
    } catch {
      throw ActionError(.cannotStart, "cannot create \(directory) for ssh's master sockets: \(error.localizedDescription)")
    }
    return directory
  }
}
