import Foundation
import RunbookKit

/// Sets `KEY=VALUE` lines in an environment file (such as kubespray's `/etc/etcd.env`),
/// atomically, keeping every other line and comment as it was.
public struct FileSetEnvAction: Action {
  public static let name = "file.set-env"
  public static let summary = "Set KEY=VALUE lines in an env file atomically, keeping every other line"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [
    InputSpec("path", .path, required: true, "The env file (created if missing)"),
    InputSpec("set", .environment, "Variables to set"),
    InputSpec("unset", .list, "Variables to remove"),
    InputSpec("mode", .string, "Permission bits for a new file, in octal (default 0644)"),
  ]
  public static let outputs = [
    OutputSpec("changed", "bool", "Whether the file changed"),
    OutputSpec("path", "string", "The file"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    var changes: [String] = []
    if case .map(let set)? = input["set"] { changes += set.keys.sorted().map { "\($0)=\(set[$0]!.plainText)" } }
    if case .list(let unset)? = input["unset"] { changes += unset.map { "unset \($0.plainText)" } }
    return ActionPreview("in \(input.text("path") ?? ""): \(changes.joined(separator: ", "))")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let (path, existing) = try FileInputs.writeTarget(try FileInputs.path(input, "path"))
    var assignments: [(String, String)] = []
    if case .map(let set)? = input["set"] { assignments = set.keys.sorted().map { ($0, set[$0]!.plainText) } }
    var removals: Set<String> = []
    if case .list(let unset)? = input["unset"] { removals = Set(unset.map(\.plainText)) }
    for key in assignments.map(\.0) + removals where !EnvFile.isValidKey(key) {
      throw ActionError(.invalidInput, "'\(key)' is not a valid variable name")
    }
    let old = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let new = EnvFile(old).setting(assignments, removing: removals).text
    guard new != old || existing == nil else { return ActionResult(["changed": .bool(false), "path": .string(path)]) }
    let mode = try existing.map { $0.st_mode & 0o7777 } ?? FileInputs.mode(input) ?? 0o644
    try FileInputs.perform("write \(path)") {
      try AtomicFile.write(Array(new.utf8), to: path, mode: mode, owner: existing.map { ($0.st_uid, $0.st_gid) })
    }
    return ActionResult(["changed": .bool(true), "path": .string(path)])
  }
}

/// The lines of an env file, edited key by key.
struct EnvFile {
  var lines: [String]
  var endsWithNewline: Bool

  init(_ text: String) {
    endsWithNewline = text.isEmpty || text.hasSuffix("\n")
    lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if text.hasSuffix("\n") { lines.removeLast() }
  }

  var text: String { lines.isEmpty ? "" : lines.joined(separator: "\n") + (endsWithNewline ? "\n" : "") }

  static func isValidKey(_ key: String) -> Bool { InputType.isEnvironmentName(key) }

  /// The key a line assigns (`KEY=...` or `export KEY=...`), nil for comments and others.
  static func key(of line: String) -> String? {
    var body = line.drop { $0 == " " || $0 == "\t" }
    if body.hasPrefix("export ") { body = body.dropFirst(7).drop { $0 == " " } }
    guard let equals = body.firstIndex(of: "="), !body.hasPrefix("#") else { return nil }
    let key = String(body[..<equals])
    return isValidKey(key) ? key : nil
  }

  /// A value written so that systemd's EnvironmentFile and a shell read it back unchanged.
  static func render(_ value: String) -> String {
    let plain = value.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.,:/@%+=".unicodeScalars.contains($0)) }
    if plain && !value.isEmpty { return value }
    return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "$", with: "\\$").replacingOccurrences(of: "`", with: "\\`") + "\""
  }

  func setting(_ assignments: [(String, String)], removing removals: Set<String>) -> EnvFile {
    var result = self
    var pending = assignments
    var seen: Set<String> = []
    result.lines = []
    for line in lines {
      guard let key = Self.key(of: line) else {
        result.lines.append(line)
        continue
      }
      if removals.contains(key) { continue }
      if let index = pending.firstIndex(where: { $0.0 == key }) {
        let prefix = line.drop { $0 == " " || $0 == "\t" }.hasPrefix("export ") ? "export " : ""
        result.lines.append("\(prefix)\(key)=\(Self.render(pending[index].1))")
        pending.remove(at: index)
        seen.insert(key)
      } else if seen.contains(key) && assignments.contains(where: { $0.0 == key }) {
        continue
      } else {
        result.lines.append(line)
      }
    }
    for (key, value) in pending { result.lines.append("\(key)=\(Self.render(value))") }
    result.endsWithNewline = true
    return result
  }
}
