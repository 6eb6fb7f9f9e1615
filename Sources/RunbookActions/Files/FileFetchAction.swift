import Foundation
import RunbookKit

/// Copies files and trees from the step's host into an archive where the engine runs: the
/// host's `file.archive` packs them, and the bytes come back over the agent's connection into
/// this process only — never into the journal, an output or the terminal — to be written to
/// `dest` atomically, then the manifest beside it. Without `on:` it archives this machine's.
public struct FileFetchAction: Action {
  public static let name = "file.fetch"
  public static let summary = "Archive files and trees of the step's host into a local ustar file, with a manifest (sha256, modes, owners, certificate expiry)"
  public static let effect = Effect.mutating
  public static let idempotent = true
  /// The archive is written here; `file.archive` runs on the host.
  public static let runsOnEngine = true
  public static let volatileFields: Set<String> = ["days_remaining", "expiry"]
  public static let inputs = [
    InputSpec("paths", .list, required: true, "Absolute paths on the host; those that do not exist are listed in the manifest as missing"),
    InputSpec("dest", .path, required: true, "The archive to write where runbook runs (its directory is made 0700 when missing)"),
    InputSpec("manifest", .path, "The manifest to write (default: DEST.manifest.json)"),
    InputSpec("source", .string, "The name recorded in the manifest as where the files came from (e.g. ${{ host.name }})"),
    InputSpec("max_bytes", .int, default: .int(Int64(FileArchiveAction.defaultMaxBytes)), "Refuse an archive larger than this (at most 32 MiB)"),
  ]
  public static let outputs = [
    OutputSpec("path", "string", "The archive written"),
    OutputSpec("manifest", "string", "The manifest written"),
    OutputSpec("sha256", "string", "The archive's sha256"),
    OutputSpec("bytes", "int", "The archive's size"),
    OutputSpec("files", "int", "Regular files in it"),
    OutputSpec("entries", "list", "As file.archive's: path, type, mode, uid, gid, owner, group, size, sha256, link; certificates also subject, not_after, days_remaining"),
    OutputSpec("roots", "list", "The given paths that exist on the host"),
    OutputSpec("missing", "list", "The given paths that do not"),
    OutputSpec("expiry", "string", "A table of the certificates: path, not after, days left, subject (soonest first)"),
    OutputSpec("changed", "bool", "Whether the archive differs from the one dest held"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    ActionPreview(
      "pack \(FileArchiveAction.listText(input["paths"])) on the host and write the archive to \(input.text("dest") ?? "") here, with \(Self.manifestPath(input))")
  }

  static func manifestPath(_ input: ResolvedInput) -> String {
    input.text("manifest").flatMap { $0.isEmpty ? nil : $0 } ?? (input.text("dest") ?? "") + ".manifest.json"
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let dest = try FileInputs.path(input, "dest")
    let manifestPath = Self.manifestPath(input)
    var request: [String: Value] = ["paths": input["paths"] ?? .list([])]
    if let limit = input["max_bytes"] { request["max_bytes"] = limit }
    let packed = try await context.runCheck(FileArchiveAction.name, request)
    guard case .string(let encoded)? = packed["archive"], let data = Data(base64Encoded: encoded) else {
      throw ActionError(.failed, "the host's file.archive gave no archive")
    }
    let bytes = Array(data)
    let sha256 = FileInputs.sha256(bytes)
    guard packed["sha256"]?.plainText == sha256 else {
      throw ActionError(.failed, "the archive arrived with sha256 \(sha256), not the host's \(packed["sha256"]?.plainText ?? "?"); nothing was written")
    }
    let entries: [Value]
    if case .list(let list)? = packed["entries"] { entries = list } else { entries = [] }
    let directory = AtomicFile.directoryOf(dest)
    let changed = FileManager.default.contents(atPath: dest).map(Array.init) != bytes
    try FileInputs.perform("write \(dest)") {
      if FileInputs.status(directory) == nil {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      }
      try AtomicFile.write(bytes, to: dest, mode: 0o600)
    }
    let manifest: Value = .map([
      "format": .string(Self.manifestFormat), "source": input["source"] ?? .string(""), "created": .string(CertificateFacts.timestamp(Date())),
      "archive": .string((dest as NSString).lastPathComponent), "sha256": .string(sha256), "bytes": .int(Int64(bytes.count)),
      "roots": packed["roots"] ?? .list([]), "missing": packed["missing"] ?? .list([]), "entries": .list(entries),
    ])
    // After the archive: a crash between the two leaves an archive its manifest does not
    // describe, which file.push refuses, never a manifest vouching for a half archive.
    try FileInputs.perform("write \(manifestPath)") {
      try AtomicFile.write(manifest.json.serialized(pretty: true) + "\n", to: manifestPath, mode: 0o600)
    }
    let expiry = Self.expiryTable(entries)
    context.output(OutputLine(.stdout, "\(dest): \(bytes.count) bytes, \(packed["files"]?.plainText ?? "0") files, sha256 \(sha256)"))
    for line in expiry.split(separator: "\n") { context.output(OutputLine(.stdout, String(line))) }
    return ActionResult([
      "path": .string(dest), "manifest": .string(manifestPath), "sha256": .string(sha256), "bytes": .int(Int64(bytes.count)),
      "files": packed["files"] ?? .int(0), "entries": .list(entries), "roots": packed["roots"] ?? .list([]),
      "missing": packed["missing"] ?? .list([]), "expiry": .string(expiry), "changed": .bool(changed),
    ])
  }

  static let manifestFormat = "runbook-archive-manifest/1"

  /// CERTIFICATE, NOT AFTER, DAYS LEFT, SUBJECT; soonest first; empty without certificates.
  static func expiryTable(_ entries: [Value]) -> String {
    let rows: [[String]] = entries.compactMap { entry in
      guard case .map(let map) = entry, let notAfter = map["not_after"]?.plainText, !notAfter.isEmpty else { return nil }
      return [map["path"]?.plainText ?? "", notAfter, map["days_remaining"]?.plainText ?? "", map["subject"]?.plainText ?? ""]
    }.sorted { ($0[1], $0[0]) < ($1[1], $1[0]) }
    guard !rows.isEmpty else { return "" }
    let table = [["CERTIFICATE", "NOT AFTER", "DAYS LEFT", "SUBJECT"]] + rows
    let widths = (0..<3).map { column in table.map { $0[column].count }.max() ?? 0 }
    return table.map { row in
      (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "   ") + "   " + row[3]
    }.joined(separator: "\n") + "\n"
  }
}
