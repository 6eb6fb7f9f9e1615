/// Whether a value written under `with:` fits an input's type, as far as can be known before
/// running: literals are checked, expressions are trusted until they are evaluated.
enum InputTypeCheck {
  struct Problem {
    var expected: String
    var found: String
  }

  static func problem(_ value: InputValue, _ type: InputType) -> Problem? {
    let found = describe(value)
    switch (type, value) {
    case (.any, _), (.expression, .template):
      return nil
    case (_, .template(let t)) where t.isSingleExpression:
      return nil
    case (.list, .list(let items, _)):
      return items.contains { if case .list = $0 { true } else if case .map = $0 { true } else { false } }
        ? Problem(expected: "a list of strings", found: "a list with a nested list or mapping") : nil
    case (.map, .map), (.environment, .map):
      return nil
    case (.string, .template), (.path, .template), (.script, .template), (.check, .template), (.string, .literal), (.path, .literal), (.script, .literal):
      if case .literal(.null, _) = value { return Problem(expected: "a string", found: found) }
      return nil
    case (.int, .literal(.int, _)), (.bool, .literal(.bool, _)):
      return nil
    case (.duration, .template(let t)):
      if t.hasExpressions || RunbookDuration(t.raw) != nil { return nil }
      return Problem(expected: "a duration such as 30s, 5m or 1h30m", found: "'\(t.raw)'")
    case (.choice(let words), .template(let t)):
      if t.hasExpressions || words.contains(t.raw) { return nil }
      return Problem(expected: "one of \(words.joined(separator: ", "))", found: "'\(t.raw)'")
    default:
      return Problem(expected: expectation(type), found: found)
    }
  }

  private static func expectation(_ type: InputType) -> String {
    switch type {
    case .string: "a string"
    case .int: "an integer"
    case .bool: "true or false"
    case .duration: "a duration such as 30s"
    case .path: "a path"
    case .list: "a list"
    case .map: "a mapping"
    case .environment: "a mapping of environment variables"
    case .choice(let words): "one of \(words.joined(separator: ", "))"
    case .any: "a value"
    case .expression: "an expression"
    case .check: "the name of a read-only action"
    case .script: "a shell script"
    }
  }

  private static func describe(_ value: InputValue) -> String {
    switch value {
    case .literal(let v, _): v == .null ? "null" : "\(Diagnostic.article(v.typeName == "decimal" ? "decimal" : v.typeName == "int" ? "integer" : v.typeName == "bool" ? "boolean" : v.typeName)) (\(v.plainText))"
    case .template(let t): "a string ('\(t.raw)')"
    case .list: "a list"
    case .map: "a mapping"
    }
  }
}
