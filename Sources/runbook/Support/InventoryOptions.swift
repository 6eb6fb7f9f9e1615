import ArgumentParser
import Foundation
import RunbookKit

/// `-i/--inventory FILE` (repeatable), shared by `hosts` and, later, the commands that run steps
/// on hosts; without it, `RUNBOOK_INVENTORY` (files separated by commas, like
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
