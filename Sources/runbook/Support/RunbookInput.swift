import Foundation
import RunbookActions
import RunbookKit
import RunbookYAML

/// Turns a FILE|NAME|PLAN argument and param options into a checked document and bound params,
/// printing diagnostics and throwing the exit status when something is wrong.
struct RunbookInput {
  var document: RunbookDocument
  var params: ParamValues
  var sources: [String: SourceText]
  var registry: ActionRegistry
  /// The plan file it came from, when it did.
  var planFile: String?
  /// That plan file, verified: its seal, pinned programs, probed facts and signatures.
  var sealedPlan: PlanFile?

  static func load(_ argument: String, params: [String] = [], paramsFile: String? = nil) throws(ExitStatus) -> RunbookInput {
    let registry = Registry.load()
    let environment = ProcessInfo.processInfo.environment
    var document: RunbookDocument
    var sealed: [String: Value] = [:]
    var planFile: String?
    var sealedPlan: PlanFile?
    if PlanFile.looksLikePlan(path: argument) {
      planFile = argument
      switch PlanFile.read(path: argument) {
      case .refused(let diagnostic):
        Terminal.report([diagnostic], sources: [:])
        throw .invalidInput
      case .plan(let plan):
        document = RunbookDocument.load(text: plan.runbookText, file: plan.runbookFile, registry: registry)
        sealed = plan.params
        // Plan files written before unset params were sealed: what is not in them stays unset.
        for spec in document.runbook?.params ?? [] where !spec.secret && sealed[spec.name] == nil { sealed[spec.name] = .null }
        sealedPlan = plan
      }
    } else {
      guard let path = RunbookCatalog(environment: environment).resolve(argument) else {
        Terminal.report([Diagnostic.unreadableFile(argument, reason: "no such file").note("nor is there a runbook of that name on RUNBOOK_PATH or in ./runbooks")], sources: [:])
        throw .invalidInput
      }
      document = RunbookDocument.load(file: path, registry: registry)
    }
    var input = try bind(document, registry: registry, params: params, paramsFile: paramsFile, sealed: sealed)
    input.planFile = planFile
    input.sealedPlan = sealedPlan
    return input
  }

  /// A journaled run's runbook text with its frozen params; `params` may set only secrets.
  static func load(text: String, file: String, params: [String], sealed: [String: Value]) throws(ExitStatus) -> RunbookInput {
    let registry = Registry.load()
    let document = RunbookDocument.load(text: text, file: file, registry: registry)
    return try bind(document, registry: registry, params: params, paramsFile: nil, sealed: sealed)
  }

  private static func bind(
    _ document: RunbookDocument, registry: ActionRegistry, params: [String], paramsFile: String?, sealed: [String: Value]
  ) throws(ExitStatus) -> RunbookInput {
    let environment = ProcessInfo.processInfo.environment
    var sources = [document.file: document.source]
    guard let runbook = document.runbook, document.isValid else {
      Terminal.report(document.diagnostics, sources: sources, suppressed: document.suppressed)
      throw .invalidInput
    }
    Terminal.report(document.diagnostics, sources: sources, suppressed: document.suppressed)

    var boundFile: ParamsFile?
    if let path = paramsFile {
      let text: String
      switch InputFile.read(path) {
      case .success(let bytes):
        guard let valid = String(validating: bytes, as: UTF8.self) else {
          Terminal.report([.unreadableFile(path, reason: "it is not valid UTF-8")], sources: sources)
          throw .invalidInput
        }
        text = valid
      case .failure(let failure):
        Terminal.report([.unreadableFile(path, reason: failure.reason)], sources: sources)
        throw .invalidInput
      }
      boundFile = ParamsFile(path: path, text: text)
      sources[path] = SourceText(text)
    }
    let (params, problems) = ParamBinder.bind(
      runbook, arguments: params, file: boundFile, environment: environment, sealed: sealed)
    if problems.hasErrors {
      Terminal.report(problems, sources: sources)
      throw .invalidInput
    }
    return RunbookInput(document: document, params: params, sources: sources, registry: registry)
  }
}
