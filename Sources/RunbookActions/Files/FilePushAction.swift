import Foundation
import RunbookKit

/// Restores a local archive that `file.fetch` wrote onto the step's host: the archive is
/// checked here against its manifest — its sha256, and each member's content, type, mode and
/// owner — and only then sent over the agent's connection to the host's `file.extract`, which
/// checks the sha256 again before writing anything. The bytes are never journaled.
public struct FilePushAction: Action {
  public static let name = "file.push"
  public static let summary = "Restore a local archive written by file.fetch onto the step's host, refused unless it matches its manifest"
  public static let effect = Effect.mutating
  public static let idempotent = true
  /// The archive is read here; `file.extract` runs on the host.
  public static let runsOnEngine = true
  public static let inputs = [
    InputSpec("archive", .path, required: true, "The archive where runbook runs"),
    InputSpec("manifest", .path, "Its manifest (default: ARCHIVE.manifest.json)"),
    InputSpec("root", .path, default: .string("/"), "Where on the host its paths are restored"),
  ]
  public static let outputs = [
    OutputSpec("written", "list", "Paths created or replaced on the host"),
    OutputSpec("unchanged", "int", "Entries the host had already, as archived"),
    OutputSpec("entries", "int", "Entries in the archive"),
    OutputSpec("sha256", "string", "The archive's sha256"),
    OutputSpec("source", "string", "The host the manifest says the files came from"),
    OutputSpec("roots", "list", "The archived paths, as the manifest lists them"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let manifest = input.text("manifest").flatMap { $0.isEmpty ? nil : $0 } ?? (input.text("archive") ?? "") + ".manifest.json"
    return ActionPreview("check \(input.text("archive") ?? "") against \(manifest) here, then unpack it under \(input.text("root") ?? "/") on the host, keeping modes and owners")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let path = try FileInputs.path(input, "archive")
    let manifestPath = input.text("manifest").flatMap { $0.isEmpty ? nil : $0 } ?? path + ".manifest.json"
    let (bytes, manifest) = try Self.verified(archive: path, manifest: manifestPath)
    let sha256 = FileInputs.sha256(bytes)
    let outputs = try await context.runAction(
      FileExtractAction.name,
      ["archive": .string(Data(bytes).base64EncodedString()), "sha256": .string(sha256), "root": input["root"] ?? .string("/")])
    let source = manifest["source"]?.stringValue ?? ""
    context.output(OutputLine(.stdout, "\(path) (from \(source.isEmpty ? "?" : source), sha256 \(sha256)): \(outputs["written"].map { Self.count($0) } ?? 0) written, \(outputs["unchanged"]?.plainText ?? "0") unchanged"))
    return ActionResult([
      "written": outputs["written"] ?? .list([]), "unchanged": outputs["unchanged"] ?? .int(0), "entries": outputs["entries"] ?? .int(0),
      "sha256": .string(sha256), "source": .string(source),
      "roots": manifest["roots"].map(Value.init) ?? .list([]),
    ])
  }

  private static func count(_ value: Value) -> Int {
    if case .list(let items) = value { return items.count }
    return 0
  }

  /// The archive's bytes and its manifest, once the archive is the one the manifest
  /// describes; otherwise an error saying what differs, and that nothing was sent.
  static func verified(archive path: String, manifest manifestPath: String) throws -> ([UInt8], JSONValue) {
    let refused = { (why: String) in ActionError(.failed, "refusing \(path): \(why); nothing was sent to the host") }
    guard let data = FileManager.default.contents(atPath: path) else { throw ActionError(.failed, "cannot read the archive \(path)") }
    guard data.count <= FileArchiveAction.largestArchive else { throw refused("it is \(data.count) bytes, over the 32 MiB an archive may have") }
    let text = try FileInputs.text(ofFile: manifestPath, what: "the manifest")
    guard let manifest = JSONValue.parse(text), manifest["format"]?.stringValue == FileFetchAction.manifestFormat,
      let expected = manifest["sha256"]?.stringValue, case .array(let listed)? = manifest["entries"]
    else { throw refused("\(manifestPath) is not a manifest file.fetch wrote") }
    let bytes = Array(data)
    let actual = FileInputs.sha256(bytes)
    guard actual == expected else { throw refused("its sha256 is \(actual), and \(manifestPath) says \(expected)") }
    let archive: TarArchive
    do {
      archive = try TarArchive(parsing: bytes)
    } catch let error as ActionError {
      throw refused(error.message)
    }
    guard archive.entries.count == listed.count else {
      throw refused("it holds \(archive.entries.count) entries and \(manifestPath) lists \(listed.count)")
    }
    for (entry, item) in zip(archive.entries, listed) {
      let content = entry.kind == .file ? FileInputs.sha256(entry.content) : ""
      let fields: [(String, String, String?)] = [
        ("path", "/" + entry.path, item["path"]?.stringValue), ("type", entry.kind.rawValue, item["type"]?.stringValue),
        ("mode", FileArchiveAction.modeText(entry.mode), item["mode"]?.stringValue), ("sha256", content, item["sha256"]?.stringValue),
        ("owner", entry.owner, item["owner"]?.stringValue), ("group", entry.group, item["group"]?.stringValue),
        ("uid", String(entry.uid), item["uid"].map { Value($0).plainText }), ("gid", String(entry.gid), item["gid"].map { Value($0).plainText }),
        ("link", entry.link, item["link"]?.stringValue),
      ]
      for (name, archived, listed) in fields where archived != listed {
        throw refused("its member /\(entry.path) has \(name) \(archived.isEmpty ? "(none)" : archived), and \(manifestPath) says \(listed ?? "(nothing)")")
      }
    }
    return (bytes, manifest)
  }
}
