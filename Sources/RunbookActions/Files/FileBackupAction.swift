import Foundation
import RunbookKit

/// Copies (or moves) a file or directory tree to a dated sibling or into a given directory,
/// keeping modes, owners, times and symlinks; the backup appears whole or not at all.
public struct FileBackupAction: Action {
  public static let name = "file.backup"
  public static let summary = "Copy or move a file or directory tree to a dated backup, keeping modes"
  public static let effect = Effect.mutating
  public static let idempotent = false
  public static let inputs = [
    InputSpec("path", .path, required: true, "The file or directory to back up"),
    InputSpec("dest_dir", .path, "Put the backup in this directory (default: next to the source); never inside the source"),
    InputSpec("move", .bool, default: .bool(false), "Move instead of copy (same filesystem only)"),
  ]
  public static let outputs = [
    OutputSpec("backup", "string", "The backup's path: NAME.YYYYMMDD-HHMMSS"),
    OutputSpec("files", "int", "Regular files copied"),
    OutputSpec("bytes", "int", "Bytes copied"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let path = input.text("path") ?? ""
    let destination = (input.text("dest_dir").map { $0 + "/" } ?? "") + ((path as NSString).lastPathComponent) + ".YYYYMMDD-HHMMSS"
    return ActionPreview("\(input["move"] == .bool(true) ? "move" : "copy") \(path) to \(destination)")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let source = try FileInputs.path(input, "path")
    guard FileInputs.status(source) != nil else { throw ActionError(.failed, "cannot back up \(source): it does not exist") }
    let directory = input.text("dest_dir").flatMap { $0.isEmpty ? nil : $0 } ?? AtomicFile.directoryOf(source)
    try refuseInside(directory, source)
    try FileInputs.perform("create \(directory)") {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    let base = (source as NSString).lastPathComponent
    // A copy killed before its rename left `NAME.partial-PID`: the next backup clears it.
    AtomicFile.removeLeftovers(in: directory, prefix: base, marker: ".partial-")
    let destination = Self.freeName(in: directory, base: base)
    if input["move"] == .bool(true) {
      try FileInputs.perform("move \(source) to \(destination)") {
        guard rename(source, destination) == 0 else { throw AtomicFile.posixError(errno) }
      }
      AtomicFile.syncDirectory(of: destination)
      AtomicFile.syncDirectory(of: source)
      return ActionResult(["backup": .string(destination), "files": .int(0), "bytes": .int(0)])
    }
    let partial = destination + ".partial-\(getpid())"
    var copier = TreeCopier()
    do {
      try copier.copy(source, to: partial)
      guard rename(partial, destination) == 0 else { throw AtomicFile.posixError(errno) }
      AtomicFile.syncDirectory(of: destination)
    } catch {
      try? FileManager.default.removeItem(atPath: partial)
      try FileInputs.perform("copy \(source) to \(destination)") { throw error }
    }
    return ActionResult(["backup": .string(destination), "files": .int(Int64(copier.files)), "bytes": .int(copier.bytes)])
  }

  /// Refuses a destination inside the source, which would copy the copy into itself.
  private func refuseInside(_ directory: String, _ source: String) throws {
    let real = { (path: String) -> String in
      var resolved = URL(fileURLWithPath: path).standardizedFileURL.path
      if let pointer = realpath(path, nil) {
        resolved = String(cString: pointer)
        free(pointer)
      }
      return resolved
    }
    let sourceReal = real(source)
    let target = real(directory)
    if target == sourceReal || target.hasPrefix(sourceReal + "/") {
      throw ActionError(.invalidInput, "refusing to back up \(source) into \(directory), which is inside it")
    }
  }

  /// NAME.YYYYMMDD-HHMMSS in `directory`, with -2, -3... when that exists already.
  static func freeName(in directory: String, base: String) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    let stem = directory + "/" + base + "." + formatter.string(from: Date())
    var candidate = stem
    var counter = 2
    while FileInputs.status(candidate) != nil {
      candidate = "\(stem)-\(counter)"
      counter += 1
    }
    return candidate
  }
}

/// Copies a tree: directories, regular files (fsynced), symlinks; modes, owners and times kept.
struct TreeCopier {
  private(set) var files = 0
  private(set) var bytes: Int64 = 0

  mutating func copy(_ source: String, to destination: String) throws {
    var info = stat()
    guard lstat(source, &info) == 0 else { throw AtomicFile.posixError(errno) }
    switch info.st_mode & S_IFMT {
    case S_IFDIR:
      guard mkdir(destination, 0o700) == 0 else { throw AtomicFile.posixError(errno) }
      for entry in try FileManager.default.contentsOfDirectory(atPath: source).sorted() {
        try copy(source + "/" + entry, to: destination + "/" + entry)
      }
      let fd = open(destination, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      if fd >= 0 {
        fsync(fd)
        close(fd)
      }
    case S_IFLNK:
      let target = try FileManager.default.destinationOfSymbolicLink(atPath: source)
      guard symlink(target, destination) == 0 else { throw AtomicFile.posixError(errno) }
      lchown(destination, info.st_uid, info.st_gid)
      return
    case S_IFREG:
      try copyFile(source, to: destination)
    default:
      return  // sockets, devices and fifos are not backed up
    }
    chown(destination, info.st_uid, info.st_gid)
    guard chmod(destination, info.st_mode & 0o7777) == 0 else { throw AtomicFile.posixError(errno) }
    var times = [info.st_atim, info.st_mtim]
    utimensat(AT_FDCWD, destination, &times, 0)
  }

  private mutating func copyFile(_ source: String, to destination: String) throws {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { throw AtomicFile.posixError(errno) }
    defer { close(input) }
    let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard output >= 0 else { throw AtomicFile.posixError(errno) }
    defer { close(output) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = read(input, &buffer, buffer.count)
      if count < 0 {
        if errno == EINTR { continue }
        throw AtomicFile.posixError(errno)
      }
      if count == 0 { break }
      var written = 0
      while written < count {
        let n = buffer[written..<count].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
        if n < 0 {
          if errno == EINTR { continue }
          throw AtomicFile.posixError(errno)
        }
        written += n
      }
      bytes += Int64(count)
    }
    guard fsync(output) == 0 else { throw AtomicFile.posixError(errno) }
    files += 1
  }
}
