import ArgumentParser
import Foundation
import RunbookActions
import RunbookKit
import RunbookYAML

/// `runbook validate FILE...`: silence and exit 0, or every problem at once and exit 2.
struct Validate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check runbooks and report every problem at once.",
    discussion: "As strict as `plan` for everything that needs no param values: params take their defaults, or stay unknown.")

  @Argument(help: "Runbook files or names.")
  var files: [String]

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let registry = Registry.load()
    let catalog = RunbookCatalog(environment: ProcessInfo.processInfo.environment)
    var diagnostics: [Diagnostic] = []
    var sources: [String: SourceText] = [:]
    var results: [JSONValue] = []
    var suppressed = 0
    for argument in files {
      let path = catalog.resolve(argument) ?? argument
      let document = RunbookDocument.load(file: path, registry: registry)
      sources[document.file] = document.source
      let found = document.diagnostics + PlanBuilder.check(document, registry: registry)
      diagnostics += found
      suppressed += document.suppressed
      results.append(["file": .string(path), "valid": .bool(!found.hasErrors)])
    }
    switch format {
    case .text:
      Terminal.report(diagnostics, sources: sources, suppressed: suppressed)
    case .json:
      let output: JSONValue = [
        "valid": .bool(!diagnostics.hasErrors), "files": .array(results),
        "diagnostics": .array(diagnostics.map(DiagnosticRenderer.json)), "suppressed": .int(Int64(suppressed)),
      ]
      Terminal.standardOutput(output.serialized() + "\n")
    }
    if diagnostics.hasErrors { throw ExitStatus.invalidInput }
  }
}
