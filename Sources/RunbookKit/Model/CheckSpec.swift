import RunbookYAML

/// A read-only action whose outputs (`check.*`) must satisfy `expect`: a run-level or step
/// precondition, a `verify` post-condition, or a `skip_if` "already done" test.
public struct CheckSpec: Sendable {
  public var call: ActionCall
  /// Must be true; without it the check holds when the action succeeds.
  public var expect: Template?
  /// Shown when the check does not hold.
  public var message: Template?
  /// When true, the check is not evaluated at all.
  public var unless: Template?
  /// Poll until `expect` holds, for at most this long (verify and wait).
  public var within: RunbookDuration?
  /// How often to poll within `within`.
  public var every: RunbookDuration?
  public var range: SourceRange

  /// The action of a check written without `check:`, only `expect:` (docs/runbook-format.md,
  /// "Checks"): it reads nothing, and the expression decides.
  public static let expressionOnlyAction = "noop"
}
