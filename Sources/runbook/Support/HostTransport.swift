import Foundation
import RunbookHosts
import RunbookKit

/// The OpenSSH transport for a plan with steps on hosts (docs/running.md, "Steps on hosts"):
/// the action agent sent to hosts is this very executable unless `RUNBOOK_AGENT` names another
/// (a self-contained build from `scripts/package`, say).
enum HostTransport {
  static func runner(for plan: RunbookKit.Plan, stateDirectory: String) throws(ExitStatus) -> SSHHostRunner? {
    guard plan.model.steps.contains(where: { $0.hosts != nil }) else { return nil }
    let environment = ProcessInfo.processInfo.environment
    let agent = environment["RUNBOOK_AGENT"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    do {
      return try SSHHostRunner(agentExecutable: agent, stateDirectory: stateDirectory, environment: environment)
    } catch {
      Terminal.standardError("error: \(error)\n")
      throw .invalidInput
    }
  }
}
