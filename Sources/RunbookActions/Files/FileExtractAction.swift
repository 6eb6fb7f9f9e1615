import Foundation
import RunbookKit

/// Unpacks a ustar archive given in base64 under a root, keeping every entry's mode, owner and
/// mtime: what `file.push` runs on a host. Nothing is written unless the whole archive has the
/// given sha256, parses, and fits the tree already there (a file where the archive has a
/// directory, or a member under one of the archive's own symlinks, refuses it all).
public struct FileExtractAction: Action {
  public static let name = "file.extract"
  public static let summary = "Unpack a ustar archive (base64) whose sha256 is given, keeping modes and owners; files replaced atomically"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = [
    InputSpec("archive", .string, required: true, "The ustar archive, base64 (file.push reads it from a local file)"),
    InputSpec("sha256", .string, required: true, "The archive's sha256: any other archive is refused before anything is written"),
    InputSpec("root", .path, default: .string("/"), "Where its relative paths are unpacked"),
  ]
  public static let outputs = [
    OutputSpec("written", "list", "Paths created or replaced"),
    OutputSpec("unchanged", "int", "Entries already there with the same content, mode and owner"),
    OutputSpec("entries", "int", "Entries in the archive"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    let sha = input.text("sha256").map { String($0.prefix(12)) } ?? ""
    return ActionPreview("unpack the archive with sha256 \(sha)… under \(input.text("root") ?? "/"), keeping modes and owners")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    guard let encoded = input.text("archive"), let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
      throw ActionError(.invalidInput, "archive is not base64")
    }
    let bytes = Array(data)
    let expected = (input.text("sha256") ?? "").lowercased()
    let actual = FileInputs.sha256(bytes)
    guard actual == expected else {
      throw ActionError(.failed, "refusing the archive: its sha256 is \(actual), not \(expected); nothing was written")
    }
    let archive = try TarArchive(parsing: bytes)
    var root = input.text("root").flatMap { $0.isEmpty ? nil : $0 } ?? "/"
    while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
    let targets = try Self.plan(archive, root: root)
    var written: [Value] = []
    var unchanged = 0
    for (entry, target) in zip(archive.entries, targets) {
      let done = try FileInputs.performing("restore \(target)") { try Self.place(entry, at: target) }
      if done { written.append(.string(target)) } else { unchanged += 1 }
    }
    // Directory modes last, deepest first: a 0500 directory must not stop what goes in it.
    for (entry, target) in zip(archive.entries, targets).reversed() where entry.kind == .directory {
      let owner = Self.owner(of: entry)
      try FileInputs.perform("set the mode of \(target)") {
        guard chown(target, owner.0, owner.1) == 0, chmod(target, entry.mode) == 0 else { throw AtomicFile.posixError(errno) }
        Self.setTime(target, entry.mtime, followLink: true)
      }
    }
    return ActionResult(["written": .list(written), "unchanged": .int(Int64(unchanged)), "entries": .int(Int64(archive.entries.count))])
  }

  /// Each entry's path on this machine, after checking them all: relative, no `.` or `..`,
  /// nothing under a symlink the archive itself makes, no kind at odds with what is there.
  static func plan(_ archive: TarArchive, root: String) throws -> [String] {
    var links: Set<String> = []
    var targets: [String] = []
    for entry in archive.entries {
      let parts = entry.path.split(separator: "/", omittingEmptySubsequences: false)
      guard !entry.path.hasPrefix("/"), !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
        throw ActionError(.failed, "refusing the archive: member '\(entry.path)' is not a plain relative path; nothing was written")
      }
      for depth in 1..<max(1, parts.count) where links.contains(parts.prefix(depth).joined(separator: "/")) {
        throw ActionError(.failed, "refusing the archive: member \(entry.path) lies under the archive's own symlink \(parts.prefix(depth).joined(separator: "/")); nothing was written")
      }
      if entry.kind == .symlink { links.insert(entry.path) }
      let target = (root == "/" ? "" : root) + "/" + entry.path
      if let existing = FileInputs.status(target) {
        let type = existing.st_mode & S_IFMT
        if entry.kind == .directory, type != S_IFDIR, !(type == S_IFLNK && isDirectory(target)) {
          throw ActionError(.failed, "refusing the archive: \(target) is a directory in it and something else here; nothing was written")
        }
        if entry.kind != .directory, type == S_IFDIR {
          throw ActionError(.failed, "refusing the archive: \(target) is a \(entry.kind.rawValue) in it and a directory here; nothing was written")
        }
      }
      targets.append(target)
    }
    return targets
  }

  private static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
  }

  /// The owner to give: the archive's user and group names where this machine has them (a
  /// replacement host may number them differently), else its numbers.
  static func owner(of entry: TarArchive.Entry) -> (uid_t, gid_t) {
    let uid = entry.owner.isEmpty ? nil : getpwnam(entry.owner)?.pointee.pw_uid
    let gid = entry.group.isEmpty ? nil : getgrnam(entry.group)?.pointee.gr_gid
    return (uid ?? entry.uid, gid ?? entry.gid)
  }

  /// Puts one entry in place; false when it was there already, as the archive has it.
  static func place(_ entry: TarArchive.Entry, at target: String) throws -> Bool {
    let owner = Self.owner(of: entry)
    let existing = FileInputs.status(target)
    switch entry.kind {
    case .directory:
      if existing != nil {
        return !(existing!.st_mode & 0o7777 == entry.mode && existing!.st_uid == owner.0 && existing!.st_gid == owner.1)
      }
      // Parents the archive does not hold as the system makes them (0755 less the umask); the
      // directory itself private until its own mode is set, after what goes in it.
      try FileManager.default.createDirectory(atPath: AtomicFile.directoryOf(target), withIntermediateDirectories: true)
      guard mkdir(target, 0o700) == 0 else { throw AtomicFile.posixError(errno) }
      return true
    case .file:
      try FileManager.default.createDirectory(atPath: AtomicFile.directoryOf(target), withIntermediateDirectories: true)
      if let existing, existing.st_mode & S_IFMT == S_IFREG, existing.st_mode & 0o7777 == entry.mode, existing.st_uid == owner.0,
        existing.st_gid == owner.1, FileManager.default.contents(atPath: target).map(Array.init) == entry.content
      {
        return false
      }
      try AtomicFile.write(entry.content, to: target, mode: entry.mode, owner: owner)
      setTime(target, entry.mtime, followLink: false)
      return true
    case .symlink:
      try FileManager.default.createDirectory(atPath: AtomicFile.directoryOf(target), withIntermediateDirectories: true)
      if let existing, existing.st_mode & S_IFMT == S_IFLNK, (try? FileManager.default.destinationOfSymbolicLink(atPath: target)) == entry.link,
        existing.st_uid == owner.0
      {
        return false
      }
      let temporary = AtomicFile.directoryOf(target) + "/." + (target as NSString).lastPathComponent + ".\(getpid()).link"
      unlink(temporary)
      guard symlink(entry.link, temporary) == 0 else { throw AtomicFile.posixError(errno) }
      lchown(temporary, owner.0, owner.1)
      guard rename(temporary, target) == 0 else {
        let code = errno
        unlink(temporary)
        throw AtomicFile.posixError(code)
      }
      setTime(target, entry.mtime, followLink: false)
      AtomicFile.syncDirectory(of: target)
      return true
    }
  }

  static func setTime(_ path: String, _ mtime: Int64, followLink: Bool) {
    var times = [timespec(tv_sec: Int(mtime), tv_nsec: 0), timespec(tv_sec: Int(mtime), tv_nsec: 0)]
    utimensat(AT_FDCWD, path, &times, followLink ? 0 : AT_SYMLINK_NOFOLLOW)
  }
}
