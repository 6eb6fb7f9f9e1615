import Foundation
import RunbookKit

/// Reads what `runbook-action-NAME describe` prints (schemas/action-plugin.schema.json) into a
/// descriptor whose `run` talks to the same executable.
enum PluginDescription {
  static let describeTimeout: TimeInterval = 10

  static func describe(executable: String, expectedName: String) throws -> ActionDescriptor {
    let output = try runDescribe(executable)
    guard let json = JSONValue.parse(output), case .object = json else {
      throw ActionError(.brokenPlugin, "'describe' printed something that is not a JSON object: \(output.prefix(120))")
    }
    guard let name = json["name"]?.stringValue, !name.isEmpty else { throw ActionError(.brokenPlugin, "'describe' gave no name") }
    guard name.replacingOccurrences(of: ".", with: "-") == expectedName else {
      throw ActionError(.brokenPlugin, "'describe' says its name is '\(name)', but the executable is named for '\(expectedName)'")
    }
    guard let effectText = json["effect"]?.stringValue, let effect = Effect(rawValue: effectText) else {
      throw ActionError(.brokenPlugin, "'describe' gave no effect (read-only, mutating or destructive)")
    }
    guard case .bool(let idempotent)? = json["idempotent"] else { throw ActionError(.brokenPlugin, "'describe' gave no idempotent (true or false)") }
    let inputs = try list(json["inputs"], "inputs").map(input)
    let outputs = try list(json["outputs"], "outputs").map { item -> OutputSpec in
      guard let outputName = item["name"]?.stringValue else { throw ActionError(.brokenPlugin, "an output has no name") }
      return OutputSpec(outputName, item["type"]?.stringValue ?? "any", item["description"]?.stringValue ?? "")
    }
    let summary = json["summary"]?.stringValue ?? "External action \(name)"
    let plugin = PluginRunner(executable: executable, name: name)
    return ActionDescriptor(
      name: name, summary: summary, effect: effect, idempotent: idempotent, inputs: inputs, outputs: outputs,
      describe: { input in
        let shown = inputs.compactMap { spec in input[spec.name].map { "\(spec.name)=\(ShellQuoting.word($0))" } }
        return ActionPreview("run plugin \(name)", commands: [([executable, "run"] + shown).joined(separator: " ")])
      },
      run: { input, context in try await plugin.run(input, in: context) }, executable: executable)
  }

  private static func list(_ value: JSONValue?, _ field: String) throws -> [JSONValue] {
    switch value {
    case nil, .null?: return []
    case .array(let items)?: return items
    default: throw ActionError(.brokenPlugin, "'\(field)' must be a list")
    }
  }

  private static func input(_ item: JSONValue) throws -> InputSpec {
    guard let name = item["name"]?.stringValue else { throw ActionError(.brokenPlugin, "an input has no name") }
    let typeName = item["type"]?.stringValue ?? "any"
    let type: InputType
    switch typeName {
    case "string": type = .string
    case "int": type = .int
    case "bool": type = .bool
    case "duration": type = .duration
    case "path": type = .path
    case "list": type = .list
    case "map": type = .map
    case "any": type = .any
    case "choice":
      guard case .array(let words)? = item["choices"] else { throw ActionError(.brokenPlugin, "input \(name): a choice needs 'choices'") }
      type = .choice(words.compactMap(\.stringValue))
    default: throw ActionError(.brokenPlugin, "input \(name) has an unknown type '\(typeName)'")
    }
    let required: Bool
    if case .bool(let flag)? = item["required"] { required = flag } else { required = false }
    return InputSpec(name, type, required: required, default: item["default"].map { Value($0) }, item["description"]?.stringValue ?? "")
  }

  /// `EXECUTABLE describe`, with a time limit; its stdout, or the reason it failed.
  private static func runDescribe(_ executable: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["describe"]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw ActionError(.brokenPlugin, "cannot run 'describe': \(error.localizedDescription)")
    }
    let deadline = Date().addingTimeInterval(describeTimeout)
    let stdout = DataBox()
    let reader = Thread { stdout.data = out.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    while process.isRunning {
      if Date() > deadline {
        killTree(process.processIdentifier)
        process.waitUntilExit()
        throw ActionError(.brokenPlugin, "'describe' did not answer within \(Int(describeTimeout))s; it and its children were killed")
      }
      usleep(5_000)
    }
    while !reader.isFinished { usleep(1_000) }
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard process.terminationStatus == 0 else {
      let detail = stderr.split(separator: "\n").last.map { ": \($0)" } ?? ""
      throw ActionError(.brokenPlugin, "'describe' exited with status \(process.terminationStatus)\(detail)")
    }
    return String(decoding: stdout.data, as: UTF8.self)
  }
}

/// SIGKILLs `pid` and every process descended from it, children first stopped so none can fork
/// away: a hung plugin leaves nothing behind to hold its pipes open.
private func killTree(_ pid: Int32) {
  var victims = [pid]
  var frontier = [pid]
  kill(pid, SIGSTOP)
  while !frontier.isEmpty {
    let parents = Set(frontier)
    frontier = []
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
      guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      if fields.count > 1, let parent = Int32(fields[1]), parents.contains(parent), !victims.contains(child) {
        kill(child, SIGSTOP)
        victims.append(child)
        frontier.append(child)
      }
    }
  }
  for victim in victims { kill(victim, SIGKILL) }
}

/// What the reader thread read, handed to the waiting thread after it finished.
private final class DataBox: @unchecked Sendable {
  var data = Data()
}
