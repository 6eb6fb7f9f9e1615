import ArgumentParser
import Foundation
import RunbookActions
import RunbookKit

/// `runbook actions [NAME]`: the action catalogue.
struct Actions: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List actions, or show one with its inputs and outputs.")

  @Argument(help: "An action name.")
  var name: String?

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  func run() throws {
    let registry = Registry.load()
    var descriptors = registry.all
    if let name {
      guard let descriptor = registry[name] else {
        Terminal.report([Diagnostic.unknownAction(name, known: registry.names, at: .init(line: 1, column: 1, length: 1)).withoutLocation], sources: [:])
        throw ExitStatus.invalidInput
      }
      descriptors = [descriptor]
    }
    switch format {
    case .json:
      let value = JSONValue.array(descriptors.map(Self.json))
      Terminal.standardOutput((name == nil ? value : Self.json(descriptors[0])).serialized() + "\n")
    case .text where name == nil:
      let width = descriptors.map(\.name.count).max() ?? 0
      for d in descriptors {
        let name = d.name.padding(toLength: width, withPad: " ", startingAt: 0)
        Terminal.standardOutput("\(d.effect.marker) \(name)  \(d.summary)\n")
      }
      Terminal.standardOutput("\n· read-only  ~ mutating  ! destructive. `runbook actions NAME` shows one.\n")
    case .text:
      Terminal.standardOutput(Self.text(descriptors[0]))
    }
  }

  static func text(_ d: ActionDescriptor) -> String {
    var out = "\(d.name) — \(d.summary)\n"
    out += "effect: \(d.effect.rawValue) (\(d.effect.marker)), \(d.idempotent ? "idempotent" : "not idempotent")\n\nInputs:\n"
    if d.inputs.isEmpty { out += "  (none)\n" }
    for input in d.inputs {
      var facts = [input.type.name]
      if input.required { facts.append("required") }
      if let value = input.defaultValue { facts.append("default: \(value.plainText)") }
      out += "  \(input.name) (\(facts.joined(separator: ", ")))\n      \(input.description)\n"
    }
    out += "\nOutputs:\n"
    if d.outputs.isEmpty { out += "  (none)\n" }
    for output in d.outputs { out += "  \(output.name) (\(output.type))\n      \(output.description)\n" }
    return out
  }

  static func json(_ d: ActionDescriptor) -> JSONValue {
    [
      "name": .string(d.name), "summary": .string(d.summary), "effect": .string(d.effect.rawValue),
      "idempotent": .bool(d.idempotent),
      "inputs": .array(d.inputs.map {
        ["name": .string($0.name), "type": .string($0.type.name), "required": .bool($0.required),
         "default": $0.defaultValue?.json ?? .null, "description": .string($0.description)]
      }),
      "outputs": .array(d.outputs.map { ["name": .string($0.name), "type": .string($0.type), "description": .string($0.description)] }),
    ]
  }
}
