import RunbookKit

/// What the engine asks of the action agent on a host, as one JSON object on the agent's stdin
/// (docs/running.md, "Steps on hosts"): values never pass through a remote shell's parser.
public enum AgentRequest: Sendable, Equatable {
  /// Run one action with its resolved inputs.
  case run(AgentRun)
  /// Who the agent is: the host's boot id, and its executable's sha256 when `hash` (reading the
  /// whole executable: asked once, right after the agent was copied).
  case identity(hash: Bool)
  /// Whether a process group the agent started during boot `bootID` still runs.
  case process(group: Int32, bootID: String)
  /// Stay: every following stdin line is a request with an `id`, answered by lines that carry
  /// it, requests served at once; at the end of stdin the agent finishes what runs, then exits.
  case serve

  public var json: JSONValue {
    switch self {
    case .run(let run): .object([.init("run", run.json)])
    case .identity(let hash): .object([.init("identity", .object([.init("hash", .bool(hash))]))])
    case .process(let group, let bootID):
      .object([.init("process", .object([.init("group", .int(Int64(group))), .init("boot_id", .string(bootID))]))])
    case .serve: .object([.init("serve", .object([]))])
    }
  }

  /// The request as one line of a session, tagged with `id`.
  func line(id: Int) -> String {
    guard case .object(let members) = json else { return "" }
    return JSONValue.object([.init("id", .int(Int64(id)))] + members).serialized(pretty: false) + "\n"
  }

  /// Reads a request; nil when it is not one.
  public init?(json: JSONValue) {
    if let run = json["run"].flatMap(AgentRun.init(json:)) {
      self = .run(run)
    } else if json["serve"] != nil {
      self = .serve
    } else if let identity = json["identity"] {
      self = .identity(hash: identity["hash"] == .bool(true))
    } else if case .int(let group)? = json["process"]?["group"], let bootID = json["process"]?["boot_id"]?.stringValue,
      let group32 = Int32(exactly: group)
    {
      self = .process(group: group32, bootID: bootID)
    } else {
      return nil
    }
  }
}

/// One action to run on a host: its name, its resolved inputs and where it belongs in the run.
public struct AgentRun: Sendable, Equatable {
  public var action: String
  public var values: [String: Value]
  /// The values a shell script reads from its environment (`ResolvedInput.bindings`).
  public var bindings: [String: Value]
  public var runID: String
  public var step: String
  public var iteration: Int?

  public init(action: String, values: [String: Value], bindings: [String: Value], runID: String, step: String, iteration: Int?) {
    self.action = action
    self.values = values
    self.bindings = bindings
    self.runID = runID
    self.step = step
    self.iteration = iteration
  }

  var json: JSONValue {
    var members: [JSONValue.Member] = [
      .init("action", .string(action)), .init("input", Self.object(values)), .init("bindings", Self.object(bindings)),
      .init("run_id", .string(runID)), .init("step", .string(step)),
    ]
    if let iteration { members.append(.init("iteration", .int(Int64(iteration)))) }
    return .object(members)
  }

  init?(json: JSONValue) {
    guard let action = json["action"]?.stringValue, let runID = json["run_id"]?.stringValue, let step = json["step"]?.stringValue,
      let values = Self.values(json["input"]), let bindings = Self.values(json["bindings"])
    else { return nil }
    self.action = action
    self.values = values
    self.bindings = bindings
    self.runID = runID
    self.step = step
    if case .int(let iteration)? = json["iteration"] { self.iteration = Int(iteration) } else { self.iteration = nil }
  }

  static func object(_ values: [String: Value]) -> JSONValue {
    .object(values.keys.sorted().map { .init($0, values[$0]!.json) })
  }

  static func values(_ json: JSONValue?) -> [String: Value]? {
    guard case .object(let members)? = json else { return nil }
    return Dictionary(members.map { ($0.key, Value($0.value)) }, uniquingKeysWith: { a, _ in a })
  }
}
