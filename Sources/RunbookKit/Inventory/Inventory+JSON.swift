/// The inventory in the shape `ansible-inventory --list` prints, and back: what `runbook hosts
/// --format json` prints and what a plan file embeds (docs/running.md, "Hosts and inventories").
extension Inventory {
  /// Why a JSON document is not an inventory in `ansible-inventory --list`'s shape.
  public struct JSONShapeError: Error, Sendable, Equatable {
    public var reason: String
  }

  /// `{"_meta": {"hostvars": {HOST: VARS}}, "all": {"children": [...]}, GROUP: {"hosts": [...],
  /// "children": [...]}}`: groups from `all` down, each once, with empty `hosts` and `children`
  /// left out and a group with neither left out; `_meta.hostvars` has only hosts with variables.
  /// Ansible 2.19 adds `_meta.profile`, which nothing reads; it is not written.
  public var json: JSONValue {
    var members: [JSONValue.Member] = []
    var seen: Set<String> = []
    func visit(_ name: String) {
      guard let group = group(named: name) else { return }
      var entry: [JSONValue.Member] = []
      if name != "all", !group.hosts.isEmpty { entry.append(.init("hosts", .array(group.hosts.map { .string($0) }))) }
      if !group.children.isEmpty { entry.append(.init("children", .array(group.children.map { .string($0) }))) }
      if !entry.isEmpty { members.append(.init(name, .object(entry))) }
      for child in group.children where seen.insert(child).inserted { visit(child) }
    }
    seen.insert("all")
    visit("all")
    let hostvars = hosts.filter { !$0.vars.isEmpty }.map { JSONValue.Member($0.name, Value.map($0.vars).json) }
    return .object(members + [.init("_meta", ["hostvars": .object(hostvars)])])
  }

  /// Reads the shape `json` writes (and `ansible-inventory --list` prints): hosts in the order of
  /// `_meta.hostvars`, then any named only in groups; groups from `all` down, without variables.
  public init(ansibleJSON json: JSONValue) throws(JSONShapeError) {
    guard case .object(let members) = json else { throw JSONShapeError(reason: "the inventory is not a JSON object") }
    var hostNames: [String] = []
    var hostVars: [String: [String: Value]] = [:]
    if let meta = json["_meta"] {
      guard case .object(let entries)? = meta["hostvars"] ?? .object([]) else { throw JSONShapeError(reason: "'_meta.hostvars' is not an object") }
      for entry in entries {
        guard case .map(let vars) = Value(entry.value) else { throw JSONShapeError(reason: "the variables of host '\(entry.key)' are not an object") }
        if hostVars[entry.key] == nil { hostNames.append(entry.key) }
        hostVars[entry.key] = vars
      }
    }
    var groups: [String: InventoryGroup] = [:]
    var order: [String] = []
    func strings(_ value: JSONValue?, _ what: String) throws(JSONShapeError) -> [String] {
      guard let value else { return [] }
      guard case .array(let items) = value else { throw JSONShapeError(reason: "\(what) is not a list of names") }
      let names = items.compactMap(\.stringValue)
      guard names.count == items.count else { throw JSONShapeError(reason: "\(what) is not a list of names") }
      return names
    }
    func visit(_ name: String) throws(JSONShapeError) {
      guard groups[name] == nil else { return }
      let entry = json[name] ?? .object([])
      guard case .object = entry else { throw JSONShapeError(reason: "group '\(name)' is not an object") }
      let group = InventoryGroup(
        name: name, hosts: try strings(entry["hosts"], "'hosts' of group '\(name)'"),
        children: try strings(entry["children"], "'children' of group '\(name)'"))
      groups[name] = group
      order.append(name)
      for host in group.hosts where hostVars[host] == nil {
        hostVars[host] = [:]
        hostNames.append(host)
      }
      for child in group.children { try visit(child) }
    }
    try visit("all")
    if groups["ungrouped"] == nil {
      groups["ungrouped"] = InventoryGroup(name: "ungrouped")
      order.insert("ungrouped", at: 1)
    }
    for member in members where member.key != "_meta" && groups[member.key] == nil {
      throw JSONShapeError(reason: "group '\(member.key)' is not below 'all'")
    }
    // a host's groups: those naming it, and every group above them
    var parents: [String: [String]] = [:]
    for name in order {
      for child in groups[name]!.children { parents[child, default: []].append(name) }
    }
    var memberOf: [String: Set<String>] = [:]
    for name in order {
      for host in groups[name]!.hosts {
        var pending = [name]
        while let group = pending.popLast() {
          if memberOf[host, default: []].insert(group).inserted { pending += parents[group] ?? [] }
        }
      }
    }
    let orderedGroups = order.map { groups[$0]! }
    self.init(
      hosts: hostNames.map { host in
        InventoryHost(name: host, vars: hostVars[host]!, groups: order.filter { $0 != "all" && memberOf[host]?.contains($0) == true })
      },
      groups: orderedGroups)
  }
}
