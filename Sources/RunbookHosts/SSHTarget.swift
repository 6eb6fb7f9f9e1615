import RunbookKit

/// How the system's OpenSSH client reaches one inventory host: its options, in an order that
/// keeps the engine's guarantees (docs/running.md, "Steps on hosts").
///
/// ssh takes the first value it is given for an option, so what the engine insists on comes
/// first (no prompts, strict host keys, its own master socket), then the inventory's
/// `ansible_ssh_common_args`, then defaults the inventory may override.
struct SSHTarget: Sendable {
  var host: InventoryHost
  /// `ControlPath`: this run's socket for this host, short enough for a Unix socket.
  var controlPath: String

  static let insisted = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"]
  static let defaults = ["-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3"]

  /// `ssh` with every option for this host and `extra`, then the destination and `command`.
  func arguments(_ extra: [String], command: [String] = []) -> [String] {
    let connection = host.connection
    var argv = ["ssh"] + Self.insisted + ["-o", "ControlPath=\(controlPath)"] + extra
    if let port = connection.port { argv += ["-p", String(port)] }
    if let user = connection.user { argv += ["-l", user] }
    if let key = connection.privateKeyFile { argv += ["-i", key] }
    argv += connection.commonArgs + Self.defaults
    return argv + ["--", connection.address] + command
  }

  /// `address:port` as messages name where the host is.
  var endpoint: String {
    let address = host.connection.address.contains(":") ? "[\(host.connection.address)]" : host.connection.address
    return "\(address):\(host.connection.port ?? 22)"
  }

  /// A remote command as root (or `user`) through `sudo -n`, which fails at once where it
  /// would ask a password.
  static func becoming(_ user: String?, _ command: [String]) -> [String] {
    ["sudo", "-n"] + (user.map { ["-u", ShellQuoting.word(.string($0))] } ?? []) + ["--"] + command
  }
}
