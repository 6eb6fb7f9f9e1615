import Foundation

/// Writes a file so that a crash or a full disk leaves either the old or the new content: a
/// temporary sibling, fsync, rename, fsync of the directory.
public enum AtomicFile {
  public static func write(_ text: String, to path: String, mode: mode_t) throws {
    try write(Array(text.utf8), to: path, mode: mode)
  }

  /// Writes `bytes` with permission bits `mode`; `owner` (uid, gid), when given, is set on the
  /// new file before it replaces the old one.
  public static func write(_ bytes: [UInt8], to path: String, mode: mode_t, owner: (uid_t, gid_t)? = nil) throws {
    let directory = directoryOf(path)
    removeStaleTemporaries(of: path)
    let temporary = directory + "/" + temporaryPrefix(of: path) + "\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else { throw posixError(errno) }
    var failure: Int32?
    var written = 0
    while written < bytes.count, failure == nil {
      let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno != EINTR { failure = errno }
      } else {
        written += n
      }
    }
    if failure == nil, fchmod(fd, mode) != 0 { failure = errno }
    if failure == nil, let owner, fchown(fd, owner.0, owner.1) != 0 { failure = errno }
    if failure == nil, fsync(fd) != 0 { failure = errno }
    close(fd)
    if failure == nil, rename(temporary, path) != 0 { failure = errno }
    if let failure {
      unlink(temporary)
      throw posixError(failure)
    }
    syncDirectory(of: path)
  }

  /// Removes the temporaries of `path` that a writer killed before its rename left behind:
  /// those whose process no longer runs.
  static func removeStaleTemporaries(of path: String) {
    removeLeftovers(in: directoryOf(path), prefix: temporaryPrefix(of: path), marker: "", suffix: ".tmp")
  }

  /// Removes what killed writers left in `directory`: entries named `PREFIX…MARKER PID…SUFFIX`
  /// whose process no longer runs (files, or whole directory trees).
  public static func removeLeftovers(in directory: String, prefix: String, marker: String, suffix: String = "") {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
      let rest = name.dropFirst(prefix.count)
      guard let start = marker.isEmpty ? rest.startIndex : rest.range(of: marker)?.upperBound,
        let pid = pid_t(rest[start...].prefix(while: \.isNumber)), pid != getpid()
      else { continue }
      if kill(pid, 0) != 0, errno == ESRCH { try? FileManager.default.removeItem(atPath: directory + "/" + name) }
    }
  }

  /// `.NAME.`: what every temporary of `path` is named with, before the writer's pid.
  private static func temporaryPrefix(of path: String) -> String {
    "." + (path as NSString).lastPathComponent + "."
  }

  /// fsyncs the directory holding `path`, so a rename or a new entry in it is durable.
  public static func syncDirectory(of path: String) {
    let fd = open(directoryOf(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
  }

  /// The directory part of a path, "." for a bare name.
  public static func directoryOf(_ path: String) -> String {
    let directory = (path as NSString).deletingLastPathComponent
    return directory.isEmpty ? "." : directory
  }

  public static func posixError(_ code: Int32) -> POSIXError {
    POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
  }
}
