import Foundation
import RunbookKit
import RunbookYAML

/// A kubeconfig's users and where each one's client certificate lives, read with source
/// positions so that a field can be rewritten in place, every other byte of the file kept.
struct Kubeconfig {
  /// One scalar field as written: its 1-based line and its text there.
  struct Field {
    var line: Int
    var text: String
  }

  /// Where a user's client certificate and key are.
  enum Credential {
    /// `client-certificate-data` and `client-key-data`: base64 PEM in the file itself.
    case embedded(certificate: Field, key: Field?)
    /// `client-certificate` and `client-key`: file paths, relative to the kubeconfig.
    case files(certificate: String, key: String)
  }

  struct User {
    var name: String
    var credential: Credential
  }

  var path: String
  var text: String
  var users: [User]

  init(path: String) throws {
    try self.init(path: path, text: FileInputs.text(ofFile: path, what: "the kubeconfig"))
  }

  init(path: String, text: String) throws {
    self.path = path
    self.text = text
    let parsed = YAMLParser.parse(text)
    if let problem = parsed.problems.first {
      throw ActionError(.failed, "\(path):\(problem.range.start): \(problem.message)")
    }
    let directory = AtomicFile.directoryOf(path)
    users = []
    for entry in parsed.root?.value(for: "users")?.sequence ?? [] {
      guard let user = entry.value(for: "user"), let name = entry.value(for: "name")?.scalar?.text else { continue }
      if let certificate = user.value(for: "client-certificate-data") {
        let key = user.value(for: "client-key-data").map(Self.field)
        users.append(User(name: name, credential: .embedded(certificate: Self.field(certificate), key: key)))
      } else if let certificate = user.value(for: "client-certificate")?.scalar?.text {
        let key = user.value(for: "client-key")?.scalar?.text ?? certificate
        users.append(User(name: name, credential: .files(certificate: Self.resolve(certificate, in: directory), key: Self.resolve(key, in: directory))))
      }
    }
  }

  /// The PEM text a base64 field holds.
  func decoded(_ field: Field, _ what: String) throws -> String {
    guard let data = Data(base64Encoded: field.text, options: .ignoreUnknownCharacters) else {
      throw ActionError(.failed, "\(path):\(field.line): \(what) is not base64")
    }
    return String(decoding: data, as: UTF8.self)
  }

  /// The text with `field`'s value replaced by `value`, every other byte unchanged. The value
  /// must appear exactly once on its line (kubectl and kubeadm write each on one line).
  func replacing(_ field: Field, with value: String) throws -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    guard field.line >= 1, field.line <= lines.count,
      let range = lines[field.line - 1].range(of: field.text),
      lines[field.line - 1].range(of: field.text, range: range.upperBound..<lines[field.line - 1].endIndex) == nil
    else {
      throw ActionError(.failed, "\(path):\(field.line): cannot rewrite this field in place: its value does not sit on one line")
    }
    lines[field.line - 1].replaceSubrange(range, with: value)
    return lines.joined(separator: "\n")
  }

  private static func field(_ node: YAMLNode) -> Field {
    Field(line: node.range.start.line, text: node.scalar?.text ?? "")
  }

  private static func resolve(_ path: String, in directory: String) -> String {
    path.hasPrefix("/") ? path : directory + "/" + path
  }
}

extension YAMLNode {
  /// The value of `key` in a mapping.
  fileprivate func value(for key: String) -> YAMLNode? {
    mapping?.first { $0.name == key }?.value
  }
}
