import Foundation

/// One result per read-only action and resolved inputs, for checks evaluated together (a
/// run-level precondition set, a step's guards, a probe): the same `etcd.cluster` read behind
/// three preconditions runs once, so a dead member costs one timeout, not three
/// (docs/running.md, "Probing a plan").
final class SharedCheckResults: @unchecked Sendable {
  private let lock = NSLock()
  private var results: [String: Task<ActionResult, any Error>] = [:]

  /// The result of `action` with `input`: the latest read, shared with every later caller;
  /// `fresh` reads again (a check polling until it holds), and that read is the one shared
  /// from then on, so no check is decided on a read older than one already made.
  func result(action: String, input: ResolvedInput, fresh: Bool = false, run: @escaping @Sendable () async throws -> ActionResult) async throws -> ActionResult {
    let key = Self.key(action: action, input: input)
    let task = lock.withLock {
      if !fresh, let latest = results[key] { return latest }
      let task = Task { try await run() }
      results[key] = task
      return task
    }
    return try await task.value
  }

  private static func key(action: String, input: ResolvedInput) -> String {
    let values = JSONValue.object(input.values.keys.sorted().map { .init($0, input.values[$0]!.json) })
    let bindings = JSONValue.object(input.bindings.keys.sorted().map { .init($0, input.bindings[$0]!.json) })
    // The same read on two hosts is two reads.
    let host = HostPlacement.current.map { JSONValue.string($0.host.name) } ?? .null
    return JSONValue.array([.string(action), values, bindings, host]).serialized(pretty: false)
  }
}
