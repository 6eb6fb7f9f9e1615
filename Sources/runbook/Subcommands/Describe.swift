import ArgumentParser
import Foundation
import RunbookKit

/// `runbook describe`: a runbook's title, description, params and steps.
struct Describe: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show a runbook's title, description, params and steps.")

  @Argument(help: ArgumentHelp("A runbook file or name.", valueName: "runbook"))
  var runbook: String

  func run() throws {
    let input = try RunbookInput.load(runbook)
    guard let book = input.document.runbook else { throw ExitStatus.invalidInput }
    var out = "\(book.name.value)\(book.title.map { " — \($0)" } ?? "")\n\(book.file)\n"
    if let description = book.description {
      out += "\n" + description.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }
    out += "\nParams:\n"
    if book.params.isEmpty { out += "  (none)\n" }
    for p in book.params {
      var facts = [p.type.rawValue]
      if p.required { facts.append("required") }
      if let d = p.defaultValue { facts.append("default: \(d.plainText)") }
      if let allowed = p.allowed { facts.append("one of: \(allowed.map(\.plainText).joined(separator: ", "))") }
      if let pattern = p.pattern { facts.append("pattern: \(pattern)") }
      if let env = p.env { facts.append("env: \(env)") }
      if p.secret { facts.append("secret") }
      out += "  \(p.name) (\(facts.joined(separator: "; ")))\n"
      if let description = p.description { out += "      \(description)\n" }
    }
    out += "\nSteps:\n"
    let effects = Dictionary(input.registry.all.map { ($0.name, $0.effect) }, uniquingKeysWith: { a, _ in a })
    for id in input.document.graph?.order ?? [] {
      guard let step = book.step(id) else { continue }
      let marker = effects[step.call.action.value]?.marker ?? "?"
      out += "  \(marker) \(step.name) [\(step.call.action.value)]\(step.title.map { " — \($0.raw)" } ?? "")\n"
    }
    // Everything here is user text: escaped as plans escape it, so it cannot redraw the screen.
    Terminal.standardOutput(VisibleText.block(out))
  }
}
