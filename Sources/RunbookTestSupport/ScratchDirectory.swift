import Foundation

/// A temporary directory for one test, removed afterwards, with helpers to write runbooks into it.
public final class ScratchDirectory {
  public let path: String

  public init(_ label: String = "test") throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-\(label)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `text` to `name` inside the directory and returns its path.
  @discardableResult
  public func write(_ name: String, _ text: String) throws -> String {
    let file = path + "/" + name
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  public func read(_ name: String) -> String {
    (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? ""
  }

  public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }

  /// Every regular file below the directory, as (path, bytes).
  public func allFiles(under sub: String = "") -> [(String, Data)] {
    let root = sub.isEmpty ? path : path + "/" + sub
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    return walker.compactMap { element in
      let file = root + "/" + (element as! String)
      return FileManager.default.contents(atPath: file).map { (file, $0) }
    }
  }
}

extension ScratchDirectory {
  /// Runs `runbook ARGUMENTS` in this directory with its own state directory (`state/`).
  public func runbook(_ arguments: [String], environment: [String: String] = [:], binSh: CommandLineTool.BinSh = .system) throws -> CommandLineTool.Result {
    try CommandLineTool.run(arguments, in: path, environment: ["RUNBOOK_STATE_DIR": path + "/state"].merging(environment) { $1 }, binSh: binSh)
  }
}
