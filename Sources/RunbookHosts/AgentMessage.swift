import RunbookKit

/// One line the action agent prints on its stdout, a JSON object each: what the engine learns
/// from the host while an action runs, and how it ended.
public enum AgentMessage: Sendable, Equatable {
  /// The action's command started as the leader of process group `group` during boot `bootID`.
  case started(group: Int32, bootID: String)
  /// A line the action printed.
  case output(OutputLine)
  /// The action succeeded with these outputs.
  case result([String: Value])
  /// The action failed: `ActionError`'s code, message and the outputs known despite it.
  case failure(code: String, message: String, outputs: [String: Value])
  /// The answer to `AgentRequest.identity`; `sha256` is empty when no hash was asked.
  case identity(sha256: String, bootID: String, version: String)
  /// The answer to `AgentRequest.process`.
  case process(running: Bool)

  public var json: JSONValue {
    switch self {
    case .started(let group, let bootID):
      .object([.init("started", .object([.init("group", .int(Int64(group))), .init("boot_id", .string(bootID))]))])
    case .output(let line):
      .object([.init("output", .object([.init("stream", .string(line.stream.rawValue)), .init("text", .string(line.text))]))])
    case .result(let outputs):
      .object([.init("result", .object([.init("outputs", AgentRun.object(outputs))]))])
    case .failure(let code, let message, let outputs):
      .object([
        .init("failure", .object([.init("code", .string(code)), .init("message", .string(message)), .init("outputs", AgentRun.object(outputs))]))
      ])
    case .identity(let sha256, let bootID, let version):
      .object([
        .init("identity", .object([.init("sha256", .string(sha256)), .init("boot_id", .string(bootID)), .init("version", .string(version))]))
      ])
    case .process(let running):
      .object([.init("process", .object([.init("running", .bool(running))]))])
    }
  }

  /// Reads one line; nil when it is not a message.
  public init?(line: String) {
    guard let (_, message) = Self.tagged(line) else { return nil }
    self = message
  }

  /// A line of a session: the request's `id` (nil outside a session) and the message.
  static func tagged(_ line: String) -> (id: Int?, message: AgentMessage)? {
    guard let json = JSONValue.parse(line), case .object(let members) = json else { return nil }
    var id: Int?
    if case .int(let tag)? = json["id"] { id = Int(tag) }
    let bodies = members.filter { $0.key != "id" }
    guard bodies.count == 1, let message = AgentMessage(body: bodies[0]) else { return nil }
    return (id, message)
  }

  /// The line that says this, tagged with the request's `id` in a session.
  func line(id: Int?) -> String {
    guard let id, case .object(let members) = json else { return json.serialized(pretty: false) + "\n" }
    return JSONValue.object([.init("id", .int(Int64(id)))] + members).serialized(pretty: false) + "\n"
  }

  private init?(body: JSONValue.Member) {
    let value = body.value
    switch body.key {
    case "started":
      guard case .int(let group)? = value["group"], let group32 = Int32(exactly: group), let bootID = value["boot_id"]?.stringValue else { return nil }
      self = .started(group: group32, bootID: bootID)
    case "output":
      guard let stream = value["stream"]?.stringValue.flatMap(OutputLine.Stream.init(rawValue:)), let text = value["text"]?.stringValue else { return nil }
      self = .output(OutputLine(stream, text))
    case "result":
      guard let outputs = AgentRun.values(value["outputs"]) else { return nil }
      self = .result(outputs)
    case "failure":
      guard let code = value["code"]?.stringValue, let message = value["message"]?.stringValue, let outputs = AgentRun.values(value["outputs"]) else { return nil }
      self = .failure(code: code, message: message, outputs: outputs)
    case "identity":
      guard let sha256 = value["sha256"]?.stringValue, let bootID = value["boot_id"]?.stringValue, let version = value["version"]?.stringValue else { return nil }
      self = .identity(sha256: sha256, bootID: bootID, version: version)
    case "process":
      guard case .bool(let running)? = value["running"] else { return nil }
      self = .process(running: running)
    default:
      return nil
    }
  }
}
