import ArgumentParser
import Foundation
import RunbookKit

/// `-i/--inventory FILE` (repeatable), shared by `hosts` and the commands that run steps on
/// hosts (`plan`, `apply`, `resume`); without it, `RUNBOOK_INVENTORY` (files separated by commas, like
/// `ANSIBLE_INVENTORY`) (docs/running.md, "Hosts and inventories").
struct InventoryOptions: ParsableArguments {
  @Option(
    name: [.customShort("i"), .customLong("inventory")],
    help: ArgumentHelp("An Ansible inventory, INI or YAML; repeat to combine, later files overriding earlier ones (default: $RUNBOOK_INVENTORY).", valueName: "file"))
  var files: [String] = []

  /// The files named with `-i`, else in `RUNBOOK_INVENTORY`; none when neither names any.
  var paths: [String] {
    if !files.isEmpty { return files }
    let variable = ProcessInfo.processInfo.environment["RUNBOOK_INVENTORY"] ?? ""
    return variable.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  /// The inventory when one is named, nil when none is; an inventory with errors exits 2.
  func loadIfGiven() throws(ExitStatus) -> Inventory? {
    paths.isEmpty ? nil : try load()
  }

  /// The inventory a plan or run resolves `on:` in: the one sealed in a plan file — which
  /// carries its hosts, so that what runs is what was reviewed — else the one named here.
  /// Another inventory given for a sealed plan is refused (exit 3).
  func resolve(for input: RunbookInput) throws(ExitStatus) -> Inventory? {
    let given = try loadIfGiven()
    guard let sealed = input.sealedPlan?.inventory, let planFile = input.planFile else { return given }
    if let given, given.json != sealed.json {
      Terminal.standardError(
        "error: \(planFile) was reviewed with another inventory (its hosts or their variables differ from \(paths.joined(separator: ", "))); apply it without -i, since it carries the hosts it was reviewed with, or make and review a new plan with this inventory\n")
      throw .blocked
    }
    return sealed
  }

  /// Loads the inventory; with no file named, or with any error, every diagnostic is reported
  /// and it exits 2 (warnings are reported and the inventory is used).
  func load() throws(ExitStatus) -> Inventory {
    let paths = self.paths
    guard !paths.isEmpty else {
      Terminal.standardError("error: no inventory: give one with -i FILE or in $RUNBOOK_INVENTORY\n")
      throw .invalidInput
    }
    let document = InventoryLoader.load(paths)
    Terminal.report(document.diagnostics, sources: document.sources)
    guard document.isValid else { throw .invalidInput }
    return document.inventory
  }
}
