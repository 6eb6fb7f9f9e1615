/// Runs actions on inventory hosts for the executor: the seam between the engine and a
/// transport (RunbookHosts' OpenSSH one). An action run through it keeps its local semantics:
/// its output, its process and the operator's signals flow through the same `ActionContext`
/// (docs/running.md, "Steps on hosts").
public protocol HostRunner: Sendable {
  /// Runs `action` with `input` on `host`, as root through `sudo -n` when `become`.
  func run(_ action: String, _ input: ResolvedInput, on host: InventoryHost, become: Bool, in context: ActionContext) async throws -> ActionResult
  /// Whether the process group that a step started on `host` during boot `bootID` still runs:
  /// what the in-doubt rule asks after the engine died.
  func isRunning(processGroup: Int32, bootID: String, on host: InventoryHost) async throws -> Bool
  /// Closes every connection it opened.
  func close() async
}

/// The host a step's action and checks run on while the executor works on that host; nil
/// (the default) is where `runbook` runs.
struct HostPlacement: Sendable {
  var host: InventoryHost
  var become: Bool

  @TaskLocal static var current: HostPlacement?
}
