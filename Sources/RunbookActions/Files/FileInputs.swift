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
    do {
      try body()
    } catch let error as ActionError {
      throw error
    } catch let error as POSIXError {
      throw ActionError(.failed, "cannot \(what): \(String(cString: strerror(error.code.rawValue)))", cause: error)
    } catch {
      throw ActionError(.failed, "cannot \(what): \(error)", cause: error)
    }
  }
}
