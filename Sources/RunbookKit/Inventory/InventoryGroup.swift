/// One group of an `Inventory` as the inventory declares it: the hosts named in it directly, its
/// child groups, and its own variables (before precedence; hosts carry the effective ones).
public struct InventoryGroup: Sendable, Equatable {
  public var name: String
  /// Hosts named in this group itself, in the order they were added.
  public var hosts: [String]
  /// Child groups, in the order they were added.
  public var children: [String]
  /// The group's own variables: the inventory file's, then its `group_vars/` files over them.
  /// Empty for an inventory read back from JSON, whose shape carries none.
  public var vars: [String: Value]

  public init(name: String, hosts: [String] = [], children: [String] = [], vars: [String: Value] = [:]) {
    self.name = name
    self.hosts = hosts
    self.children = children
    self.vars = vars
  }
}
