import RunbookYAML

/// The type of a param; values given on the command line or in a params file are parsed per type.
public enum ParamType: String, Sendable, CaseIterable {
  case string, int, bool, duration, path, list

  /// Parses a `-p KEY=VALUE` value; the error says what was expected.
  public func parse(commandLine text: String) -> Result<Value, ParamTypeError> {
    switch self {
    case .string: return .success(.string(text))
    case .path:
      return text.isEmpty ? .failure(.init("expects a path, got an empty value")) : .success(.string(text))
    case .int:
      guard let i = Int64(text) else { return .failure(.init("expects an integer, got \(Diagnostic.quoted(text))")) }
      return .success(.int(i))
    case .bool:
      switch text.lowercased() {
      case "true": return .success(.bool(true))
      case "false": return .success(.bool(false))
      default: return .failure(.init("expects true or false, got \(Diagnostic.quoted(text))"))
      }
    case .duration:
      guard RunbookDuration(text) != nil else {
        return .failure(.init("expects a duration such as 30s, 5m or 1h30m, got \(Diagnostic.quoted(text))"))
      }
      return .success(.string(text))
    case .list:
      let trimmed = text.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("[") {
        let parsed = YAMLParser.parse(trimmed, limits: YAMLLimits(maxBytes: 1 << 20, maxDepth: 4))
        guard parsed.problems.isEmpty, let node = parsed.root else {
          return .failure(.init("expects a list such as a,b,c or [a, b, c], got \(Diagnostic.quoted(text))"))
        }
        return convert(node)
      }
      if trimmed.isEmpty { return .success(.list([])) }
      return .success(.list(text.split(separator: ",", omittingEmptySubsequences: false).map {
        .string($0.trimmingCharacters(in: .whitespaces))
      }))
    }
  }

  /// Converts a YAML value (a default, or an entry of a params file) to this type.
  public func convert(_ node: YAMLNode) -> Result<Value, ParamTypeError> {
    switch (self, node.content) {
    case (.list, .sequence(let items)):
      var values: [Value] = []
      for item in items {
        guard let s = item.scalar, s.value != .null, case .scalar = item.content else {
          return .failure(.init("expects a list of strings; an item is \(Diagnostic.article(item.kindDescription))"))
        }
        values.append(.string(s.text))
      }
      return .success(.list(values))
    case (.list, .scalar(let s)) where s.style != .plain || s.value == .string(s.text):
      return parse(commandLine: s.text)
    case (.int, .scalar(let s)):
      if case .int(let i) = s.value { return .success(.int(i)) }
      return .failure(.init("expects an integer, got \(Diagnostic.article(s.value.kindDescription)) \(Diagnostic.quoted(s.text))"))
    case (.bool, .scalar(let s)):
      if case .bool(let b) = s.value { return .success(.bool(b)) }
      return .failure(.init("expects true or false, got \(Diagnostic.quoted(s.text))"))
    case (.string, .scalar(let s)), (.path, .scalar(let s)), (.duration, .scalar(let s)):
      if s.value == .null { return .failure(.init("expects \(Diagnostic.article(rawValue)), got null")) }
      return parse(commandLine: s.text)
    default:
      return .failure(.init("expects \(Diagnostic.article(rawValue)), got \(Diagnostic.article(node.kindDescription))"))
    }
  }
}

/// Why a value does not fit a param type.
public struct ParamTypeError: Error, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
}

import Foundation
