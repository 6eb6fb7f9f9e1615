import Foundation
import RunbookKit

/// Renames a file or directory within one filesystem; a move already done is not an error.
public struct FileMoveAction: Action {
  public static let name = "file.move"
  public static let summary = "Move (rename) a file or directory; refuses to overwrite unless told to"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [
    InputSpec("from", .path, required: true, "What to move"),
    InputSpec("to", .path, required: true, "The new path"),
    InputSpec("overwrite", .bool, default: .bool(false), "Replace an existing file at 'to'"),
  ]
  public static let outputs = [
    OutputSpec("to", "string", "The new path"),
    OutputSpec("changed", "bool", "False when it had already been moved"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    ActionPreview("move \(input.text("from") ?? "") to \(input.text("to") ?? "")", commands: ["mv \(input.text("from") ?? "") \(input.text("to") ?? "")"])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let from = try FileInputs.path(input, "from")
    let to = try FileInputs.path(input, "to")
    let source = FileInputs.status(from)
    let target = FileInputs.status(to)
    if source == nil, target != nil {
      return ActionResult(["to": .string(to), "changed": .bool(false)])
    }
    guard source != nil else { throw ActionError(.failed, "cannot move \(from): it does not exist") }
    if target != nil, input["overwrite"] != .bool(true) {
      throw ActionError(.failed, "cannot move \(from) to \(to): \(to) exists (set overwrite: true to replace it)")
    }
    try FileInputs.perform("move \(from) to \(to)") {
      guard rename(from, to) == 0 else {
        if errno == EXDEV { throw ActionError(.failed, "cannot move \(from) to \(to): they are on different filesystems") }
        throw AtomicFile.posixError(errno)
      }
    }
    AtomicFile.syncDirectory(of: to)
    AtomicFile.syncDirectory(of: from)
    return ActionResult(["to": .string(to), "changed": .bool(true)])
  }
}
