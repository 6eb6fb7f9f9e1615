import Foundation
import RunbookYAML

extension Plan {
  /// This plan probed: its read-only checks and steps executed live (`Executor.probe`) and the
  /// plan built again with what they found; `interruption` stops the probe and its commands.
  /// Steps on hosts are probed there through `hostRunner`.
  public func probed(
    params: ParamValues, registry: ActionRegistry, environment: [String: String], interruption: Interruption = Interruption(),
    hostRunner: (any HostRunner)? = nil
  ) async throws -> Plan {
    let report = try await Executor.probe(self, params: params, registry: registry, environment: environment, interruption: interruption, hostRunner: hostRunner)
    await hostRunner?.close()
    let document = RunbookDocument(file: model.file, source: SourceText(model.text), runbook: model, graph: graph, diagnostics: [])
    let (built, problems) = PlanBuilder.build(document, params: params, registry: registry, inventory: inventory, probe: report)
    guard let built else { throw ProbeFailure(problems: problems) }
    return built
  }
}

/// A probed plan that could not be built: a probed value made an expression fail.
public struct ProbeFailure: Error, Sendable, CustomStringConvertible {
  public var problems: [Diagnostic]
  public var description: String { problems.map(\.message).joined(separator: "; ") }
}
