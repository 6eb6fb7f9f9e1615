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
}
