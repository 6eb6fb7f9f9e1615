import ArgumentParser
import Foundation
import RunbookKit

/// `runbook list`: the runbooks on the search path.
struct List: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List the runbooks on RUNBOOK_PATH and ./runbooks.")

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let catalog = RunbookCatalog(environment: ProcessInfo.processInfo.environment)
    let entries = catalog.entries()
    switch format {
    case .json:
      let value = JSONValue.array(entries.map { ["name": .string($0.name), "title": .optional($0.title), "file": .string($0.file)] })
      Terminal.standardOutput(value.serialized() + "\n")
    case .text:
      if entries.isEmpty {
        Terminal.standardError("No runbooks found in \(catalog.directories.joined(separator: ", ")).\n")
        return
      }
      let width = entries.map(\.name.count).max() ?? 0
      for entry in entries {
        let name = entry.name.padding(toLength: width, withPad: " ", startingAt: 0)
        Terminal.standardOutput(VisibleText.line("\(name)  \(entry.title ?? "")  (\(entry.file))") + "\n")
      }
    }
  }
}
