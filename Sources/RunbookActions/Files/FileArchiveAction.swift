import Foundation
import RunbookKit
import X509

/// Packs files and directory trees into a ustar archive in memory and describes every entry:
/// a read-only action, run on a host by `file.fetch`, which writes the archive where the
/// engine runs. Its `archive` output carries the files' bytes (keys included): used as a step
/// of its own, that output is journaled like any other, which is why `file.fetch` exists.
public struct FileArchiveAction: Action {
  public static let name = "file.archive"
  public static let summary = "Pack files and trees into a ustar archive (base64) with a manifest: sha256, mode, owner, certificate expiry"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  /// Its output is the files' bytes: a probe must not copy them into a plan.
  public static let probes = false
  public static let volatileFields: Set<String> = ["days_remaining"]
  public static let inputs = [
    InputSpec("paths", .list, required: true, "Absolute paths of files or directories; those that do not exist are listed in `missing`"),
    InputSpec("max_bytes", .int, default: .int(Int64(defaultMaxBytes)), "Refuse when the archive would be larger (at most 32 MiB)"),
  ]
  public static let outputs = [
    OutputSpec("archive", "string", "The ustar archive, base64"),
    OutputSpec("sha256", "string", "The sha256 of the archive's bytes"),
    OutputSpec("bytes", "int", "The archive's size"),
    OutputSpec("files", "int", "Regular files in it"),
    OutputSpec("entries", "list", "Each entry: path, type (file|directory|symlink), mode, uid, gid, owner, group, size, sha256, link; a certificate also subject, not_after, days_remaining"),
    OutputSpec("roots", "list", "The given paths that exist"),
    OutputSpec("missing", "list", "The given paths that do not exist"),
  ]

  static let defaultMaxBytes = 8 << 20
  /// base64 of this fits the agent's 64 MiB request, which `file.extract` arrives in.
  static let largestArchive = 32 << 20

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    ActionPreview("pack \(Self.listText(input["paths"])) into an archive (the ones that exist), with sha256, mode and owner of each file")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    guard case .list(let items)? = input["paths"], !items.isEmpty else { throw ActionError(.invalidInput, "paths is empty") }
    var limit = Self.defaultMaxBytes
    if case .int(let given)? = input["max_bytes"] {
      guard given > 0, given <= Self.largestArchive else {
        throw ActionError(.invalidInput, "max_bytes must be between 1 and \(Self.largestArchive) (32 MiB)")
      }
      limit = Int(given)
    }
    var packer = Packer(limit: limit, now: Date())
    var roots: [Value] = []
    var missing: [Value] = []
    for item in items {
      let path = item.plainText
      guard path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
        throw ActionError(.invalidInput, "'\(path)' is not an absolute path without . or .. (paths)")
      }
      let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
      guard trimmed != "/" else { throw ActionError(.invalidInput, "refusing to archive / (paths)") }
      guard FileInputs.status(trimmed) != nil else {
        missing.append(.string(trimmed))
        continue
      }
      roots.append(.string(trimmed))
      try packer.add(trimmed)
    }
    guard !roots.isEmpty else {
      throw ActionError(.failed, "none of \(Self.listText(input["paths"])) exists: nothing to archive")
    }
    let bytes = try packer.archive.bytes()
    guard bytes.count <= limit else {
      throw ActionError(.failed, "the archive of \(roots.map(\.plainText).joined(separator: ", ")) would be \(bytes.count) bytes, over max_bytes \(limit)")
    }
    let files = packer.archive.entries.filter { $0.kind == .file }.count
    var outputs: [String: Value] = [:]
    outputs["archive"] = .string(Data(bytes).base64EncodedString())
    outputs["sha256"] = .string(FileInputs.sha256(bytes))
    outputs["bytes"] = .int(Int64(bytes.count))
    outputs["files"] = .int(Int64(files))
    outputs["entries"] = .list(packer.described)
    outputs["roots"] = .list(roots)
    outputs["missing"] = .list(missing)
    return ActionResult(outputs)
  }

  static func listText(_ value: Value?) -> String {
    guard case .list(let items)? = value else { return value?.plainText ?? "" }
    return items.map(\.plainText).joined(separator: ", ")
  }

  /// Walks the given trees (sorted, a directory before what it holds; symlinks as links, never
  /// followed) into a `TarArchive`, and describes each entry.
  struct Packer {
    let limit: Int
    let now: Date
    var archive = TarArchive()
    var described: [Value] = []
    private var size = 0

    init(limit: Int, now: Date) {
      self.limit = limit
      self.now = now
    }

    mutating func add(_ path: String) throws {
      var info = stat()
      guard lstat(path, &info) == 0 else { throw ActionError(.failed, "cannot read \(path): \(String(cString: strerror(errno)))") }
      var entry = TarArchive.Entry(
        path: String(path.dropFirst()), kind: .file, mode: info.st_mode & 0o7777, uid: info.st_uid, gid: info.st_gid,
        owner: Self.userName(info.st_uid), group: Self.groupName(info.st_gid), mtime: Int64(info.st_mtim.tv_sec))
      var facts: [String: Value] = [:]
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        entry.kind = .directory
        append(entry, facts)
        let names: [String]
        do {
          names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
          throw ActionError(.failed, "cannot list \(path): \(error.localizedDescription)")
        }
        for name in names { try add(path + "/" + name) }
        return
      case S_IFLNK:
        entry.kind = .symlink
        entry.link = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
        facts["link"] = .string(entry.link)
      case S_IFREG:
        size += Int(info.st_size) + TarArchive.block
        guard size <= limit else {
          throw ActionError(.failed, "the archive would be over max_bytes \(limit) once \(path) (\(info.st_size) bytes) is in it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
          throw ActionError(.failed, "cannot read \(path): \(FileManager.default.isReadableFile(atPath: path) ? "it changed while read" : "permission denied")")
        }
        entry.content = Array(data)
        facts["sha256"] = .string(FileInputs.sha256(entry.content))
        facts.merge(Self.certificateFacts(path: path, content: entry.content, now: now)) { a, _ in a }
      default:
        throw ActionError(.failed, "cannot archive \(path): it is a device, socket or fifo")
      }
      append(entry, facts)
    }

    private mutating func append(_ entry: TarArchive.Entry, _ facts: [String: Value]) {
      archive.entries.append(entry)
      var map: [String: Value] = [
        "path": .string("/" + entry.path), "type": .string(entry.kind.rawValue), "mode": .string(FileArchiveAction.modeText(entry.mode)),
        "uid": .int(Int64(entry.uid)), "gid": .int(Int64(entry.gid)), "owner": .string(entry.owner), "group": .string(entry.group),
        "size": .int(Int64(entry.content.count)), "sha256": .string(""), "link": .string(""),
      ]
      map.merge(facts) { _, new in new }
      described.append(.map(map))
    }

    /// subject, not_after and days_remaining of the first certificate a PEM file holds.
    static func certificateFacts(path: String, content: [UInt8], now: Date) -> [String: Value] {
      let text = String(decoding: content, as: UTF8.self)
      guard text.contains("-----BEGIN CERTIFICATE-----"), let pem = try? PEMFile(path: path, text: text), let leaf = pem.certificates.first,
        let facts = try? CertificateFacts(leaf)
      else { return [:] }
      return [
        "subject": .string(leaf.subject.description), "not_after": .string(CertificateFacts.timestamp(leaf.notValidAfter)),
        "days_remaining": .int(facts.daysRemaining(at: now)),
      ]
    }

    static func userName(_ uid: uid_t) -> String {
      guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "" }
      return String(cString: name)
    }

    static func groupName(_ gid: gid_t) -> String {
      guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return "" }
      return String(cString: name)
    }
  }

  static func modeText(_ mode: mode_t) -> String {
    let text = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - text.count)) + text
  }
}
