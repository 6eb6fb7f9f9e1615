import Foundation
import RunbookKit

/// Writes a file atomically: a temporary sibling, fsync, rename, fsync of the directory.
public struct FileWriteAction: Action {
  public static let name = "file.write"
  public static let summary = "Write a file atomically (temp file, fsync, rename, fsync the directory)"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [
    InputSpec("path", .path, required: true, "The file to write"),
    InputSpec("content", .string, required: true, "The whole new content"),
    InputSpec("mode", .string, "Permission bits in octal, e.g. 0600 (default: the old file's, else 0644)"),
  ]
  public static let outputs = [
    OutputSpec("path", "string", "The file written"),
    OutputSpec("changed", "bool", "Whether the content or mode differed before"),
    OutputSpec("sha256", "string", "The sha256 of the new content"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let size = input.text("content").map { "\($0.utf8.count) bytes" } ?? "content"
    return ActionPreview("write \(size) to \(input.text("path") ?? "") atomically" + (input.text("mode").map { ", mode \($0)" } ?? ""))
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let (path, existing) = try FileInputs.writeTarget(try FileInputs.path(input, "path"))
    let content = Array((input.text("content") ?? "").utf8)
    let mode = try FileInputs.mode(input) ?? existing.map { $0.st_mode & 0o7777 } ?? 0o644
    let unchanged = existing.map { $0.st_mode & 0o7777 == mode } == true && FileManager.default.contents(atPath: path).map(Array.init) == content
    if !unchanged {
      try FileInputs.perform("write \(path)") {
        try AtomicFile.write(content, to: path, mode: mode, owner: existing.map { ($0.st_uid, $0.st_gid) })
      }
    }
    return ActionResult(["path": .string(path), "changed": .bool(!unchanged), "sha256": .string(FileInputs.sha256(content))])
  }
}
