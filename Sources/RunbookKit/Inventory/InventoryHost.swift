/// One host of an `Inventory`: its name, its variables with Ansible's precedence already applied
/// (all < parent group < child group < host, `group_vars/` and `host_vars/` included), the groups
/// it belongs to, and the connection those variables describe.
public struct InventoryHost: Sendable, Equatable {
  /// The inventory name (`inventory_hostname`).
  public var name: String
  /// The effective variables.
  public var vars: [String: Value]
  /// Every group it belongs to, directly or through a child group, in inventory order; `all`
  /// is left out since every host is in it.
  public var groups: [String]
  /// How to reach it, read once from `vars`.
  public var connection: HostConnection

  public init(name: String, vars: [String: Value], groups: [String]) {
    self.name = name
    self.vars = vars
    self.groups = groups
    self.connection = HostConnection(name: name, vars: vars)
  }
}
