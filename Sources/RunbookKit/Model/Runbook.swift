import Crypto
import RunbookYAML

/// A loaded runbook of format v1, with where each part was written.
public struct Runbook: Sendable {
  public var file: String
  /// The exact text it was loaded from.
  public var text: String
  public var version: Int64
  public var name: Located<String>
  public var title: String?
  public var description: String?
  public var lock: Template?
  public var params: [ParamSpec]
  public var preconditions: [CheckSpec]
  public var steps: [Step]

  /// The lowercase hex sha256 of `text`.
  public var sha256: String { Self.sha256(text) }

  public func param(_ name: String) -> ParamSpec? { params.first { $0.name == name } }
  public func step(_ id: String) -> Step? { steps.first { $0.id.value == id } }

  public static func sha256(_ text: String) -> String {
    SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
  }
}

import Foundation
