import Foundation
import RunbookKit

/// Reads a file's metadata and checksum: a read-only check.
public struct FileStatAction: Action {
  public static let name = "file.stat"
  public static let summary = "Read whether a file exists, its size, mode and sha256"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let inputs = [
    InputSpec("path", .path, required: true, "The file or directory"),
    InputSpec("checksum", .bool, default: .bool(true), "Compute the sha256 of a regular file"),
  ]
  public static let outputs = [
    OutputSpec("exists", "bool", "Whether the path exists"),
    OutputSpec("type", "string", "file, directory, symlink or other"),
    OutputSpec("size", "int", "Size in bytes"),
    OutputSpec("mode", "string", "Permission bits in octal, e.g. 0600"),
    OutputSpec("sha256", "string", "Lowercase hex sha256 of a regular file's content"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    ActionPreview("stat \(input.text("path") ?? "")")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    guard let path = input.text("path"), !path.isEmpty else { throw ActionError(.invalidInput, "file.stat needs a path") }
    var info = stat()
    guard lstat(path, &info) == 0 else {
      if errno == ENOENT || errno == ENOTDIR {
        return ActionResult(["exists": .bool(false), "type": .string(""), "size": .int(0), "mode": .string(""), "sha256": .string("")])
      }
      throw ActionError(.failed, "cannot stat \(path): \(String(cString: strerror(errno)))")
    }
    let kind: String
    switch info.st_mode & S_IFMT {
    case S_IFREG: kind = "file"
    case S_IFDIR: kind = "directory"
    case S_IFLNK: kind = "symlink"
    default: kind = "other"
    }
    var digest = ""
    if kind == "file", input["checksum"] != .bool(false) {
      digest = try FileInputs.sha256(ofFile: path)
    }
    return ActionResult([
      "exists": .bool(true), "type": .string(kind), "size": .int(Int64(info.st_size)),
      "mode": .string("0" + String(info.st_mode & 0o7777, radix: 8)), "sha256": .string(digest),
    ])
  }
}
