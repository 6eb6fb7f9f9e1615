import RunbookKit

/// Inputs and outputs shared by `exec` and `shell`.
enum ProcessInputs {
  static let common: [InputSpec] = [
    InputSpec("env", .map, "Environment variables added for the command"),
    InputSpec("cwd", .path, "Working directory"),
    InputSpec("timeout", .duration, "Kill the command's process tree after this long"),
    InputSpec("parse", .choice(["text", "json"]), default: .string("text"), "json: parse stdout into the 'json' output"),
  ]

  static let outputs: [OutputSpec] = [
    OutputSpec("stdout", "string", "Standard output, whole"),
    OutputSpec("stderr_tail", "string", "The last lines of standard error"),
    OutputSpec("exit_code", "int", "The exit status"),
    OutputSpec("lines", "list", "Standard output split into lines"),
    OutputSpec("json", "any", "Standard output parsed as JSON, with parse: json"),
  ]

  /// `KEY=VALUE` words for the env input, shown before the command.
  static func envPrefix(_ env: Value?) -> String {
    guard case .map(let m)? = env, !m.isEmpty else { return "" }
    return m.keys.sorted().map { "\($0)=\(ShellQuoting.word(m[$0]!))" }.joined(separator: " ") + " "
  }

  static func cwdPrefix(_ cwd: Value?) -> String {
    guard let cwd else { return "" }
    return "cd \(ShellQuoting.word(cwd)) && "
  }
}
