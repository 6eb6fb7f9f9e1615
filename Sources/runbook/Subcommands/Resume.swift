import ArgumentParser
import Foundation
import RunbookKit
import RunbookStore

/// `runbook resume`: continue a journaled run where it stopped.
struct Resume: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Continue a run where it stopped: done steps stay done, failed and blocked ones run again.",
    discussion: """
      A step that was running when the engine died is in doubt: it runs again if it is \
      idempotent; otherwise its verify checks decide; otherwise the resume stops (exit 3) until \
      --retry STEP or --mark-done STEP says what to do. Secret params are asked for again (-p or \
      their env variable).
      """)

  @Argument(help: ArgumentHelp("The run id (see `runbook runs`).", valueName: "run"))
  var runID: String

  @Option(help: ArgumentHelp("Approve a step that waits for approval.", valueName: "step"))
  var approve: [String] = []

  @Option(help: ArgumentHelp("Run an in-doubt step, one iteration STEP[INDEX] or one host STEP@HOST, again.", valueName: "step"))
  var retry: [String] = []

  @Option(name: .customLong("mark-done"), help: ArgumentHelp("Count an in-doubt or failed step, one iteration STEP[INDEX] or one host STEP@HOST, as done without running it.", valueName: "step"))
  var markDone: [String] = []

  @Flag(name: .customLong("allow-changed"), help: "Resume even though the runbook file changed since the run began (the new text is used).")
  var allowChanged = false

  @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("Give a secret param again.", valueName: "key=value"))
  var params: [String] = []

  @Option(help: "Independent steps to run at once.")
  var parallel = 4

  @Option(help: "text or json (one event per line).")
  var format: OutputFormat = .text

  @OptionGroup var state: StateOptions

  @OptionGroup(title: "Hosts") var hosts: InventoryOptions

  func run() async throws {
    guard let store = try state.openExistingStore() else { throw unknownRun() }
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
    var driver = RunDriver(store: store, registry: Registry.load(), format: format, interactive: interactive, hint: state.hint)
    let found: RunSession.ResumePoint?
    do {
      found = try driver.session.resumePoint(runID, allowChanged: allowChanged)
    } catch where error.code == .unknownRun {
      throw unknownRun()
    } catch {
      Terminal.standardError("error: \(error.message)\n")
      throw RunDriver.exitStatus(for: error)
    }
    guard let point = found else {
      Terminal.standardOutput("run \(runID) already succeeded; nothing to resume\n")
      return
    }
    for note in point.notes { Terminal.standardError("note: \(note)\n") }
    let input = try RunbookInput.load(text: point.text, file: point.record.file, params: params, sealed: point.params)
    // The hosts the run began with: another inventory would send its steps elsewhere.
    let inventory = point.record.inventory
    if let given = try hosts.loadIfGiven(), given.json != inventory?.json {
      Terminal.standardError("error: run \(runID) began with \(inventory == nil ? "no inventory" : "another inventory"); resume it without -i, with the hosts it began with (`runbook show \(runID)\(state.hint)`)\n")
      throw ExitStatus.invalidInput
    }
    let (built, problems) = PlanBuilder.build(input.document, params: input.params, registry: input.registry, inventory: inventory)
    guard let plan = built else {
      Terminal.report(problems, sources: input.sources)
      throw ExitStatus.invalidInput
    }
    driver.hostRunner = try HostTransport.runner(for: plan, stateDirectory: state.directoryPath)
    if format == .text {
      let place = point.record.workingDirectory.isEmpty ? "" : " in \(point.record.workingDirectory)"
      Terminal.standardOutput("resuming run \(runID): \(plan.runbook.name) (was \(point.record.status.rawValue))\(place)\n")
    }
    let instructions = ResumeInstructions(approve: Set(approve), retry: Set(retry), markDone: Set(markDone))
    try await driver.drive { session, attendance throws(RunSessionError) in
      try await session.resume(point, plan: plan, params: input.params, instructions: instructions, parallel: parallel, attendance: attendance)
    }
  }

  private func unknownRun() -> ExitStatus {
    Terminal.standardError("error: no run '\(runID)' in \(state.path); `runbook runs\(state.hint)` lists them\n")
    return .invalidInput
  }
}
