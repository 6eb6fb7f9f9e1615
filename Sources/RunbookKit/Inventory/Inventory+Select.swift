/// Host patterns: which hosts a step's `on:` or `runbook hosts PATTERN` means.
extension Inventory {
  /// The hosts `pattern` names: a host, a group (its hosts directly or through children, in
  /// inventory order), `all`, or a list of those separated by `,` or `:` (their union, in the
  /// order of first appearance). A name that is both a group and a host means the group, as in
  /// Ansible.
  public func select(_ pattern: String) throws(InventorySelectionError) -> [String] {
    var selected: [String] = []
    var seen: Set<String> = []
    for part in pattern.split(whereSeparator: { $0 == "," || $0 == ":" }) {
      let name = part.trimmingCharacters(in: .whitespaces)
      guard !name.isEmpty else { continue }
      let names: [String]
      if name == "all" {
        names = hosts.map(\.name)
      } else if group(named: name) != nil {
        names = hosts(inGroup: name)
      } else if host(named: name) != nil {
        names = [name]
      } else {
        throw InventorySelectionError(
          name: name, diagnostic: .unknownHostPattern(name, candidates: groups.map(\.name) + hosts.map(\.name)))
      }
      for host in names where seen.insert(host).inserted { selected.append(host) }
    }
    return selected
  }

  /// This inventory with only the hosts in `names`, in that order: groups keep only those hosts,
  /// and every group stays, so that the JSON shape still lists them.
  public func restricted(to names: [String]) -> Inventory {
    let kept = Set(names)
    return Inventory(
      hosts: names.compactMap(host(named:)),
      groups: groups.map { group in
        var group = group
        group.hosts = group.hosts.filter(kept.contains)
        return group
      })
  }
}
