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

  @OptionGroup var state: StateOptions

  @OptionGroup(title: "Signed approvals") var review: ReviewOptions

  func validate() throws {
    guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
    if let runID, !RunIdentifier.isValid(runID) {
      throw ValidationError("--run-id '\(runID)' must be 1 to 64 letters, digits, '.', '_' or '-'")
    }
  }

  func run() async throws {
    let input = try RunbookInput.load(runbook, params: params.values, paramsFile: params.file)
    let approvers = try await review.approvers(of: input)
    let (built, problems) = PlanBuilder.build(input.document, params: input.params, registry: input.registry)
    guard let plan = built, let runbookModel = input.document.runbook, let graph = input.document.graph else {
      Terminal.report(problems, sources: input.sources)
      throw ExitStatus.invalidInput
    }
    if let sealed = input.sealedPrograms {
      let changes = plan.programs.changes(from: sealed)
      guard changes.isEmpty else {
        Terminal.standardError("error: \(input.planFile ?? "the plan") was sealed with other programs than it would run now:\n" + changes.map { "  \($0)\n" }.joined() + "make a new plan and review it again\n")
        throw ExitStatus.invalidInput
      }
    }
    let store = try state.openStore()
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
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
    let id = runID ?? RunIdentifier.make { (try? store.run($0)) != nil }
    let started = Date()
    let lockName: String
    do {
      lockName = try runbookModel.lockName(params: input.params, environment: ProcessInfo.processInfo.environment, runID: id, started: started)
    } catch {
      Terminal.standardError("error: the lock cannot be evaluated, so the run does not start: \(error.message)\n")
      throw ExitStatus.invalidInput
    }
    let workingDirectory = FileManager.default.currentDirectoryPath
    let file = input.planFile ?? runbookModel.file
    let record = RunRecord(
      id: id, runbookName: runbookModel.name.value, file: file.hasPrefix("/") ? file : workingDirectory + "/" + file,
      source: runbookModel.text, sha256: runbookModel.sha256, params: Self.storedParams(runbookModel, input.params),
      fromPlanFile: input.planFile != nil, lockName: lockName, status: .running, startedAt: started, pid: getpid(),
      host: RunDriver.host, workingDirectory: workingDirectory,
      secretsGiven: runbookModel.params.filter { $0.secret && input.params[$0.name].map { $0 != .null } == true }.map(\.name),
      approvers: approvers)
    let driver = RunDriver(
      input: input, runbook: runbookModel, graph: graph, store: store, run: record, parallel: parallel,
      resume: ResumeInstructions(), format: format, interactive: interactive, isNewRun: true, hint: state.hint)
    try await driver.drive()
  }

  /// The params the journal keeps: every non-secret value, never a secret.
  static func storedParams(_ runbook: Runbook, _ params: ParamValues) -> [String: JSONValue] {
    var stored: [String: JSONValue] = [:]
    for spec in runbook.params where !spec.secret {
      if let value = params[spec.name] { stored[spec.name] = value.json }
    }
    return stored
  }
}

/// Run ids: given with `--run-id`, or made short and unique.
enum RunIdentifier {
  static func isValid(_ id: String) -> Bool {
    (1...64).contains(id.utf8.count)
      && id.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
      && id.first != "-"
  }

  /// Eight hex digits, drawn again if `exists` says the id is taken.
  static func make(exists: (String) -> Bool) -> String {
    while true {
      let id = String(format: "%08x", UInt32.random(in: .min ... .max))
      if !exists(id) { return id }
    }
  }
}

extension UInt8 {
  fileprivate var isASCIIAlphanumeric: Bool {
    (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z"))
      || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9"))
  }
}
