import RunbookYAML

/// One vertex of the runbook's DAG.
public struct Step: Sendable {
  public enum OnFailure: String, Sendable, CaseIterable {
    case stop, `continue`
  }

  public var id: Located<String>
  public var title: Template?
  public var description: String?
  public var needs: [Located<String>]
  public var call: ActionCall
  public var forEach: Template?
  /// The name each `for_each` item is bound to.
  public var itemName: String
  public var maxParallel: Int64?
  /// Where it runs when it has `on:`; nil: where `runbook` runs.
  public var hosts: HostTargeting?
  public var when: Template?
  public var preconditions: [CheckSpec]
  public var approval: Template?
  public var timeout: RunbookDuration?
  public var retry: RetryPolicy?
  public var verify: [CheckSpec]
  /// Overrides the action's own idempotence.
  public var idempotent: Bool?
  public var skipIf: [CheckSpec]
  public var undo: ActionCall?
  public var onFailure: OnFailure
  public var range: SourceRange

  public var name: String { id.value }
}
