/// What the inventory files say so far, kept the way Ansible keeps it while it reads them
/// (groups and hosts in the order first named, each group's hosts, children and parents, the
/// variables each file sets), and turned into an `Inventory` once every file is read: groups
/// without a parent become children of `all`, hosts in no group go to `ungrouped`, and each
/// host's variables are merged in Ansible's precedence: `all`, then each group's by depth,
/// `ansible_group_priority` and name, from the inventory files; then `group_vars/all`, then each
/// group's `group_vars/` in the same order; then the host's, then its `host_vars/`.
final class InventoryBuilder {
  struct Group {
    var hosts: [String] = []
    var children: [String] = []
    var parents: [String] = []
    var vars: [String: Value] = [:]
    /// `ansible_group_priority`: among groups of one depth, a higher one wins.
    var priority = 1
  }

  struct Host {
    var vars: [String: Value] = [:]
    /// The groups it is named in directly.
    var groups: [String] = []
  }

  private(set) var groupOrder: [String] = []
  private(set) var groups: [String: Group] = [:]
  private(set) var hostOrder: [String] = []
  private(set) var hosts: [String: Host] = [:]

  init() {
    addGroup("all")
    addGroup("ungrouped")
    _ = addChild("ungrouped", to: "all")
  }

  func hasGroup(_ name: String) -> Bool { groups[name] != nil }

  func addGroup(_ name: String) {
    guard groups[name] == nil else { return }
    groups[name] = Group()
    groupOrder.append(name)
  }

  /// Adds `name` to `group`; a new host takes `port` as its `ansible_port` (a port on a later
  /// mention of the same host is ignored, as Ansible ignores it).
  func addHost(_ name: String, to group: String, port: Int?) {
    if hosts[name] == nil {
      hosts[name] = Host()
      hostOrder.append(name)
      if let port { hosts[name]!.vars["ansible_port"] = .int(Int64(port)) }
    }
    guard !groups[group]!.hosts.contains(name) else { return }
    groups[group]!.hosts.append(name)
    hosts[name]!.groups.append(group)
  }

  func setVariable(group: String, _ key: String, _ value: Value) {
    if key == "ansible_group_priority" {
      switch value {
      case .int(let n): groups[group]!.priority = Int(clamping: n)
      case .string(let s): groups[group]!.priority = Int(s) ?? 1
      default: break
      }
      return
    }
    groups[group]!.vars[key] = value
  }

  func setVariable(host: String, _ key: String, _ value: Value) {
    hosts[host]!.vars[key] = value
  }

  /// Makes `child` a child of `parent`; when that would close a cycle, nothing is added and the
  /// cycle comes back (`[parent, parent]` for a group made its own child).
  func addChild(_ child: String, to parent: String) -> [String]? {
    if child == parent { return [parent, parent] }
    if let path = path(from: child, to: parent) { return [parent] + path }
    guard !groups[parent]!.children.contains(child) else { return nil }
    groups[parent]!.children.append(child)
    if !groups[child]!.parents.contains(parent) { groups[child]!.parents.append(parent) }
    return nil
  }

  /// A path down the children from `start` to `target`, both included.
  private func path(from start: String, to target: String) -> [String]? {
    var seen: Set<String> = []
    func walk(_ group: String) -> [String]? {
      if group == target { return [group] }
      guard seen.insert(group).inserted else { return nil }
      for child in groups[group]!.children {
        if let rest = walk(child) { return [group] + rest }
      }
      return nil
    }
    return walk(start)
  }

  /// The inventory, with the variables of `group_vars/` and `host_vars/` of each inventory
  /// directory (in the order of the files given) merged at their places in the precedence.
  func build(groupFiles: [[String: [String: Value]]], hostFiles: [[String: [String: Value]]]) -> Inventory {
    reconcile()
    var depths: [String: Int] = [:]
    func depth(_ group: String) -> Int {
      if let known = depths[group] { return known }
      let value = groups[group]!.parents.map { depth($0) + 1 }.max() ?? 0
      depths[group] = value
      return value
    }
    let inventoryHosts = hostOrder.map { name in
      let memberOf = ancestors(of: hosts[name]!.groups)
      let ranked = groupOrder.filter { $0 != "all" && memberOf.contains($0) }.sorted { a, b in
        let (da, db) = (depth(a), depth(b))
        if da != db { return da < db }
        let (pa, pb) = (groups[a]!.priority, groups[b]!.priority)
        if pa != pb { return pa < pb }
        return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
      }
      // Ansible's default VARIABLE_PRECEDENCE: every group's inventory variables, and only then
      // group_vars/all, so that group_vars/all outranks [web:vars] (docs/running.md, "Hosts and inventories")
      var vars = groups["all"]!.vars
      for group in ranked { vars.merge(groups[group]!.vars) { $1 } }
      for files in groupFiles { vars.merge(files["all"] ?? [:]) { $1 } }
      for files in groupFiles {
        for group in ranked { vars.merge(files[group] ?? [:]) { $1 } }
      }
      vars.merge(hosts[name]!.vars) { $1 }
      for files in hostFiles { vars.merge(files[name] ?? [:]) { $1 } }
      return InventoryHost(name: name, vars: vars, groups: groupOrder.filter { $0 != "all" && memberOf.contains($0) })
    }
    let inventoryGroups = groupOrder.map { name in
      let group = groups[name]!
      var vars = group.vars
      for files in groupFiles { vars.merge(files[name] ?? [:]) { $1 } }
      return InventoryGroup(name: name, hosts: group.hosts, children: group.children, vars: vars)
    }
    return Inventory(hosts: inventoryHosts, groups: inventoryGroups)
  }

  /// `groups` and every group above them.
  private func ancestors(of direct: [String]) -> Set<String> {
    var found: Set<String> = []
    var pending = direct
    while let group = pending.popLast() {
      guard found.insert(group).inserted else { continue }
      pending += groups[group]!.parents
    }
    return found
  }

  /// What Ansible does once every source is read: a group with no parent becomes a child of
  /// `all`; a host in no group but `all` goes to `ungrouped`, and one in another group leaves it.
  private func reconcile() {
    for name in groupOrder where name != "all" && groups[name]!.parents.isEmpty {
      _ = addChild(name, to: "all")
    }
    for name in hostOrder {
      let memberOf = ancestors(of: hosts[name]!.groups)
      if memberOf.contains("ungrouped") {
        if !memberOf.subtracting(["all", "ungrouped"]).isEmpty {
          groups["ungrouped"]!.hosts.removeAll { $0 == name }
          hosts[name]!.groups.removeAll { $0 == "ungrouped" }
        }
      } else if memberOf.subtracting(["all"]).isEmpty {
        groups["ungrouped"]!.hosts.append(name)
        hosts[name]!.groups.append("ungrouped")
      }
    }
  }
}
