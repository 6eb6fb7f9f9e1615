import Crypto
import Foundation
import RunbookActions
import RunbookKit

/// The engine's own executable on an inventory host (`runbook agent`): reads one request as
/// JSON on stdin, runs it with the same code that runs actions locally, and prints
/// `AgentMessage` lines on stdout (docs/running.md, "Steps on hosts").
///
/// When the engine's connection drops, the agent does not stop the action: like a local
/// command after the engine died, it runs to its end, and a resume asks whether it still runs.
public enum ActionAgent {
  /// The largest request read: inputs are bounded by the argument limits long before this.
  static let requestLimit = 64 << 20

  /// Serves one request from stdin; gives the exit status.
  public static func serve(version: String) async -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    signal(SIGHUP, SIG_IGN)
    let data = FileHandle.standardInput.readData(ofLength: requestLimit)
    guard let json = JSONValue.parse(String(decoding: data, as: UTF8.self)), let request = AgentRequest(json: json) else {
      FileHandle.standardError.write(Data("runbook agent: stdin does not hold a request (docs/running.md, \"Steps on hosts\")\n".utf8))
      return 2
    }
    let out = MessageWriter()
    switch request {
    case .identity(let hash):
      out.send(.identity(sha256: hash ? executableSHA256() ?? "" : "", bootID: ProcessIdentity.bootID, version: version))
    case .process(let group, let bootID):
      out.send(.process(running: bootID == ProcessIdentity.bootID && ProcessGroup.leaderIsAlive(group)))
    case .run(let run):
      out.send(await perform(run, out: out))
    }
    return 0
  }

  private static func perform(_ run: AgentRun, out: MessageWriter) async -> AgentMessage {
    let environment = ProcessInfo.processInfo.environment
    let descriptor: ActionDescriptor
    if let builtin = BuiltinActions.registry[run.action] {
      descriptor = builtin
    } else if let plugin = ActionCatalog.load(environment: environment).registry[run.action] {
      descriptor = plugin
    } else {
      return .failure(code: ActionError.Code.cannotStart.rawValue, message: "this host has no action \(run.action)", outputs: [:])
    }
    var input: ResolvedInput
    do {
      input = try descriptor.resolved(run.values)
    } catch {
      return .failure(code: ActionError.Code.invalidInput.rawValue, message: error.message(action: run.action), outputs: [:])
    }
    input.bindings = run.bindings
    let bootID = ProcessIdentity.bootID
    let context = ActionContext(
      runID: run.runID, step: run.step, iteration: run.iteration, environment: environment,
      output: { out.send(.output($0)) }, interruption: Interruption(),
      processStarted: { group, _ in out.send(.started(group: group, bootID: bootID)) },
      runCheck: { name, inputs in
        guard let check = BuiltinActions.registry[name], check.effect == .readOnly else {
          throw ActionError(.invalidInput, "\(name) is not a read-only action")
        }
        return try await check.run(try check.resolved(inputs), quietContext(for: run)).outputs
      },
      evaluateExpect: { _, _ in throw ActionError(.invalidInput, "expressions are evaluated by the engine, not on a host") })
    do {
      return .result(try await descriptor.run(input, context).outputs)
    } catch let error as ActionError {
      return .failure(code: error.code.rawValue, message: error.message, outputs: error.outputs)
    } catch {
      return .failure(code: ActionError.Code.failed.rawValue, message: "\(error)", outputs: [:])
    }
  }

  /// A quiet context for a check run by an action on the host.
  private static func quietContext(for run: AgentRun) -> ActionContext {
    ActionContext(
      runID: run.runID, step: run.step, iteration: run.iteration, environment: ProcessInfo.processInfo.environment, output: { _ in },
      interruption: Interruption(), runCheck: { _, _ in [:] }, evaluateExpect: { _, _ in .null })
  }

  /// The sha256 of the running executable, which names it in the hosts' agent cache.
  public static func executableSHA256(path: String = "/proc/self/exe") -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    var hash = SHA256()
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hash.update(data: chunk) }
    return hash.finalize().map { String(format: "%02x", $0) }.joined()
  }
}

/// Writes whole message lines to stdout from any thread; a closed stdout (the engine's
/// connection dropped) is ignored so the action still runs to its end.
final class MessageWriter: @unchecked Sendable {
  private let lock = NSLock()

  func send(_ message: AgentMessage) {
    let bytes = Array((message.json.serialized(pretty: false) + "\n").utf8)
    lock.withLock {
      var offset = 0
      while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written < 0 {
          if errno == EINTR { continue }
          return
        }
        offset += written
      }
    }
  }
}
