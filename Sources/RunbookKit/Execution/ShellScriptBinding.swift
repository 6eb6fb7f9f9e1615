/// Renders a shell script template so that no `${{ }}` value can become shell syntax: each value
/// is bound to an environment variable, and the expression is replaced by a reference to it
/// written for the quoting context it stands in (bare, double quotes, single quotes, command
/// substitution, an unquoted here-document). The value still arrives as its literal text.
public struct ShellScriptBinding {
  /// The script with references in place of expressions.
  public var script: String
  /// Variable name → value, in the order they appear.
  public var bindings: [(name: String, value: Value)]

  public static let variablePrefix = "RUNBOOK_VALUE_"

  /// Renders `template`, asking `evaluate` for the value of each expression.
  public static func render(
    _ template: Template, evaluate: (Expression) throws(EvaluationError) -> Value
  ) throws(EvaluationError) -> ShellScriptBinding {
    var scanner = QuotingScanner()
    var script = ""
    var bindings: [(name: String, value: Value)] = []
    for part in template.parts {
      switch part {
      case .text(let text):
        scanner.scan(text)
        script += text
      case .expression(let expression, _):
        let value = try evaluate(expression)
        let name = variablePrefix + String(bindings.count + 1)
        guard let reference = scanner.reference(to: name) else {
          let message =
            scanner.context.isArithmetic
            ? "a ${{ }} value cannot stand inside $(( )), where the shell would evaluate it; compute it in the expression instead, e.g. ${{ params.n + 1 }}"
            : "a ${{ }} value cannot stand inside a quoted here-document, where the shell expands nothing; use an unquoted delimiter"
          throw EvaluationError(message, at: expression.span)
        }
        bindings.append((name, value))
        script += reference
      }
    }
    return ShellScriptBinding(script: script, bindings: bindings)
  }
}

/// Follows `/bin/sh` quoting through the literal parts of a script, enough to know which kind of
/// reference to a variable reads it back literally at any point.
struct QuotingScanner {
  enum Context: Equatable {
    case bare, doubleQuoted, singleQuoted, commandSubstitution, backquoted
    case hereDocument(delimiter: String, stripTabs: Bool, quoted: Bool)
    /// `$(( ... ))`, with the depth of parentheses opened inside it.
    case arithmetic(depth: Int)

    var isArithmetic: Bool { if case .arithmetic = self { true } else { false } }
  }

  private var stack: [Context] = [.bare]
  private var escaped = false
  private var pendingHereDocuments: [Context] = []
  private var currentLine = ""
  private var previous: Character?

  var context: Context { stack.last ?? .bare }

  /// A reference to `variable` that expands to its exact value in the current context.
  func reference(to variable: String) -> String? {
    switch context {
    case .bare, .commandSubstitution, .backquoted: "\"$\(variable)\""
    case .doubleQuoted: "${\(variable)}"
    case .singleQuoted: "'\"$\(variable)\"'"
    case .hereDocument(_, _, let quoted): quoted ? nil : "${\(variable)}"
    case .arithmetic: nil
    }
  }

  mutating func scan(_ text: String) {
    let characters = Array(text)
    var index = 0
    while index < characters.count {
      let c = characters[index]
      defer {
        previous = c
        index += 1
      }
      if case .hereDocument(let delimiter, let stripTabs, _) = context {
        if c == "\n" {
          let line = stripTabs ? String(currentLine.drop { $0 == "\t" }) : currentLine
          if line == delimiter { stack.removeLast() }
          currentLine = ""
        } else {
          currentLine.append(c)
        }
        continue
      }
      if escaped {
        escaped = false
        continue
      }
      if case .arithmetic(let depth) = context {
        if c == "(" {
          stack[stack.count - 1] = .arithmetic(depth: depth + 1)
        } else if c == ")" {
          if depth > 0 {
            stack[stack.count - 1] = .arithmetic(depth: depth - 1)
          } else if index + 1 < characters.count, characters[index + 1] == ")" {
            stack.removeLast()
            index += 1
          }
        }
        continue
      }
      if c == "(", previous == "$", index + 1 < characters.count, characters[index + 1] == "(", context != .singleQuoted {
        stack.append(.arithmetic(depth: 0))
        index += 1
        continue
      }
      switch context {
      case .singleQuoted:
        if c == "'" { stack.removeLast() }
      case .doubleQuoted:
        if c == "\\" { escaped = true }
        else if c == "\"" { stack.removeLast() }
        else if c == "`" { stack.append(.backquoted) }
        else if c == "(" && previous == "$" { stack.append(.commandSubstitution) }
      case .bare, .commandSubstitution, .backquoted:
        if c == "\\" { escaped = true }
        else if c == "'" { stack.append(.singleQuoted) }
        else if c == "\"" { stack.append(.doubleQuoted) }
        else if c == "`" { if context == .backquoted { stack.removeLast() } else { stack.append(.backquoted) } }
        else if c == "(" && previous == "$" { stack.append(.commandSubstitution) }
        else if c == ")" && context == .commandSubstitution { stack.removeLast() }
        else if c == "<" && previous == "<", let (document, end) = Self.hereDocument(characters, after: index) {
          pendingHereDocuments.append(document)
          index = end - 1
        } else if c == "\n", !pendingHereDocuments.isEmpty {
          stack.append(contentsOf: pendingHereDocuments.reversed())
          pendingHereDocuments = []
          currentLine = ""
        }
      case .hereDocument, .arithmetic:
        break
      }
    }
  }

  /// The here-document whose `<<` ends just before `index + 1`, and where its delimiter word ends.
  private static func hereDocument(_ characters: [Character], after index: Int) -> (Context, Int)? {
    var i = index + 1
    var stripTabs = false
    if i < characters.count, characters[i] == "-" {
      stripTabs = true
      i += 1
    }
    while i < characters.count, characters[i] == " " || characters[i] == "\t" { i += 1 }
    var delimiter = ""
    var quoted = false
    while i < characters.count, !" \t\n;&|<>()".contains(characters[i]) {
      let c = characters[i]
      if c == "'" || c == "\"" || c == "\\" {
        quoted = true
      } else {
        delimiter.append(c)
      }
      i += 1
    }
    guard !delimiter.isEmpty else { return nil }
    return (.hereDocument(delimiter: delimiter, stripTabs: stripTabs, quoted: quoted), i)
  }
}
