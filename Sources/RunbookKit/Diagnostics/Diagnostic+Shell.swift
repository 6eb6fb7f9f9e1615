import RunbookYAML

/// Diagnostics of `${{ }}` values in shell scripts: contexts where no quoting makes a value literal.
extension Diagnostic {
  public static func shellValueContext(_ refusal: ShellRefusal, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "S701", message: "a ${{ }} value cannot stand \(refusal.context)", range: range)
      .note(refusal.advice)
  }
}
