import Foundation
import RunbookKit

/// The state directory of docs/running.md, "State directory": `--state-dir`, else `$RUNBOOK_STATE_DIR`, else
/// `$XDG_STATE_HOME/runbook`, else `~/.local/state/runbook`; created 0700.
public struct StateDirectory: Sendable {
  public var path: String
  /// True when the path is not the default one (given, or from the environment): a hint that
  /// an operator pastes elsewhere must then name it.
  public var isChosen: Bool { path != fallback }
  private var fallback: String

  public init(explicit: String?, environment: [String: String]) {
    fallback = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/runbook"
    if let explicit, !explicit.isEmpty {
      path = explicit
    } else if let fromEnvironment = environment["RUNBOOK_STATE_DIR"], !fromEnvironment.isEmpty {
      path = fromEnvironment
    } else if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
      path = xdg + "/runbook"
    } else {
      path = fallback
    }
  }

  /// The journal database inside it.
  public var databasePath: String { path + "/journal.sqlite" }

  /// Creates the directory and its parents (0700) if needed, then trusts it only as OpenSSH
  /// trusts `~/.ssh` (docs/running.md, "State directory"): owned by the current user and not writable by others, in
  /// ancestors that only their owner (root or the user) can change; and every journal file in
  /// it a regular file of ours, not a symlink. Nothing is chmod'ed: a loose directory is refused
  /// with what to fix, since someone else may already have written to it.
  public func prepare() throws {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      prefix += "/" + component
      if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
        throw StateStoreError(.storage, "cannot create \(prefix): \(String(cString: strerror(errno)))")
      }
    }
    try checkTrust()
  }

  /// Whether a journal is there, trusted as `prepare` trusts it; creates nothing, so looking up
  /// a run in the wrong place leaves no empty directories behind.
  public func existingJournal() throws -> Bool {
    var info = stat()
    guard lstat(databasePath, &info) == 0 else { return false }
    try checkTrust()
    return true
  }

  private func checkTrust() throws {
    guard let resolved = realpath(path, nil) else {
      throw StateStoreError(.storage, "cannot resolve \(path): \(String(cString: strerror(errno)))")
    }
    let real = String(cString: resolved)
    free(resolved)
    let me = geteuid()
    var info = stat()
    guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
      throw StateStoreError(.storage, "\(path) is not a directory")
    }
    guard info.st_uid == me else {
      throw StateStoreError(.storage, "\(path) is owned by uid \(info.st_uid), not by you (uid \(me)); a state directory must be yours: choose another --state-dir, or chown it if its journal is yours")
    }
    guard info.st_mode & 0o022 == 0 else {
      throw StateStoreError(.storage, "\(path) is writable by others (mode \(String(info.st_mode & 0o7777, radix: 8))); check that its journal is yours, then chmod 700 \(path)")
    }
    var ancestor = (real as NSString).deletingLastPathComponent
    while true {
      guard stat(ancestor, &info) == 0 else { break }
      let sticky = info.st_mode & S_ISVTX != 0
      if info.st_uid != 0 && info.st_uid != me {
        throw StateStoreError(.storage, "\(ancestor), above the state directory, is owned by uid \(info.st_uid): that user can replace the journal; choose a --state-dir under a directory of yours")
      }
      if info.st_mode & 0o022 != 0 && !sticky {
        throw StateStoreError(.storage, "\(ancestor), above the state directory, is writable by others (mode \(String(info.st_mode & 0o7777, radix: 8))), who can replace the journal; choose a --state-dir under a directory only you can change")
      }
      if ancestor == "/" { break }
      ancestor = (ancestor as NSString).deletingLastPathComponent
    }
    for suffix in ["", "-wal", "-shm"] { try Self.checkJournalFile(databasePath + suffix, me: me) }
  }

  /// A journal file, if it exists, must be a regular file (not a symlink), ours, and not
  /// writable by others.
  static func checkJournalFile(_ file: String, me: uid_t) throws {
    var info = stat()
    guard lstat(file, &info) == 0 else { return }
    guard info.st_mode & S_IFMT == S_IFREG else {
      let kind = info.st_mode & S_IFMT == S_IFLNK ? "a symlink" : "not a regular file"
      throw StateStoreError(.storage, "\(file) is \(kind); the journal is opened only as a regular file: remove it")
    }
    guard info.st_uid == me else {
      throw StateStoreError(.storage, "\(file) is owned by uid \(info.st_uid), not by you (uid \(me)): it is not your journal")
    }
    guard info.st_mode & 0o022 == 0 else {
      throw StateStoreError(.storage, "\(file) is writable by others (mode \(String(info.st_mode & 0o7777, radix: 8))): check it, then chmod 600 \(file)")
    }
  }
}
