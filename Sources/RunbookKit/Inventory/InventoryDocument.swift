import RunbookYAML

/// Inventory files after loading: the inventory, every diagnostic found, and the text of every
/// file read (inventories and vars files) so that diagnostics can show their lines.
public struct InventoryDocument: Sendable {
  public var inventory: Inventory
  public var diagnostics: [Diagnostic]
  public var sources: [String: SourceText]

  /// True when no diagnostic is an error.
  public var isValid: Bool { !diagnostics.hasErrors }
}
