import RunbookKit

/// Runs a script under `/bin/sh -e`.
public struct ShellAction: Action {
  public static let name = "shell"
  public static let summary = "Run a script under /bin/sh -e"
  public static let effect = Effect.mutating
  public static let idempotent = false
  public static let inputs = [InputSpec("run", .string, required: true, "The script")] + ProcessInputs.common
  public static let outputs = ProcessInputs.outputs

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let script = (input.text("run") ?? "").trimmingCharacters(in: .newlines)
    let prefix = ProcessInputs.cwdPrefix(input["cwd"]) + ProcessInputs.envPrefix(input["env"])
    return ActionPreview("run a shell script", commands: [prefix + "/bin/sh -e -c " + (script.contains("\n") ? "'\n" + script + "\n'" : ShellQuoting.quote(script))])
  }
}

import Foundation
