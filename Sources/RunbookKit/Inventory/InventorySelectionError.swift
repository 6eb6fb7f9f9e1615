/// A host pattern names what the inventory does not have: the unknown name, and the diagnostic
/// (H714) that says so with a "did you mean".
public struct InventorySelectionError: Error, Sendable, Equatable {
  public var name: String
  public var diagnostic: Diagnostic
}
