import Foundation

/// Reads a file named as input (a runbook, a plan, a params file): only a regular file, opened
/// without blocking so a FIFO or a device is refused rather than waited on or read forever
/// (docs/running.md, "What input is refused"), and no larger than `limit`.
public enum InputFile {
  public enum Failure: Error, Equatable, Sendable {
    case missing
    case notRegular(String)
    case tooLarge(Int, limit: Int)
    case unreadable(String)

    /// Why, as a diagnostic says it.
    public var reason: String {
      switch self {
      case .missing: "no such file"
      case .notRegular(let kind): "it is \(kind), not a regular file"
      case .tooLarge(let size, let limit): "the file is \(size) bytes; the limit is \(limit) bytes"
      case .unreadable(let why): why
      }
    }
  }

  /// The largest input file read: plans and params files hold runbook text and values.
  public static let defaultLimit = 16 << 20

  public static func read(_ path: String, limit: Int = defaultLimit) -> Result<[UInt8], Failure> {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
    guard fd >= 0 else {
      return .failure(errno == ENOENT ? .missing : .unreadable(String(cString: strerror(errno))))
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
    guard info.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular(kind(info.st_mode))) }
    guard Int(info.st_size) <= limit else { return .failure(.tooLarge(Int(info.st_size), limit: limit)) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(info.st_size))
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return .failure(.unreadable(String(cString: strerror(errno))))
      }
      if count == 0 { break }
      bytes += buffer[..<count]
      if bytes.count > limit { return .failure(.tooLarge(bytes.count, limit: limit)) }
    }
    return .success(bytes)
  }

  /// Whether `path` is a regular file, without opening it.
  public static func isRegular(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
  }

  private static func kind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFDIR: "a directory"
    case S_IFIFO: "a FIFO"
    case S_IFCHR: "a character device"
    case S_IFBLK: "a block device"
    case S_IFSOCK: "a socket"
    default: "not a regular file"
    }
  }
}
