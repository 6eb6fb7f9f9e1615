import Foundation
import RunbookYAML

/// `group_vars/` and `host_vars/` beside an inventory file, found as Ansible finds them: for a
/// name, the first of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json`; when that is a directory,
/// every file in it and below (sorted, hidden files and `~` backups left out, only those with no
/// extension or one of the three), later files overriding earlier ones.
extension InventoryLoader {
  static let varsExtensions = ["", ".yml", ".yaml", ".json"]

  /// The variables of each of `names` that has files in `directory`.
  func varsFiles(in directory: String, for names: [String]) -> [String: [String: Value]] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return [:] }
    var found: [String: [String: Value]] = [:]
    for name in names where !name.contains("/") && name != ".." {
      let files = Self.varsFilePaths(directory + "/" + name)
      guard !files.isEmpty else { continue }
      var vars: [String: Value] = [:]
      for file in files { vars.merge(varsFile(file)) { $1 } }
      found[name] = vars
    }
    return found
  }

  private static func varsFilePaths(_ base: String) -> [String] {
    for ext in varsExtensions {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: base + ext, isDirectory: &isDirectory) else { continue }
      return isDirectory.boolValue ? filesBelow(base + ext) : [base + ext]
    }
    return []
  }

  /// Deepest directory of vars files followed (a symlink loop ends here).
  static let maxVarsDepth = 16

  private static func filesBelow(_ directory: String, depth: Int = 0) -> [String] {
    guard depth < maxVarsDepth else { return [] }
    let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    var files: [String] = []
    for entry in entries where !entry.hasPrefix(".") && !entry.hasSuffix("~") {
      let path = directory + "/" + entry
      let ext = (entry as NSString).pathExtension.isEmpty ? "" : "." + (entry as NSString).pathExtension
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue {
        if ext.isEmpty { files += filesBelow(path, depth: depth + 1) }
      } else if varsExtensions.contains(ext) {
        files.append(path)
      }
    }
    return files
  }

  /// One vars file's top-level variables; an empty file has none.
  private func varsFile(_ path: String) -> [String: Value] {
    guard let text = text(of: path, unreadable: Diagnostic.unreadableInventory) else { return [:] }
    let parsed = YAMLParser.parse(text)
    parsed.problems.forEach { report(.yaml($0), in: path) }
    guard let root = parsed.root, !root.isNull else { return [:] }
    guard let pairs = root.mapping else {
      report(.varsFileKind(path, found: root.kindDescription, at: root.range), in: path)
      return [:]
    }
    var vars: [String: Value] = [:]
    for pair in pairs {
      let value = AnsibleYAML.value(pair.value)
      checkPort(pair.name, value, at: pair.value.range, in: path)
      vars[pair.name] = value
    }
    return vars
  }
}
