/// What an action does to the world; shown in plans as `·` read-only, `~` mutating, `!` destructive.
public enum Effect: String, Sendable, Hashable, CaseIterable {
  case readOnly = "read-only"
  case mutating
  case destructive

  /// The one line that explains the markers, above a plan's steps.
  public static var legend: String {
    "Legend: " + allCases.map { "\($0.marker) \($0.rawValue)" }.joined(separator: "  ") + "  (what each action does to the world)"
  }

  public var marker: String {
    switch self {
    case .readOnly: "·"
    case .mutating: "~"
    case .destructive: "!"
    }
  }
}
