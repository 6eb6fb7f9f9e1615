/// The step DAG as Graphviz DOT and as a Mermaid flowchart: one node per step, edges from `needs`.
extension Plan {
  public func dot() -> String {
    var out = "digraph \"\(Self.escaped(runbook.name))\" {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n"
    for step in steps {
      let label = Self.escaped("\(step.call.effect.marker) \(step.id)") + "\\n" + Self.escaped(step.call.action)
      let style = step.call.effect == .destructive ? ", color=red" : (step.approval != nil ? ", style=bold" : "")
      out += "  \"\(Self.escaped(step.id))\" [label=\"\(label)\"\(style)];\n"
    }
    for step in steps {
      for need in step.needs { out += "  \"\(Self.escaped(need))\" -> \"\(Self.escaped(step.id))\";\n" }
    }
    return out + "}\n"
  }

  public func mermaid() -> String {
    var out = "flowchart TD\n"
    let ids = Dictionary(steps.enumerated().map { ($1.id, "s\($0)") }, uniquingKeysWith: { a, _ in a })
    for step in steps {
      let label = "\(step.call.effect.marker) \(step.id)<br/>\(step.call.action)".replacingOccurrences(of: "\"", with: "#quot;")
      out += "  \(ids[step.id]!)[\"\(label)\"]\n"
    }
    for step in steps {
      for need in step.needs { out += "  \(ids[need]!) --> \(ids[step.id]!)\n" }
    }
    return out
  }

  private static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
  }
}

import Foundation
