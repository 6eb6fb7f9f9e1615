import Crypto
import Foundation

/// The programs a plan runs behind names, pinned when it is sealed: each `exec` argv[0] as
/// resolved on PATH, each plugin's executable with its sha256. `apply` of a sealed plan refuses
/// one whose programs changed, so a shadowing directory put first on PATH, or a plugin replaced
/// after review, cannot run unseen (docs/running.md, "Sealed plans").
public struct ProgramPins: Sendable, Equatable {
  /// `exec NAME` or `plugin ACTION` → what it resolved to.
  public var entries: [String: String]

  public init(_ entries: [String: String] = [:]) { self.entries = entries }

  /// The pins of every call in `plan`, resolving names on `searchPath` (PATH).
  public static func of(_ plan: Plan, registry: ActionRegistry, searchPath: String) -> ProgramPins {
    var entries: [String: String] = [:]
    for call in plan.calls {
      if let executable = registry[call.action]?.executable {
        entries["plugin \(call.action)"] = executable + " sha256:" + (digest(of: executable) ?? "unreadable")
      } else if call.action == "exec", case .list(let argv)? = call.inputs.first(where: { $0.name == "argv" })?.value,
        case .string(let program)? = argv.first, !program.isEmpty
      {
        entries["exec \(program)"] = resolve(program, on: searchPath) ?? "(not found)"
      }
    }
    return ProgramPins(entries)
  }

  /// What differs from `sealed`, a line each, as `apply` reports it.
  public func changes(from sealed: ProgramPins) -> [String] {
    Set(entries.keys).union(sealed.entries.keys).sorted().compactMap { key in
      let was = sealed.entries[key] ?? "(not in the plan)"
      let now = entries[key] ?? "(not run now)"
      return was == now ? nil : "\(key): \(was) when planned, \(now) now"
    }
  }

  public var json: JSONValue { .object(entries.keys.sorted().map { .init($0, .string(entries[$0]!)) }) }

  public init?(json: JSONValue?) {
    guard case .object(let members)? = json else { return nil }
    entries = Dictionary(members.compactMap { m in m.value.stringValue.map { (m.key, $0) } }, uniquingKeysWith: { a, _ in a })
  }

  /// The absolute path `program` runs as: itself (made absolute) when it names a path, else the
  /// first executable of that name on `searchPath`, as posix_spawnp finds it.
  static func resolve(_ program: String, on searchPath: String) -> String? {
    if program.contains("/") {
      guard let real = realpath(program, nil) else { return nil }
      defer { free(real) }
      return String(cString: real)
    }
    for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
      let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
      if access(candidate, X_OK) == 0, InputFile.isRegular(candidate) {
        return candidate.hasPrefix("/") ? candidate : FileManager.default.currentDirectoryPath + "/" + candidate
      }
    }
    return nil
  }

  static func digest(of file: String) -> String? {
    guard case .success(let bytes) = InputFile.read(file, limit: 1 << 30) else { return nil }
    return SHA256.hash(data: bytes).hex
  }
}

extension Plan {
  /// Every call the plan may make here: steps, loop iterations, checks, undo, run-level
  /// preconditions. A step on hosts runs the programs of those hosts, which are not pinned here.
  public var calls: [Call] {
    var calls = preconditions.map(\.call)
    for step in steps where step.hosts == nil {
      calls.append(step.call)
      calls += (step.loop?.iterations ?? []).map(\.call)
      calls += (step.preconditions + step.skipIf + step.verify).map(\.call)
      if let undo = step.undo { calls.append(undo) }
    }
    return calls
  }
}
