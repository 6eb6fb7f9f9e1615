import ArgumentParser
import RunbookKit

/// `runbook hosts -i INVENTORY [PATTERN]`: the hosts an inventory gives, as the engine will reach
/// them, or in `ansible-inventory --list`'s JSON shape (docs/running.md, "Hosts and inventories").
struct Hosts: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the hosts of an Ansible inventory: address, port, user, become, groups.",
    discussion: "PATTERN is a host, a group, 'all', or a list of them separated by ',' or ':'. --format json prints the shape of `ansible-inventory --list`.")

  @OptionGroup var inventory: InventoryOptions

  @Argument(help: "The hosts to show (default: all).")
  var pattern: String?

  @Option(help: "text or json.")
  var format: OutputFormat = .text

  func run() throws {
    var inventory = try self.inventory.load()
    if let pattern {
      do {
        inventory = inventory.restricted(to: try inventory.select(pattern))
      } catch {
        Terminal.report([error.diagnostic], sources: [:])
        throw ExitStatus.invalidInput
      }
    }
    switch format {
    case .json:
      Terminal.standardOutput(inventory.json.serialized() + "\n")
    case .text:
      Terminal.standardOutput(Self.text(inventory))
    }
  }

  /// A table of the hosts and how they are reached, then each group with its hosts.
  static func text(_ inventory: Inventory) -> String {
    guard !inventory.hosts.isEmpty else { return "no hosts\n" }
    let rows = inventory.hosts.map { host in
      let connection = host.connection
      let address = connection.address + (connection.port.map { ":\($0)" } ?? "")
      let become = connection.become ? "yes" + (connection.becomeUser.map { " (\($0))" } ?? "") : "no"
      return [host.name, address, connection.user ?? "-", become, host.groups.joined(separator: ",")].map(VisibleText.line)
    }
    var out = RunSummary.table(header: ["HOST", "ADDRESS", "USER", "BECOME", "GROUPS"], rows: rows)
    let shown = Set(inventory.hosts.map(\.name))
    let groups = inventory.groups.filter { $0.name != "all" }.compactMap { group -> String? in
      let members = inventory.hosts(inGroup: group.name).filter(shown.contains)
      guard !members.isEmpty else { return nil }
      let children = group.children.isEmpty ? "" : " (children: \(group.children.joined(separator: ", ")))"
      return VisibleText.line("\(group.name)\(children): \(members.joined(separator: ", "))")
    }
    if !groups.isEmpty { out += "\nGROUPS\n" + groups.map { "  " + $0 + "\n" }.joined() }
    return out
  }
}
