import ArgumentParser
import Foundation
import RunbookHosts

/// `runbook agent`: the action agent the engine runs on an inventory host over ssh — one
/// request as JSON on stdin, messages as JSON lines on stdout (docs/running.md, "Steps on hosts").
struct Agent: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run one action for an engine on another machine (started by runbook over ssh; JSON on stdin and stdout).")

  func run() async throws {
    let status = await ActionAgent.serve(version: RunbookCommand.configuration.version)
    if status != 0 { throw ExitCode(status) }
  }
}
