/// How to reach a host over SSH, read once from its effective variables with the names Ansible
/// gives them, so that the transport never looks at `vars` itself.
public struct HostConnection: Sendable, Equatable {
  /// `ansible_host` (or the older `ansible_ssh_host`), else the inventory name.
  public var address: String
  /// `ansible_port` (or `ansible_ssh_port`) when it is a number from 1 to 65535; the loader
  /// reports any other value (H711).
  public var port: Int?
  /// `ansible_user` (or `ansible_ssh_user`).
  public var user: String?
  /// `ansible_ssh_private_key_file`.
  public var privateKeyFile: String?
  /// `ansible_ssh_common_args`, then `ansible_ssh_extra_args`, split into words as a POSIX
  /// shell splits them.
  public var commonArgs: [String]
  /// `ansible_become`, true for Ansible's truthy words (`yes`, `true`, `on`, `y`, `t`, `1`).
  public var become: Bool
  /// `ansible_become_user`.
  public var becomeUser: String?
  /// Why the engine cannot reach the host as its variables say, when it cannot: a connection
  /// other than ssh, arguments that do not split, a NUL that would cut a value short. The
  /// transport refuses such a host before it runs anything there.
  public var unusable: String?

  public init(
    address: String, port: Int? = nil, user: String? = nil, privateKeyFile: String? = nil, commonArgs: [String] = [],
    become: Bool = false, becomeUser: String? = nil
  ) {
    self.address = address
    self.port = port
    self.user = user
    self.privateKeyFile = privateKeyFile
    self.commonArgs = commonArgs
    self.become = become
    self.becomeUser = becomeUser
  }

  /// The connection the variables of the host `name` describe.
  public init(name: String, vars: [String: Value]) {
    func text(_ keys: String...) -> String? {
      keys.lazy.compactMap { vars[$0] }.first.flatMap { $0 == .null ? nil : $0.plainText }
    }
    var problems: [String] = []
    var arguments: [String] = []
    for key in ["ansible_ssh_common_args", "ansible_ssh_extra_args"] {
      guard let words = text(key) else { continue }
      do {
        arguments += try ShellWords.split(words)
      } catch {
        problems.append("\(key) does not split into words as a shell splits them (an unclosed quote?)")
      }
    }
    if let connection = text("ansible_connection"), !["ssh", "smart", "paramiko"].contains(connection) {
      problems.append("ansible_connection is \(connection); the engine reaches hosts over ssh only")
    }
    for key in ["ansible_host", "ansible_ssh_host", "ansible_user", "ansible_ssh_user", "ansible_ssh_private_key_file", "ansible_become_user"]
    where text(key)?.contains("\0") == true {
      problems.append("\(key) holds a NUL character, which would cut it short")
    }
    if name.contains("\0") { problems.append("its name holds a NUL character") }
    self.init(
      address: text("ansible_host", "ansible_ssh_host") ?? name,
      port: text("ansible_port", "ansible_ssh_port").flatMap(Self.port),
      user: text("ansible_user", "ansible_ssh_user"),
      privateKeyFile: text("ansible_ssh_private_key_file"),
      commonArgs: arguments,
      become: vars["ansible_become"].map(Self.isTruthy) ?? false,
      becomeUser: text("ansible_become_user"))
    unusable = problems.isEmpty ? nil : problems.joined(separator: "; ")
  }

  /// A port number from its text: digits only, from 1 to 65535.
  static func port(_ text: String) -> Int? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let n = Int(text), (1...65535).contains(n)
    else { return nil }
    return n
  }

  /// Ansible's `boolean()`: `true`, `1`, and the words `y`, `yes`, `on`, `1`, `true`, `t` in any case.
  static func isTruthy(_ value: Value) -> Bool {
    switch value {
    case .bool(let b): b
    case .int(let i): i == 1
    case .decimal(let d): d == 1
    case .string(let s): ["y", "yes", "on", "1", "true", "t"].contains(s.lowercased())
    default: false
    }
  }
}
