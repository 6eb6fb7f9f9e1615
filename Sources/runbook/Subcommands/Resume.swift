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

  @Option(help: ArgumentHelp("Run an in-doubt step, or one iteration STEP[INDEX], again.", valueName: "step"))
  var retry: [String] = []

  @Option(name: .customLong("mark-done"), help: ArgumentHelp("Count an in-doubt or failed step, or one iteration STEP[INDEX], as done without running it.", valueName: "step"))
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

  func run() async throws {
    guard let store = try state.openExistingStore(), let record = try? store.run(runID) else {
      Terminal.standardError("error: no run '\(runID)' in \(state.path); `runbook runs\(state.hint)` lists them\n")
      throw ExitStatus.invalidInput
    }
    let standing = RunSummary.Engines(locks: (try? store.locks()) ?? []).standing(record)
    if let standing, standing != .gone {
      Terminal.standardError(
        "error: run \(runID) is still running, or cannot be proven stopped (pid \(record.pid) on \(record.host)); resuming it now could run its steps twice: wait for it to end (`runbook show \(runID)\(state.hint)`)\n")
      throw ExitStatus.locked
    }
    guard record.status.isResumable else {
      Terminal.standardOutput("run \(runID) already succeeded; nothing to resume\n")
      return
    }
    // Relative paths, `./*.yaml` in a script, a cwd-less exec: all mean what they meant at apply.
    if !record.workingDirectory.isEmpty {
      guard chdir(record.workingDirectory) == 0 else {
        Terminal.standardError("error: run \(runID) was applied in \(record.workingDirectory), which is gone (\(String(cString: strerror(errno)))); its relative paths would mean something else elsewhere\n")
        throw ExitStatus.invalidInput
      }
    }
    let text = try runbookText(record)
    let sealed = record.params.mapValues { Value($0) }
    let input = try RunbookInput.load(text: text, file: record.file, params: params, sealed: sealed)
    guard let runbook = input.document.runbook, let graph = input.document.graph else { throw ExitStatus.invalidInput }
    // A secret given at apply is never journaled: running on without it would run with nothing.
    // An empty value counts as none: it is what CI gives for a secret it does not have.
    for name in record.secretsGiven where input.params[name].map({ $0 == .null || $0 == .string("") }) ?? true {
      let from = runbook.param(name)?.env.map { " or in $\($0)" } ?? ""
      Terminal.standardError("error: secret param '\(name)' had a value when run \(runID) began and is never journaled; give it again with -p \(name)=VALUE\(from)\n")
      throw ExitStatus.invalidInput
    }
    for name in Set(approve + retry + markDone).sorted() {
      // STEP, or STEP[INDEX] for one iteration of a for_each step (--retry, --mark-done).
      var step = name
      if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
        step = String(name[..<open])
        let index = name[name.index(after: open)..<name.index(before: name.endIndex)]
        guard Int(index).map({ $0 >= 0 }) == true, runbook.step(step)?.forEach != nil, !approve.contains(name) else {
          Terminal.standardError("error: '\(name)' names no iteration: STEP[INDEX] is for --retry and --mark-done of a for_each step, INDEX from 0 (see `runbook show \(runID)\(state.hint)`)\n")
          throw ExitStatus.invalidInput
        }
      }
      guard runbook.step(step) != nil else {
        let suggestion = Suggestion.closest(to: step, in: graph.ids).map { "; did you mean '\($0)'?" } ?? ""
        Terminal.standardError("error: run \(runID) has no step '\(step)'\(suggestion)\n")
        throw ExitStatus.invalidInput
      }
    }
    var updated = record
    updated.source = text
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
    if format == .text {
      let place = record.workingDirectory.isEmpty ? "" : " in \(record.workingDirectory)"
      Terminal.standardOutput("resuming run \(runID): \(runbook.name.value) (was \(record.status.rawValue))\(place)\n")
    }
    let driver = RunDriver(
      input: input, runbook: runbook, graph: graph, store: store, run: updated, parallel: parallel,
      resume: ResumeInstructions(approve: Set(approve), retry: Set(retry), markDone: Set(markDone)), format: format,
      interactive: interactive, isNewRun: false, hint: state.hint)
    try await driver.drive()
  }

  /// The text to resume with: the journaled one, unless the file changed and --allow-changed says
  /// to take the new one.
  private func runbookText(_ record: RunRecord) throws(ExitStatus) -> String {
    guard !record.fromPlanFile else { return record.source }
    guard case .success(let data) = InputFile.read(record.file) else {
      Terminal.standardError("note: \(record.file) is gone or unreadable; resuming with the runbook text journaled at apply\n")
      return record.source
    }
    let current = String(decoding: data, as: UTF8.self)
    guard Runbook.sha256(current) != record.sha256 else { return record.source }
    guard allowChanged else {
      Terminal.standardError(
        "error: \(record.file) changed since run \(record.id) began (sha256 \(record.sha256.prefix(12))… is now \(Runbook.sha256(current).prefix(12))…); resume with --allow-changed to run the new text\n")
      throw .invalidInput
    }
    return current
  }
}
