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

  /// Serves the request on stdin — or, after `serve`, every request of the session, at once —
  /// and gives the exit status.
  public static func serve(version: String) async -> Int32 {
    signal(SIGPIPE, SIG_IGN)
    signal(SIGHUP, SIG_IGN)
    let out = MessageWriter()
    var lines = InputLines.standardInput(limit: requestLimit).makeAsyncIterator()
    guard let first = await lines.next(), let json = JSONValue.parse(first), let request = AgentRequest(json: json) else {
      FileHandle.standardError.write(Data("runbook agent: stdin does not hold a request (docs/running.md, \"Steps on hosts\")\n".utf8))
      return 2
    }
    guard request == .serve else {
      out.send(await answer(request, version: version, out: out, id: nil), id: nil)
      return 0
    }
    await withTaskGroup(of: Void.self) { group in
      while let line = await lines.next(isolation: nil) {
        guard let json = JSONValue.parse(line), case .int(let tag)? = json["id"], let request = AgentRequest(json: json), request != .serve else {
          FileHandle.standardError.write(Data("runbook agent: a session line that is not a request with an id\n".utf8))
          continue
        }
        let id = Int(tag)
        group.addTask { out.send(await answer(request, version: version, out: out, id: id), id: id) }
      }
      // stdin ended (the engine closed the session, or died): what runs, runs to its end.
    }
    return 0
  }

  private static func answer(_ request: AgentRequest, version: String, out: MessageWriter, id: Int?) async -> AgentMessage {
    switch request {
    case .identity(let hash):
      return .identity(sha256: hash ? executableSHA256() ?? "" : "", bootID: ProcessIdentity.bootID, version: version)
    case .process(let group, let bootID):
      return .process(running: bootID == ProcessIdentity.bootID && ProcessGroup.leaderIsAlive(group))
    case .run(let run):
      return await perform(run, out: out, id: id)
    case .serve:
      return .failure(code: ActionError.Code.invalidInput.rawValue, message: "a session cannot start another", outputs: [:])
    }
  }

  private static func perform(_ run: AgentRun, out: MessageWriter, id: Int?) async -> AgentMessage {
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
      output: { out.send(.output($0), id: id) }, interruption: Interruption(),
      processStarted: { group, _ in out.send(.started(group: group, bootID: bootID), id: id) },
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

/// The lines of stdin as they come, read on a thread of their own so that a session's requests
/// are served while it waits for the next; a line longer than `limit` ends the input.
enum InputLines {
  static func standardInput(limit: Int) -> AsyncStream<String> {
    let (stream, continuation) = AsyncStream<String>.makeStream()
    let thread = Thread {
      var pending: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 65536)
      while true {
        let count = read(0, &chunk, chunk.count)
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        pending.append(contentsOf: chunk[0..<count])
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
          continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
          pending.removeSubrange(...newline)
        }
        if pending.count > limit { pending = []; break }
      }
      if !pending.isEmpty { continuation.yield(String(decoding: pending, as: UTF8.self)) }
      continuation.finish()
    }
    thread.start()
    return stream
  }
}

/// Writes whole message lines to stdout from any thread; a closed stdout (the engine's
/// connection dropped) is ignored so the action still runs to its end.
final class MessageWriter: @unchecked Sendable {
  private let lock = NSLock()

  func send(_ message: AgentMessage, id: Int?) {
    let bytes = Array(message.line(id: id).utf8)
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
