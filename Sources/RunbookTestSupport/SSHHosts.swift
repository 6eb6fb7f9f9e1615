import Foundation
import XCTest

/// Real OpenSSH servers started by the harness, one per test host: each is the machine's own
/// `/usr/sbin/sshd` (Debian `openssh-server`), not a stub, reached with the machine's own `ssh`.
///
/// A host is an sshd listening on its own random loopback address (127.A.B.C, never 127.0.x.x;
/// port 22 when that is free there, as in real inventories), started as
/// `unshare --mount --uts --propagation private sh -c '...; exec sshd -D -e -f CONFIG'`: its own
/// hostname, and its own copy of the directories a runbook writes (`privateDirectories`, /tmp,
/// the logins' homes, /etc/hosts naming itself, an overlay on /etc/ssl/certs) mounted over the
/// machine's, so that what one host writes there neither the other hosts nor the machine see.
/// The copy lives in the harness directory (`NAME/fs/...`) and outlives `stop`, as a real disk
/// outlives sshd; /usr, /opt and the rest are the machine's, so a host runs what the machine
/// has (etcd, openssl, sh).
///
/// Logins: `root`, `runbook-op` (may `sudo -n` anything) and `runbook-nosudo` (sudo asks it for
/// a password), all with one client key (`clientKey`). Each host has its own ed25519 host key,
/// listed in `knownHosts`. ssh is always run with `-F /dev/null` and these files, so tests never
/// read or write the real ~/.ssh.
///
/// Needs root, `unshare`, `nsenter`, `sshd`, `ssh`, `ssh-keygen`, `sudo` and `useradd`; the
/// machine is changed only where hosts need it, idempotently: the two users (password field
/// `*`, as `UsePAM no` refuses a locked one), `/etc/sudoers.d/runbook-op`, `/run/sshd` and the
/// empty mount points. Every sshd, and every process a session left in its namespace, is killed
/// by `stop`, `stopAll` or deinit; every wait is bounded.
public final class SSHHosts {
  public struct Host: Sendable {
    public let name: String
    public let address: String
    public let port: Int
    /// Its host key's public half, `ssh-ed25519 AAAA...`.
    public let hostKey: String
    /// How ssh names it in known_hosts: the address on port 22, `[address]:port` otherwise.
    public var knownHostsName: String { port == 22 ? address : "[\(address)]:\(port)" }
  }

  public enum Failure: Error, CustomStringConvertible {
    case unavailable(String)
    case notListening(host: String, log: String)
    case notRunning(host: String)
    case setup(String)
    public var description: String {
      switch self {
      case .unavailable(let reason): "SSH test hosts cannot run here: \(reason)"
      case .notListening(let host, let log): "the sshd of \(host) did not listen within \(Int(SSHHosts.listenTimeout)) s; its log:\n\(log)"
      case .notRunning(let host): "\(host) is stopped, or no such host"
      case .setup(let what): "preparing the SSH test hosts: \(what)"
      }
    }
  }

  /// The non-root login that may `sudo -n` anything without a password.
  public static let sudoUser = "runbook-op"
  /// The non-root login sudo refuses: it would ask for a password, so `sudo -n` fails at once.
  public static let plainUser = "runbook-nosudo"
  /// Directories each host has its own copy of besides /tmp and the homes: what runbooks for
  /// kubeadm, kubespray and etcd write. Besides, each host sees the machine's `/etc/ssl/certs`
  /// through an overlay of its own, so `update-ca-certificates` on a host changes only that host.
  public static let privateDirectories = [
    "/etc/kubernetes", "/etc/etcd", "/etc/ssl/etcd", "/usr/local/share/ca-certificates",
    "/var/lib/etcd", "/var/lib/kubelet", "/var/lib/runbook", "/var/cache/runbook",
  ]

  /// The harness directory: client key, known_hosts, and per host its config, keys, log, files.
  public let directory: String
  /// The private key every login accepts (its public half is beside it with `.pub`).
  public let clientKey: String
  /// known_hosts listing every host with its key.
  public let knownHosts: String
  public private(set) var hosts: [Host] = []

  private let scratch: ScratchDirectory
  /// The pid of each started host's sshd master (a `ChildProcess`) and its mount namespace
  /// (`mnt:[INODE]`).
  private var servers: [String: (pid: pid_t, namespace: String)] = [:]

  /// Why hosts cannot be started here, or nil when they can.
  public static var unavailableReason: String? {
    if geteuid() != 0 { return "they need root (mount namespaces, useradd, sudoers)" }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let missing = ["unshare", "nsenter", "ssh", "ssh-keygen", "sudo"].filter { tool in
      !path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    } + ["/usr/sbin/sshd", "/usr/sbin/useradd"].filter { !FileManager.default.isExecutableFile(atPath: $0) }
    return missing.isEmpty ? nil : "\(missing.joined(separator: ", ")) missing (Debian: apt-get install openssh-server openssh-client sudo)"
  }

  /// Skips the calling test when hosts cannot run here (not root, a tool missing), unless
  /// `RUNBOOK_REQUIRE_ETCD` is set (as in CI), where `init` must then fail the test instead.
  public static func requireAvailable() throws {
    if let reason = unavailableReason, ProcessInfo.processInfo.environment["RUNBOOK_REQUIRE_ETCD"] == nil {
      throw XCTSkip("SSH test hosts: \(reason); CI has them and sets RUNBOOK_REQUIRE_ETCD=1")
    }
  }

  /// How long a started sshd may take to listen: generous, for a machine busy with builds.
  static let listenTimeout: TimeInterval = 30

  /// Starts one host per name, each awaited listening (at most `listenTimeout` each).
  public init(names: [String] = ["node1", "node2", "node3"]) throws {
    if let reason = Self.unavailableReason { throw Failure.unavailable(reason) }
    scratch = try ScratchDirectory("sshhosts")
    directory = scratch.path
    clientKey = directory + "/client_ed25519"
    knownHosts = directory + "/known_hosts"
    // Every login reads authorized_keys from here, as itself.
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
    try Self.prepareMachine()
    try Self.shell("ssh-keygen -q -t ed25519 -N '' -C runbook-tests -f \"$1\" && cp \"$1.pub\" \"$2\"", [clientKey, directory + "/authorized_keys"])
    do {
      for name in names {
        try makeTree(for: name)
        try startNew(name: name, hostKey: try Self.publicKey("\(directory)/\(name)/ssh_host_ed25519_key.pub"))
      }
      try writeKnownHosts(to: knownHosts)
    } catch {
      stopAll()
      throw error
    }
  }

  deinit { stopAll() }

  /// The host named `name`; a test naming a host that does not exist is a mistake in the test.
  public func host(_ name: String) -> Host {
    guard let host = hosts.first(where: { $0.name == name }) else { preconditionFailure("no test host \(name)") }
    return host
  }

  /// The ssh options every connection uses besides the key: no config file, only `knownHosts`
  /// (or the given file) trusted, strict host keys, never a prompt, a bounded connect.
  public func commonSSHOptions(knownHosts file: String? = nil) -> [String] {
    [
      "-F", "/dev/null", "-o", "UserKnownHostsFile=\(file ?? knownHosts)", "-o", "GlobalKnownHostsFile=/dev/null",
      "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=5",
    ]
  }

  /// The argv to reach `name` as `user` with the system ssh, up to the destination: append the
  /// remote command. `options` (`-o ControlMaster=auto`, ...) go before the destination.
  public func sshArguments(for name: String, user: String = "root", knownHosts file: String? = nil, options: [String] = []) -> [String] {
    let host = host(name)
    return ["ssh"] + commonSSHOptions(knownHosts: file) + ["-i", clientKey] + options + ["-p", String(host.port), "\(user)@\(host.address)"]
  }

  /// An Ansible INI inventory naming every host with `ansible_host`, `ansible_port`,
  /// `ansible_user`, `ansible_ssh_private_key_file` and `ansible_ssh_common_args` (the common
  /// options), then the `groups` (a key may be `etcd:children`, its members then groups) and
  /// `vars` under `[all:vars]`, both in name order.
  public func inventoryINI(groups: [String: [String]] = [:], vars: [String: String] = [:], user: String = "root", knownHosts file: String? = nil) -> String {
    let common = commonSSHOptions(knownHosts: file).joined(separator: " ")
    var lines = hosts.map {
      "\($0.name) ansible_host=\($0.address) ansible_port=\($0.port) ansible_user=\(user) ansible_ssh_private_key_file=\(clientKey) ansible_ssh_common_args='\(common)'"
    }
    for (group, members) in groups.sorted(by: { $0.key < $1.key }) { lines += ["", "[\(group)]"] + members }
    if !vars.isEmpty { lines += ["", "[all:vars]"] + vars.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" } }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes a known_hosts file with every host except those `without`, and with a key of its own
  /// for those in `wrongKey` (a changed host key); returns its path.
  public func knownHostsFile(without: [String] = [], wrongKey: [String] = []) throws -> String {
    let impostor = directory + "/impostor_ed25519"
    if !wrongKey.isEmpty && !FileManager.default.fileExists(atPath: impostor) {
      try Self.shell("ssh-keygen -q -t ed25519 -N '' -C impostor -f \"$1\"", [impostor])
    }
    let path = "\(directory)/known_hosts-\(UUID().uuidString.prefix(8))"
    let impostorKey = wrongKey.isEmpty ? "" : try Self.publicKey(impostor + ".pub")
    try writeKnownHosts(to: path, without: Set(without), keys: Dictionary(uniqueKeysWithValues: wrongKey.map { ($0, impostorKey) }))
    return path
  }

  /// Runs `shell` with /bin/sh inside `name`'s namespaces (its mounts and hostname) straight from
  /// the test, not over ssh: to see what a runbook left on the host.
  public func run(_ shell: String, on name: String, timeout: TimeInterval = 10) throws -> TimedCommand.Result {
    guard let server = servers[name] else { throw Failure.notRunning(host: name) }
    return try TimedCommand.run(["nsenter", "-t", String(server.pid), "-m", "-u", "/bin/sh", "-c", shell], timeout: timeout)
  }

  /// Starts a stopped host again on the same address, port and host key, with the files it had.
  public func start(_ name: String) throws {
    guard servers[name] == nil else { return }
    let host = host(name)
    try launch(host)
  }

  /// Kills `name`'s sshd and every process in its mount namespace (what sessions left running),
  /// as a host that went down: connections to it are refused until `start`.
  public func stop(_ name: String) {
    guard let server = servers.removeValue(forKey: name) else { return }
    let deadline = Date().addingTimeInterval(5)
    var reaped = false
    repeat {
      let left = Self.processes(inNamespace: server.namespace)
      for pid in left { kill(pid, SIGKILL) }
      reaped = reaped || ChildProcess.waitForExit(server.pid, timeout: 0) != nil
      if left.isEmpty && reaped { return }
      usleep(10_000)
    } while Date() < deadline
  }

  /// Stops every host.
  public func stopAll() {
    for name in Array(servers.keys) { stop(name) }
  }

  /// Chooses an address (and port) for a new host, prepares its files and starts it; a bind
  /// lost to someone else between the choice and sshd's start is retried on another address.
  private func startNew(name: String, hostKey: String) throws {
    var attempt = 0
    while true {
      attempt += 1
      let (address, port) = try Self.chooseAddress(avoiding: Set(hosts.map(\.address)))
      let host = Host(name: name, address: address, port: port, hostKey: hostKey)
      try writeConfiguration(of: host)
      do {
        try launch(host)
        hosts.append(host)
        return
      } catch Failure.notListening(_, let log) where attempt < 3 && log.contains("Cannot bind any address") {
        continue
      }
    }
  }

  /// Starts `host`'s sshd in new mount and UTS namespaces and waits for its pid file, which sshd
  /// writes once it listens. A `ChildProcess`: sshd closes inherited descriptors, which a
  /// Foundation `Process` takes for its exit.
  private func launch(_ host: Host) throws {
    let state = "\(directory)/\(host.name)"
    try? FileManager.default.removeItem(atPath: state + "/sshd.pid")
    let pid = try ChildProcess.spawn(
      ["unshare", "--mount", "--uts", "--propagation", "private", "/bin/sh", "-c", Self.namespaceScript, "sh", directory, state + "/fs", host.name, state + "/sshd_config", state + "/sshd.log"]
        + Self.privateDirectories + ["/root", "/home/\(Self.sudoUser)", "/home/\(Self.plainUser)", "/etc/hosts"])
    let ownNamespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/mnt")
    let deadline = Date().addingTimeInterval(Self.listenTimeout)
    repeat {
      if ChildProcess.waitForExit(pid, timeout: 0) != nil { break }
      if FileManager.default.fileExists(atPath: state + "/sshd.pid"),
        let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/mnt"),
        namespace != ownNamespace
      {
        servers[host.name] = (pid, namespace)
        return
      }
      usleep(10_000)
    } while Date() < deadline
    kill(pid, SIGKILL)
    _ = ChildProcess.waitForExit(pid, timeout: 5)
    let log = (try? String(contentsOfFile: state + "/sshd.log", encoding: .utf8)) ?? ""
    throw Failure.notListening(host: host.name, log: log.split(separator: "\n").suffix(10).joined(separator: "\n"))
  }

  /// Runs in the new namespaces: names the host, binds its copies over the machine's
  /// directories, then becomes sshd (same pid: the spawned child is the sshd master). Arguments:
  /// harness directory, the host's file tree, its name, sshd config, log, the paths to bind.
  /// /tmp is bound first, but the harness directory may be under it: it is parked on
  /// /var/lib/runbook (covered afterwards anyway) and moved back once the host's /tmp is there.
  /// /etc/ssl/certs is an overlay (copying it took 0.2 s a host); where overlayfs cannot be
  /// mounted (an upper directory on overlayfs, in a container) it is a copy after all.
  private static let namespaceScript = """
    exec >>"$5" 2>&1
    set -eu
    harness=$1 root=$2 config=$4
    hostname "$3"
    shift 5
    mount --bind "$harness" /var/lib/runbook
    mount --bind "$root/tmp" /tmp
    mkdir -p "$harness"
    mount --move /var/lib/runbook "$harness"
    for path in "$@"; do mount --bind "$root$path" "$path"; done
    if ! mount -t overlay overlay -o "lowerdir=/etc/ssl/certs,upperdir=$root/etc/ssl/certs,workdir=$root/.overlay-work" /etc/ssl/certs; then
      [ -e "$root/etc/ssl/certs/ca-certificates.crt" ] || cp -a /etc/ssl/certs/. "$root/etc/ssl/certs"
      mount --bind "$root/etc/ssl/certs" /etc/ssl/certs
    fi
    exec /usr/sbin/sshd -D -e -f "$config"
    """

  /// Makes a new host's files: its host key, an empty directory for each private one
  /// (for /etc/ssl/certs: what the host changed in it), and homes from /etc/skel owned by their
  /// login.
  private func makeTree(for name: String) throws {
    let root = "\(directory)/\(name)/fs"
    for path in Self.privateDirectories + ["/tmp", "/etc/ssl/certs", "/.overlay-work"] {
      try FileManager.default.createDirectory(atPath: root + path, withIntermediateDirectories: true)
    }
    // One shell for it all: a Foundation Process each for ssh-keygen, cp and chown took about a
    // second for three hosts.
    try Self.shell(
      """
      set -e
      ssh-keygen -q -t ed25519 -N '' -C "$2" -f "$1/ssh_host_ed25519_key"
      root=$1/fs
      chmod 1777 "$root/tmp"
      chmod 700 "$root/var/lib/etcd"
      shift 2
      while [ $# -gt 0 ]; do
        mkdir -p "$root$1" && cp -a /etc/skel/. "$root$1" && chown -R "$2:" "$root$1" && chmod 700 "$root$1"
        shift 2
      done
      """, ["\(directory)/\(name)", name, "/root", "root", "/home/\(Self.sudoUser)", Self.sudoUser, "/home/\(Self.plainUser)", Self.plainUser])
  }

  /// Writes `host`'s sshd config and its /etc/hosts, the machine's naming the host at its
  /// address too (sudo resolves its own hostname).
  private func writeConfiguration(of host: Host) throws {
    let state = "\(directory)/\(host.name)"
    let root = state + "/fs"
    let machineHosts = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? "127.0.0.1 localhost\n"
    try (machineHosts + "\(host.address) \(host.name)\n").write(toFile: root + "/etc/hosts", atomically: true, encoding: .utf8)
    try """
      # A test host of RunbookTestSupport.SSHHosts: \(host.name).
      ListenAddress \(host.address):\(host.port)
      HostKey \(state)/ssh_host_ed25519_key
      PidFile \(state)/sshd.pid
      # Under /tmp (world-writable), which StrictModes would refuse.
      AuthorizedKeysFile \(directory)/authorized_keys
      StrictModes no
      # Without PAM a locked password field ("!") refuses even key logins: logins have "*".
      UsePAM no
      PermitRootLogin prohibit-password
      PasswordAuthentication no
      KbdInteractiveAuthentication no
      MaxSessions 50
      MaxStartups 100
      PrintMotd no
      PrintLastLog no
      Subsystem sftp internal-sftp
      LogLevel INFO

      """.write(toFile: state + "/sshd_config", atomically: true, encoding: .utf8)
  }

  /// Runs a setup script with /bin/sh (`$1`... are `arguments`); a failure throws its stderr.
  private static func shell(_ script: String, _ arguments: [String] = []) throws {
    let result = try TimedCommand.run(["/bin/sh", "-c", script, "sh"] + arguments, timeout: 30)
    guard result.status == 0 else { throw Failure.setup("\(script)\n\(arguments)\nfailed (\(result.status)): \(result.stderr)") }
  }

  /// A public key file's `TYPE BASE64`, without the comment.
  private static func publicKey(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
  }

  private func writeKnownHosts(to path: String, without: Set<String> = [], keys: [String: String] = [:]) throws {
    let lines = hosts.filter { !without.contains($0.name) }.map { "\($0.knownHostsName) \(keys[$0.name] ?? $0.hostKey)\n" }
    try lines.joined().write(toFile: path, atomically: true, encoding: .utf8)
  }

  /// What hosts need of the machine, made idempotently: sshd's privilege separation directory,
  /// the mount points, the two logins with an unlocked password field, the sudoers drop-in.
  private static func prepareMachine() throws {
    try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    for path in privateDirectories where !FileManager.default.fileExists(atPath: path) {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }
    for user in [sudoUser, plainUser] where getpwnam(user) == nil {
      // Another test process may be adding it at the same moment: only its absence afterwards fails.
      try? shell("/usr/sbin/useradd -m -s /bin/bash \"$1\"", [user])
      if getpwnam(user) == nil { throw Failure.unavailable("useradd \(user) failed") }
    }
    let shadow = (try? String(contentsOfFile: "/etc/shadow", encoding: .utf8)) ?? ""
    for user in ["root", sudoUser, plainUser] {
      let fields = shadow.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }.first { $0.first.map(String.init) == user }
      if let password = fields?.dropFirst().first, password.hasPrefix("!") {
        try shell("/usr/sbin/usermod -p '*' \"$1\"", [user])
      }
    }
    let sudoers = "/etc/sudoers.d/\(sudoUser)"
    let rule = "# Written by the runbook tests (RunbookTestSupport.SSHHosts).\n\(sudoUser) ALL=(ALL:ALL) NOPASSWD: ALL\n"
    if (try? String(contentsOfFile: sudoers, encoding: .utf8)) != rule {
      // sudo skips names with a dot, so the file is written under one and renamed whole.
      try rule.write(toFile: sudoers + ".new", atomically: false, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o440], ofItemAtPath: sudoers + ".new")
      guard rename(sudoers + ".new", sudoers) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }
  }

  /// A random loopback address outside 127.0.x.x (where 127.0.0.1, 127.0.1.1 and the etcd test
  /// clusters are) on which port 22 is free; after a few tries, one with a free port instead.
  private static func chooseAddress(avoiding used: Set<String>) throws -> (String, Int) {
    func random() -> String { "127.\(Int.random(in: 1...254)).\(Int.random(in: 0...255)).\(Int.random(in: 2...254))" }
    for _ in 0..<5 {
      let address = random()
      if !used.contains(address) && canBind(address, port: 22) { return (address, 22) }
    }
    var address = random()
    while used.contains(address) { address = random() }
    return (address, try EtcdCluster.freePort(on: address))
  }

  /// Whether a listening socket could be bound at `address:port` now (with SO_REUSEADDR, as
  /// sshd binds).
  private static func canBind(_ address: String, port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_port = UInt16(port).bigEndian
    inet_pton(AF_INET, address, &socketAddress.sin_addr)
    return withUnsafePointer(to: &socketAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
  }

  /// The pids whose mount namespace is `namespace` (`mnt:[INODE]`, as /proc/PID/ns/mnt reads).
  private static func processes(inNamespace namespace: String) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry in
      guard let pid = pid_t(entry), (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/ns/mnt")) == namespace else { return nil }
      return pid
    }
  }
}
