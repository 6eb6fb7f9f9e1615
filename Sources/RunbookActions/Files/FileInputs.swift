import Crypto
import Foundation
import RunbookKit

/// Input handling and small helpers shared by the `file.*` actions.
enum FileInputs {
  static func path(_ input: ResolvedInput, _ name: String) throws -> String {
    guard let path = input.text(name), !path.isEmpty else { throw ActionError(.invalidInput, "\(name) is empty") }
    return path
  }

  /// The `mode` input as permission bits, or nil when not given.
  static func mode(_ input: ResolvedInput) throws -> mode_t? {
    guard let text = input.text("mode"), !text.isEmpty else { return nil }
    guard let mode = mode_t(text, radix: 8), mode <= 0o7777 else {
      throw ActionError(.invalidInput, "mode '\(text)' is not octal permission bits such as 0644")
    }
    return mode
  }

  /// lstat of `path`, or nil when it does not exist.
  static func status(_ path: String) -> stat? {
    var info = stat()
    return lstat(path, &info) == 0 ? info : nil
  }

  /// Where a write to `path` lands, and what is there (docs/runbook-format.md, "Files"): a
  /// regular file is replaced keeping its owner and mode; a symlink is written through to its
  /// target, which keeps its owner and mode, and the link stays a link — but only a link owned
  /// by you or root, in a directory others cannot write; a dangling link, or one another user
  /// planted, is refused rather than followed to create a file wherever it points.
  static func writeTarget(_ path: String) throws -> (path: String, existing: stat?) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return (path, nil) }
    guard info.st_mode & S_IFMT == S_IFLNK else {
      guard info.st_mode & S_IFMT == S_IFREG else { throw ActionError(.failed, "cannot write \(path): it is not a regular file") }
      return (path, info)
    }
    let me = geteuid()
    guard info.st_uid == me || info.st_uid == 0 else {
      throw ActionError(.failed, "cannot write \(path): it is a symlink owned by uid \(info.st_uid), not by you or root; refusing to write through it")
    }
    var directory = stat()
    if stat(AtomicFile.directoryOf(path), &directory) == 0, directory.st_mode & 0o022 != 0, info.st_uid != me {
      throw ActionError(.failed, "cannot write \(path): it is a symlink in a directory others can write; refusing to write through it")
    }
    guard let resolved = realpath(path, nil) else {
      let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
      throw ActionError(.failed, "cannot write \(path): it is a symlink to \(target), which does not exist; write the target itself or remove the link")
    }
    let target = String(cString: resolved)
    free(resolved)
    guard stat(target, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      throw ActionError(.failed, "cannot write \(path): it is a symlink to \(target), which is not a regular file")
    }
    return (target, info)
  }

  static func sha256(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).hex
  }

  /// A whole file as UTF-8 text; `what` names it in the error ("the kubeconfig").
  static func text(ofFile path: String, what: String = "") throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
      throw ActionError(.failed, "cannot read \(what.isEmpty ? "" : what + " ")\(path): \(reason)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// A file's sha256, read in chunks so large files do not fill memory.
  static func sha256(ofFile path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw ActionError(.failed, "cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    return hasher.finalize().hex
  }

  /// Runs a file operation, turning system errors into an `ActionError` that says what failed.
  static func perform(_ what: String, _ body: () throws -> Void) throws {
    try performing(what, body)
  }

  /// `perform`, for an operation that gives a value.
  static func performing<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as ActionError {
      throw error
    } catch let error as POSIXError {
      throw ActionError(.failed, "cannot \(what): \(String(cString: strerror(error.code.rawValue)))", cause: error)
    } catch {
      throw ActionError(.failed, "cannot \(what): \(error)", cause: error)
    }
  }
}
