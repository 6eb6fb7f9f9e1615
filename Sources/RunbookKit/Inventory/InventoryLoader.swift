import Foundation
import RunbookYAML

/// Reads Ansible inventories as Ansible does (docs/running.md, "Hosts and inventories"): one or
/// more files, each INI or YAML, later files adding to and overriding earlier ones, with the
/// `group_vars/` and `host_vars/` directories beside each; every problem is reported at once.
public final class InventoryLoader {
  /// Largest inventory or vars file read.
  static let maxBytes = YAMLLimits.default.maxBytes

  let builder = InventoryBuilder()
  private(set) var diagnostics: [Diagnostic] = []
  private(set) var sources: [String: SourceText] = [:]

  private init() {}

  /// Loads the inventory files `paths`, in order.
  public static func load(_ paths: [String]) -> InventoryDocument {
    let loader = InventoryLoader()
    // each directory once (two files beside each other share their group_vars/), named as the
    // inventory's path names it so that diagnostics show the paths the operator gave
    var directories: [String] = []
    var seen: Set<String> = []
    for path in paths {
      loader.read(path)
      let directory = (path as NSString).deletingLastPathComponent
      if seen.insert(URL(fileURLWithPath: directory.isEmpty ? "." : directory).resolvingSymlinksInPath().path).inserted {
        directories.append(directory.isEmpty ? "" : directory + "/")
      }
    }
    let groupFiles = directories.map { loader.varsFiles(in: $0 + "group_vars", for: loader.builder.groupOrder) }
    let hostFiles = directories.map { loader.varsFiles(in: $0 + "host_vars", for: loader.builder.hostOrder) }
    let inventory = loader.builder.build(groupFiles: groupFiles, hostFiles: hostFiles)
    return InventoryDocument(inventory: inventory, diagnostics: loader.sortedDiagnostics, sources: loader.sources)
  }

  /// The diagnostics file by file in the order the files were read, each file's in source order.
  private var sortedDiagnostics: [Diagnostic] {
    var files: [String] = []
    for d in diagnostics where !files.contains(d.file ?? "") { files.append(d.file ?? "") }
    return diagnostics.enumerated().sorted { a, b in
      let (fa, fb) = (files.firstIndex(of: a.element.file ?? "")!, files.firstIndex(of: b.element.file ?? "")!)
      if fa != fb { return fa < fb }
      switch (a.element.range, b.element.range) {
      case (let x?, let y?) where x.start != y.start: return x.start < y.start
      case (nil, _?): return true
      case (_?, nil): return false
      default: return a.offset < b.offset
      }
    }.map(\.element)
  }

  func report(_ diagnostic: Diagnostic, in file: String) {
    diagnostics.append(diagnostic.inFile(file))
  }

  /// The text of `path`, or nil after reporting why it cannot be read.
  func text(of path: String, unreadable: (String, String) -> Diagnostic) -> String? {
    switch InputFile.read(path, limit: Self.maxBytes) {
    case .success(let bytes):
      guard let text = String(validating: bytes, as: UTF8.self) else {
        let problem = YAMLProblem(.invalidUTF8, "the file is not valid UTF-8", at: SourceRange(line: 1, column: 1, length: 1))
        report(.yaml(problem), in: path)
        return nil
      }
      sources[path] = SourceText(text)
      return text
    case .failure(let failure):
      report(unreadable(path, failure.reason), in: path)
      return nil
    }
  }

  /// Reads one inventory file, as YAML or INI as Ansible would take it.
  private func read(_ path: String) {
    guard let text = text(of: path, unreadable: Diagnostic.unreadableInventory) else { return }
    let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
    switch ext {
    case "yml", "yaml", "json":
      readYAML(YAMLParser.parse(text), file: path)
    case "ini":
      readINI(text, file: path)
    default:
      // Ansible tries YAML first and falls back to INI; a file that starts like a YAML
      // mapping is kept as YAML so that its mistakes are reported as YAML's.
      let parsed = YAMLParser.parse(text)
      if (parsed.problems.isEmpty && parsed.root?.mapping != nil) || Self.looksLikeYAML(text) {
        readYAML(parsed, file: path)
      } else {
        readINI(text, file: path)
      }
    }
  }

  /// Whether the first line that is not blank or a comment is a YAML key (`all:`) or `---`.
  private static func looksLikeYAML(_ text: String) -> Bool {
    for line in text.split(whereSeparator: \.isNewline) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
      return trimmed == "---" || (trimmed.hasSuffix(":") && !trimmed.hasPrefix("["))
    }
    return false
  }

  /// Reports an `ansible_port` that is no port.
  func checkPort(_ key: String, _ value: Value, at range: SourceRange?, in file: String) {
    guard key == "ansible_port" else { return }
    if HostConnection.port(value.plainText) == nil || value.typeName == "decimal" || value.typeName == "bool" {
      report(.badAnsiblePort(value.plainText, at: range), in: file)
    }
  }
}
