/// The hosts an operator named with `-i`: every host with its effective variables and how to
/// reach it, and every group, as Ansible reads the same files (docs/running.md, "Hosts and
/// inventories"). A value, so that a plan can carry it and a test can compare it.
public struct Inventory: Sendable, Equatable {
  /// Every host, in the order the inventory first names it.
  public var hosts: [InventoryHost]
  /// Every group, `all` and `ungrouped` first, then in the order the inventory first names them.
  public var groups: [InventoryGroup]

  public init(hosts: [InventoryHost], groups: [InventoryGroup]) {
    self.hosts = hosts
    self.groups = groups
  }

  /// The host called `name`.
  public func host(named name: String) -> InventoryHost? { hosts.first { $0.name == name } }

  /// The group called `name`.
  public func group(named name: String) -> InventoryGroup? { groups.first { $0.name == name } }

  /// Every host of the group `name`, directly or through its children, in inventory order.
  public func hosts(inGroup name: String) -> [String] {
    hosts.filter { $0.groups.contains(name) }.map(\.name)
  }
}
