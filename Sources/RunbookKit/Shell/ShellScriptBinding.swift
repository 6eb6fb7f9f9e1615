/// Renders a shell script template so that no `${{ }}` value can become shell syntax: each value
/// is bound to an environment variable, and the expression is replaced by a reference to it
/// written for the context `ShellScanner` found it in. The value still arrives as its literal
/// text; a value in a context where no reference is literal was refused at validate
/// (`sites(of:)`, diagnostic S701).
public struct ShellScriptBinding {
  /// The script with references in place of expressions.
  public var script: String
  /// Variable name → value, in the order they appear.
  public var bindings: [(name: String, value: Value)]

  public static let variablePrefix = "RUNBOOK_VALUE_"

  /// The site of each expression of `template`, in order.
  public static func sites(of template: Template) -> [ShellValueSite] {
    var pieces: [ShellScanner.Piece] = []
    var count = 0
    for part in template.parts {
      switch part {
      case .text(let text): pieces.append(.text(text))
      case .expression:
        pieces.append(.value(count))
        count += 1
      }
    }
    let sites = ShellScanner.sites(of: pieces)
    return (0..<count).map { sites[$0] ?? .refused(.unparsed) }
  }

  /// Renders `template`, asking `evaluate` for the value of each expression.
  public static func render(
    _ template: Template, evaluate: (Expression) throws(EvaluationError) -> Value
  ) throws(EvaluationError) -> ShellScriptBinding {
    var sites = Self.sites(of: template).makeIterator()
    var script = ""
    var bindings: [(name: String, value: Value)] = []
    for part in template.parts {
      switch part {
      case .text(let text):
        script += text
      case .expression(let expression, _):
        let site = sites.next() ?? .word
        let name = variablePrefix + String(bindings.count + 1)
        guard let reference = site.reference(to: name) else {
          throw EvaluationError(site.refusal?.message ?? "", at: expression.span)
        }
        let value = try evaluate(expression)
        bindings.append((name, value))
        script += reference
      }
    }
    return ShellScriptBinding(script: script, bindings: bindings)
  }
}
