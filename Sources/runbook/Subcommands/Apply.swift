import ArgumentParser
import Foundation
import RunbookKit
import RunbookStore

/// `runbook apply`: run a runbook or a sealed plan, journaling every step.
struct Apply: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a runbook (or exactly a sealed plan), journaling every step so it can be resumed.",
    discussion: """
      Shows the plan summary and asks for confirmation on a terminal; without one, --yes is \
      required. The run id is printed before the first step.
      """)

  @Argument(help: ArgumentHelp("A runbook file or name, or a plan file.", valueName: "runbook"))
  var runbook: String

  @OptionGroup var params: ParamOptions

  @Flag(help: "Do not ask for confirmation.")
  var yes = false

  @Option(help: "Independent steps to run at once.")
  var parallel = 4

  @Option(name: .customLong("run-id"), help: ArgumentHelp("Name the run (unique; letters, digits, . _ -).", valueName: "id"))
  var runID: String?

  @Option(help: "text or json (one event per line).")
  var format: OutputFormat = .text

  @Flag(name: .customLong("allow-drift"), help: "Apply a probed plan even though its facts changed since review (the difference is journaled).")
  var allowDrift = false

  @Option(name: .customLong("max-plan-age"), help: ArgumentHelp("Refuse a plan file older than this; with the runbook's review.max_plan_age, the smaller wins (default 24h).", valueName: "duration"))
  var maxPlanAge: String?

  @OptionGroup var state: StateOptions

  @OptionGroup(title: "Hosts") var hosts: InventoryOptions

  @OptionGroup(title: "Signed approvals") var review: ReviewOptions

  func validate() throws {
    guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    if let maxPlanAge, RunbookDuration(maxPlanAge) == nil {
      throw ValidationError("--max-plan-age '\(maxPlanAge)' is not a duration such as 30m, 24h or 7d")
    }
    if let runID, !RunIdentifier.isValid(runID) {
      throw ValidationError("--run-id '\(runID)' must be 1 to 64 letters, digits, '.', '_' or '-'")
    }
  }

  func run() async throws {
    let input = try RunbookInput.load(runbook, params: params.values, paramsFile: params.file)
    let approvers = try await review.approvers(of: input)
    let inventory = try hosts.resolve(for: input)
    let (built, problems) = PlanBuilder.build(input.document, params: input.params, registry: input.registry, inventory: inventory)
    guard let plan = built else {
      Terminal.report(problems, sources: input.sources)
      throw ExitStatus.invalidInput
    }
    var new = RunSession.NewRun(
      plan: plan, params: input.params, id: runID, file: input.planFile ?? plan.model.file, fromPlanFile: input.planFile != nil,
      sealedPrograms: input.sealedPlan?.programs)
    new.planMade = input.sealedPlan?.createdDate
    new.reviewedFacts = input.sealedPlan?.probe?.facts
    new.approvers = approvers
    let store = try state.openStore()
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
    var driver = RunDriver(store: store, registry: input.registry, format: format, interactive: interactive, hint: state.hint)
    driver.hostRunner = try HostTransport.runner(for: plan, stateDirectory: state.directoryPath)
    let policy = RunSession.ReviewPolicy(maxPlanAge: maxPlanAge.flatMap(RunbookDuration.init), allowDrift: allowDrift)
    let checked: RunSession.CheckedRun
    do {
      checked = try driver.session.check(new, review: policy)
    } catch {
      Terminal.standardError("error: \(error.message)\n")
      throw RunDriver.exitStatus(for: error)
    }
    if format == .text { Terminal.standardError(plan.summaryText()) }
    if !yes {
      guard interactive else {
        Terminal.standardError("error: apply needs --yes when it cannot ask on a terminal\n")
        throw ExitStatus.invalidInput
      }
      Terminal.standardError("\nApply this plan? [y/N] ")
      guard let answer = readLine(), ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased()) else {
        Terminal.standardError("Not applied.\n")
        throw ExitStatus.invalidInput
      }
    }
    try await driver.drive { session, attendance throws(RunSessionError) in
      try await session.apply(checked, parallel: parallel, attendance: attendance)
    }
  }
}
