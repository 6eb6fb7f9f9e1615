import RunbookYAML

/// The DAG of steps built from `needs`: stages of steps that may run in parallel, in a stable
/// order where declaration order breaks ties.
public struct StepGraph: Sendable {
  /// Step ids in declaration order.
  public let ids: [String]
  /// Valid, de-duplicated `needs` of each step.
  public let dependencies: [String: [String]]
  /// Stages in execution order; a step's stage is one past the latest stage it needs.
  public let stages: [[String]]
  /// Steps with a `needs` entry that names no other step: what they read through it is not
  /// reported again (docs/diagnostics.md, "Follow-on diagnostics").
  public let unresolvedNeeds: Set<String>

  /// Step ids in execution order.
  public var order: [String] { stages.flatMap { $0 } }

  /// Builds the graph, reporting unknown and self dependencies and every cycle.
  public static func build(_ steps: [Step]) -> (StepGraph, [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    let ids = steps.map(\.id.value)
    let index = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    var dependencies: [String: [String]] = [:]
    var edgeRanges: [String: [String: SourceRange]] = [:]
    var unresolved: Set<String> = []
    for step in steps where dependencies[step.id.value] == nil {
      var needs: [String] = []
      for need in step.needs {
        if need.value == step.id.value {
          diagnostics.append(.selfDependency(step.id.value, at: need.range))
          unresolved.insert(step.id.value)
        } else if index[need.value] == nil {
          diagnostics.append(.unknownDependency(need.value, of: step.id.value, known: ids, at: need.range))
          unresolved.insert(step.id.value)
        } else if needs.contains(need.value) {
          diagnostics.append(.duplicateDependency(need.value, at: need.range))
        } else {
          needs.append(need.value)
          edgeRanges[step.id.value, default: [:]][need.value] = need.range
        }
      }
      dependencies[step.id.value] = needs
    }
    let cycles = findCycles(ids: ids, dependencies: dependencies, index: index)
    for cycle in cycles {
      // cycle: [a, b, c] means a needs b, b needs c, c needs a; a is the earliest declared.
      let closing = cycle.last!
      let range = edgeRanges[closing]?[cycle[0]] ?? steps[index[closing]!].id.range
      let edges = zip(cycle, cycle.dropFirst()).map { ($0.1, edgeRanges[$0.0]?[$0.1] ?? range) }
      diagnostics.append(.dependencyCycle(cycle + [cycle[0]], at: range, edges: edges))
    }
    let stages = cycles.isEmpty ? layer(ids: ids, dependencies: dependencies) : [ids]
    return (StepGraph(ids: ids, dependencies: dependencies, stages: stages, unresolvedNeeds: unresolved), diagnostics)
  }

  /// Whether `ancestor` is reachable from `step` through `needs`.
  public func isAncestor(_ ancestor: String, of step: String) -> Bool {
    var seen: Set<String> = [step]
    var queue = dependencies[step] ?? []
    while let next = queue.popLast() {
      if next == ancestor { return true }
      if seen.insert(next).inserted { queue.append(contentsOf: dependencies[next] ?? []) }
    }
    return false
  }

  /// Steps that need `step`, directly or not.
  public func descendants(of step: String) -> Set<String> {
    var dependents: [String: [String]] = [:]
    for (id, needs) in dependencies { for need in needs { dependents[need, default: []].append(id) } }
    var result: Set<String> = []
    var queue = dependents[step] ?? []
    while let next = queue.popLast() {
      if result.insert(next).inserted { queue.append(contentsOf: dependents[next] ?? []) }
    }
    return result
  }

  /// Cycles found by a depth-first walk in declaration order, each rotated to start at its
  /// earliest-declared step so the report does not depend on where the walk entered it.
  private static func findCycles(ids: [String], dependencies: [String: [String]], index: [String: Int]) -> [[String]] {
    enum Color { case white, gray, black }
    var color = [String: Color](ids.map { ($0, Color.white) }, uniquingKeysWith: { a, _ in a })
    var cycles: [[String]] = []
    var seenCycles: Set<[String]> = []
    for root in ids where color[root] == .white {
      var stack: [(id: String, next: Int)] = [(root, 0)]
      color[root] = .gray
      while let top = stack.last {
        let needs = dependencies[top.id] ?? []
        if top.next == needs.count {
          color[top.id] = .black
          stack.removeLast()
          continue
        }
        stack[stack.count - 1].next += 1
        let target = needs[top.next]
        switch color[target] {
        case .white?:
          color[target] = .gray
          stack.append((target, 0))
        case .gray?:
          let start = stack.firstIndex { $0.id == target }!
          var cycle = stack[start...].map(\.id)
          let earliest = cycle.indices.min { index[cycle[$0]]! < index[cycle[$1]]! }!
          cycle = Array(cycle[earliest...] + cycle[..<earliest])
          if seenCycles.insert(cycle).inserted { cycles.append(cycle) }
        default:
          break
        }
      }
    }
    return cycles
  }

  private static func layer(ids: [String], dependencies: [String: [String]]) -> [[String]] {
    let index = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    var dependents = Array(repeating: [Int](), count: ids.count)
    var remaining = Array(repeating: 0, count: ids.count)
    for (position, id) in ids.enumerated() {
      let needs = dependencies[id] ?? []
      remaining[position] = needs.count
      for need in needs { dependents[index[need]!].append(position) }
    }
    var level = Array(repeating: 0, count: ids.count)
    var ready = remaining.indices.filter { remaining[$0] == 0 }
    while let position = ready.popLast() {
      for dependent in dependents[position] {
        level[dependent] = max(level[dependent], level[position] + 1)
        remaining[dependent] -= 1
        if remaining[dependent] == 0 { ready.append(dependent) }
      }
    }
    var stages: [[String]] = Array(repeating: [], count: (level.max() ?? -1) + 1)
    for (position, id) in ids.enumerated() { stages[level[position]].append(id) }
    return stages
  }
}
