/// What an action does to the world; shown in plans as `·` read-only, `~` mutating, `!` destructive.
public enum Effect: String, Sendable, Hashable, CaseIterable {
  case readOnly = "read-only"
  case mutating
  case destructive

  public var marker: String {
    switch self {
    case .readOnly: "·"
    case .mutating: "~"
    case .destructive: "!"
    }
  }
}
