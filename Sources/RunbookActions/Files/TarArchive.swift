import Foundation
import RunbookKit

/// A POSIX ustar archive, written and read in memory: what `file.archive` packs on a host and
/// `file.extract` unpacks there. Directories, regular files and symlinks, each with its mode,
/// uid, gid, owner and group names and mtime; `tar tvf` and `tar xpf` read it as well.
/// Anything else (devices, fifos, sockets, hard links, pax or GNU extensions, names that do
/// not fit ustar's 100 + 155 bytes) is refused rather than approximated.
struct TarArchive {
  enum Kind: String, Sendable {
    case file, directory, symlink
  }

  struct Entry: Sendable {
    /// Relative, without a leading `/`; a directory's without a trailing `/`.
    var path: String
    var kind: Kind
    var mode: mode_t
    var uid: uid_t
    var gid: gid_t
    var owner: String
    var group: String
    var mtime: Int64
    var link: String = ""
    var content: [UInt8] = []
  }

  var entries: [Entry] = []

  static let block = 512

  init(entries: [Entry] = []) {
    self.entries = entries
  }

  // MARK: Writing

  func bytes() throws -> [UInt8] {
    var out: [UInt8] = []
    for entry in entries {
      out += try Self.header(entry)
      if entry.kind == .file {
        out += entry.content
        let padding = (Self.block - entry.content.count % Self.block) % Self.block
        out += [UInt8](repeating: 0, count: padding)
      }
    }
    out += [UInt8](repeating: 0, count: Self.block * 2)
    return out
  }

  private static func header(_ entry: Entry) throws -> [UInt8] {
    var header = [UInt8](repeating: 0, count: block)
    let stored = entry.kind == .directory ? entry.path + "/" : entry.path
    let (prefix, name) = try split(stored)
    put(name, at: 0, width: 100, in: &header)
    put(octal(Int64(entry.mode & 0o7777), digits: 7), at: 100, width: 8, in: &header)
    put(octal(Int64(entry.uid), digits: 7), at: 108, width: 8, in: &header)
    put(octal(Int64(entry.gid), digits: 7), at: 116, width: 8, in: &header)
    put(octal(entry.kind == .file ? Int64(entry.content.count) : 0, digits: 11), at: 124, width: 12, in: &header)
    put(octal(max(0, entry.mtime), digits: 11), at: 136, width: 12, in: &header)
    header[156] = entry.kind == .file ? UInt8(ascii: "0") : entry.kind == .directory ? UInt8(ascii: "5") : UInt8(ascii: "2")
    guard entry.link.utf8.count <= 100 else { throw ActionError(.failed, "cannot archive \(entry.path): its link target is longer than the 100 bytes ustar holds") }
    put(entry.link, at: 157, width: 100, in: &header)
    put("ustar", at: 257, width: 6, in: &header)
    put("00", at: 263, width: 2, in: &header)
    put(String(decoding: entry.owner.utf8.prefix(31), as: UTF8.self), at: 265, width: 32, in: &header)
    put(String(decoding: entry.group.utf8.prefix(31), as: UTF8.self), at: 297, width: 32, in: &header)
    put(prefix, at: 345, width: 155, in: &header)
    for index in 148..<156 { header[index] = UInt8(ascii: " ") }
    let sum = header.reduce(0) { $0 + Int64($1) }
    put(octal(sum, digits: 6), at: 148, width: 7, in: &header)
    header[155] = UInt8(ascii: " ")
    return header
  }

  /// ustar's name (100 bytes) and prefix (155), cut at a `/`.
  private static func split(_ path: String) throws -> (prefix: String, name: String) {
    let bytes = Array(path.utf8)
    if bytes.count <= 100 { return ("", path) }
    for cut in stride(from: min(bytes.count - 1, 155), to: 0, by: -1) where bytes[cut] == UInt8(ascii: "/") {
      let name = bytes[(cut + 1)...]
      if !name.isEmpty && name.count <= 100 { return (String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: name, as: UTF8.self)) }
    }
    throw ActionError(.failed, "cannot archive \(path): the name does not fit ustar's 100 + 155 bytes")
  }

  private static func octal(_ value: Int64, digits: Int) -> String {
    let text = String(value, radix: 8)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
  }

  private static func put(_ text: String, at offset: Int, width: Int, in header: inout [UInt8]) {
    for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
  }

  // MARK: Reading

  /// Parses a whole archive; any damage (a bad checksum, a truncated member, a kind it does not
  /// hold) is an error naming the member.
  init(parsing data: [UInt8]) throws {
    var offset = 0
    while offset + Self.block <= data.count {
      let header = Array(data[offset..<(offset + Self.block)])
      if header.allSatisfy({ $0 == 0 }) { return }
      let name = Self.field(header, 0, 100)
      let prefix = Self.field(header, 345, 155)
      var path = prefix.isEmpty ? name : prefix + "/" + name
      guard let checksum = Self.number(header, 148, 8) else { throw ActionError(.failed, "the archive is damaged: member \(path) has no checksum") }
      var summed = header
      for index in 148..<156 { summed[index] = UInt8(ascii: " ") }
      guard summed.reduce(0, { $0 + Int64($1) }) == checksum else { throw ActionError(.failed, "the archive is damaged: the header of \(path) fails its checksum") }
      guard Self.field(header, 257, 5) == "ustar" else { throw ActionError(.failed, "the archive is not ustar (member \(path))") }
      guard let mode = Self.number(header, 100, 8), let uid = Self.number(header, 108, 8), let gid = Self.number(header, 116, 8),
        let size = Self.number(header, 124, 12), let mtime = Self.number(header, 136, 12)
      else { throw ActionError(.failed, "the archive is damaged: member \(path) has a field that is not octal") }
      let kind: Kind
      switch header[156] {
      case 0, UInt8(ascii: "0"): kind = .file
      case UInt8(ascii: "5"): kind = .directory
      case UInt8(ascii: "2"): kind = .symlink
      default:
        throw ActionError(.failed, "the archive holds \(path) of tar type '\(String(UnicodeScalar(header[156])))', which is not a file, directory or symlink")
      }
      if path.hasSuffix("/") { path.removeLast() }
      offset += Self.block
      var content: [UInt8] = []
      if kind == .file {
        guard size >= 0, offset + Int(size) <= data.count else { throw ActionError(.failed, "the archive is truncated inside \(path)") }
        content = Array(data[offset..<(offset + Int(size))])
        offset += (Int(size) + Self.block - 1) / Self.block * Self.block
      }
      entries.append(
        Entry(
          path: path, kind: kind, mode: mode_t(mode & 0o7777), uid: uid_t(uid), gid: gid_t(gid), owner: Self.field(header, 265, 32),
          group: Self.field(header, 297, 32), mtime: mtime, link: Self.field(header, 157, 100), content: content))
    }
    throw ActionError(.failed, "the archive is truncated: it has no end-of-archive blocks")
  }

  private static func field(_ header: [UInt8], _ offset: Int, _ width: Int) -> String {
    let bytes = header[offset..<(offset + width)].prefix { $0 != 0 }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func number(_ header: [UInt8], _ offset: Int, _ width: Int) -> Int64? {
    let text = field(header, offset, width).trimmingCharacters(in: CharacterSet(charactersIn: " "))
    return text.isEmpty ? 0 : Int64(text, radix: 8)
  }
}
