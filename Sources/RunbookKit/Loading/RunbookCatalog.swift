import Foundation
import RunbookYAML

/// The runbooks on the search path: `RUNBOOK_PATH` (colon-separated), then `./runbooks`.
public struct RunbookCatalog: Sendable {
  public struct Entry: Sendable {
    public var name: String
    public var title: String?
    public var file: String
  }

  public var directories: [String]

  public init(directories: [String]) {
    self.directories = directories
  }

  public init(environment: [String: String]) {
    let configured = (environment["RUNBOOK_PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    self.init(directories: configured + ["runbooks"])
  }

  /// Every runbook file under the search path, first directory first, each named by its `name:`
  /// (or its file name when it has none).
  public func entries() -> [Entry] {
    var result: [Entry] = []
    for directory in directories {
      guard let walker = FileManager.default.enumerator(atPath: directory) else { continue }
      var files: [String] = []
      while let relative = walker.nextObject() as? String {
        if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") { files.append(relative) }
      }
      for relative in files.sorted() {
        let path = (directory as NSString).appendingPathComponent(relative)
        result.append(Self.entry(path))
      }
    }
    return result
  }

  /// The file for `argument`: an existing path as it is, else the first runbook on the search
  /// path whose name (or file name without extension) is `argument`.
  public func resolve(_ argument: String) -> String? {
    if FileManager.default.fileExists(atPath: argument) { return argument }
    if argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") { return nil }
    let all = entries()
    return (all.first { $0.name == argument } ?? all.first {
      (($0.file as NSString).lastPathComponent as NSString).deletingPathExtension == argument
    })?.file
  }

  private static func entry(_ path: String) -> Entry {
    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    guard case .success(let bytes) = InputFile.read(path, limit: YAMLLimits.default.maxBytes),
      let pairs = YAMLParser.parse(bytes: bytes).root?.mapping
    else { return Entry(name: stem, title: nil, file: path) }
    let name = pairs.first { $0.name == "name" }?.value.scalar?.text ?? stem
    let title = pairs.first { $0.name == "title" }?.value.scalar?.text
    return Entry(name: name, title: title, file: path)
  }
}
