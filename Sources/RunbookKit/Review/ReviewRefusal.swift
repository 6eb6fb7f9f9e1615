/// Why a plan's approvals do not let it run: the diagnostics to print (exit 2).
public struct ReviewRefusal: Error, Sendable {
  public var diagnostics: [Diagnostic]

  public init(_ diagnostics: [Diagnostic]) {
    self.diagnostics = diagnostics
  }
}
