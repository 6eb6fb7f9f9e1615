/// A fact a sealed plan was reviewed with that a new probe found otherwise (nil: not there).
public struct FactDrift: Sendable, Equatable {
  public var name: String
  public var reviewed: JSONValue?
  public var found: JSONValue?

  /// The differences between `reviewed` and `found`, in the order the plan listed its facts.
  public static func between(reviewed: [Fact], found: [Fact]) -> [FactDrift] {
    let now = Dictionary(found.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    let before = Set(reviewed.map(\.name))
    var drift = reviewed.compactMap { fact in now[fact.name] == fact.value ? nil : FactDrift(name: fact.name, reviewed: fact.value, found: now[fact.name]) }
    drift += found.filter { !before.contains($0.name) }.map { FactDrift(name: $0.name, reviewed: nil, found: $0.value) }
    return drift
  }

  /// `name: reviewed X, found Y`, on one line; for two objects, only the members that differ
  /// (`steps.status.outputs.leader: name reviewed "m1", found "m3"; endpoint reviewed …`).
  public var line: String {
    func show(_ value: JSONValue?) -> String { value.map { VisibleText.line($0.serialized(pretty: false)) } ?? "(not there)" }
    if case .object(let before)? = reviewed, case .object(let after)? = found {
      let old = Dictionary(before.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
      let new = Dictionary(after.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
      let keys = (before.map(\.key) + after.map(\.key).filter { old[$0] == nil }).filter { old[$0] != new[$0] }
      return "\(name): " + keys.map { "\($0) reviewed \(show(old[$0])), found \(show(new[$0]))" }.joined(separator: "; ")
    }
    return "\(name): reviewed \(show(reviewed)), found \(show(found))"
  }
}
