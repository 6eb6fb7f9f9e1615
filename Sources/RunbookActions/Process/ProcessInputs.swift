import RunbookKit

/// Inputs and outputs shared by `exec` and `shell`.
enum ProcessInputs {
  static let common: [InputSpec] = [
    InputSpec("env", .environment, "Environment variables added for the command"),
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

  /// Runs `argv` with the common inputs (env, cwd, timeout, parse) and turns the outcome into
  /// the outputs every process action declares; a non-zero exit is a failure carrying them.
  static func run(_ argv: [String], _ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    guard let program = argv.first, !program.isEmpty else {
      throw ActionError(.invalidInput, "nothing to run: the command is empty")
    }
    var environment = context.environment
    if case .map(let extra)? = input["env"] {
      for (key, value) in extra {
        guard InputType.isEnvironmentName(key) else {
          throw ActionError(.invalidInput, "env: '\(key.debugDescription.dropFirst().dropLast())' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
        }
        environment[key] = value.plainText
      }
    }
    for (key, value) in input.bindings { environment[key] = value.plainText }
    let added = (input.bindings.keys.map { $0 } + (input["env"].flatMap { if case .map(let m) = $0 { Array(m.keys) } else { nil } } ?? []))
    if let problem = ArgumentLimits.problem(argv: argv, environment: added.compactMap { key in environment[key].map { "\(key)=\($0)" } }) {
      throw ActionError(.invalidInput, problem)
    }
    let child = ChildProcess(argv: argv, environment: environment, workingDirectory: input.text("cwd"), timeout: input.duration("timeout"))
    let outcome = try await child.run(in: context)
    var outputs: [String: Value] = [
      "stdout": .string(outcome.stdout),
      "stderr_tail": .string(outcome.stderrTail),
      "exit_code": .int(Int64(outcome.exitCode)),
      "lines": .list(outcome.stdout.split(separator: "\n").map { .string(String($0)) }),
    ]
    if outcome.timedOut {
      throw ActionError(.timedOut, "\(program) did not finish within \(input.text("timeout") ?? ""); its process group was killed", outputs: outputs)
    }
    guard outcome.exitCode == 0 else {
      let reason = outcome.signal.map { "was killed by signal \($0)" } ?? "exited with status \(outcome.exitCode)"
      let detail = outcome.stderrTail.split(separator: "\n").last.map { ": \($0)" } ?? ""
      throw ActionError(.failed, "\(program) \(reason)\(detail)", outputs: outputs)
    }
    if input.text("parse") == "json" {
      guard let json = JSONValue.parse(outcome.stdout) else {
        throw ActionError(.failed, "\(program) printed output that is not JSON (parse: json)", outputs: outputs)
      }
      outputs["json"] = Value(json)
    }
    return ActionResult(outputs)
  }
}
