import Foundation

/// The step DAG as Graphviz DOT and as a Mermaid flowchart: one node per step, edges from `needs`.
extension Plan {
  public func dot() -> String {
    var out = "digraph \"\(Self.escaped(runbook.name))\" {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n"
    for step in steps {
      var label = Self.escaped("\(step.call.effect.marker) \(step.id)") + "\\n" + Self.escaped(step.call.action)
      if let probed = step.probe?.graphLabel { label += "\\n" + Self.escaped(probed) }
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
      let probed = step.probe?.graphLabel.map { "<br/>\($0)" } ?? ""
      let label = "\(step.call.effect.marker) \(step.id)<br/>\(step.call.action)\(probed)".replacingOccurrences(of: "\"", with: "#quot;")
      out += "  \(ids[step.id]!)[\"\(label)\"]\n"
    }
    for step in steps {
      for need in step.needs { out += "  \(ids[need]!) --> \(ids[step.id]!)\n" }
    }
    return out
  }

  static func escaped(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
  }
}

extension Plan.StepProbe {
  /// How the probe left the step, in a few words for a graph node; nil when it was not probed.
  var graphLabel: String? {
    switch status {
    case .succeeded: "probed"
    case .skipped: "skipped now"
    case .blocked where message?.hasPrefix("not probed:") == true, .pending: nil
    case .blocked: "blocked now"
    default: "probe \(status.rawValue)"
    }
  }
}
