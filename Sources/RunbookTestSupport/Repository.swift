import Foundation

/// Paths inside this repository, found from this file's location.
public enum Repository {
  public static let root: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  public static func path(_ relative: String) -> String {
    root.appendingPathComponent(relative).path
  }
}
