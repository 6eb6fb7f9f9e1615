import Foundation

/// One run as the journal keeps it: what ran (the runbook text and its digest, the non-secret
/// params), who runs it, and how it stands.
public struct RunRecord: Sendable, Equatable {
  public var id: String
  public var runbookName: String
  /// The runbook file or plan file the run was started from, as an absolute path.
  public var file: String
  /// The directory `apply` ran in: `resume` runs there too, so relative paths mean what they
  /// meant. Empty for runs journaled before it was kept.
  public var workingDirectory: String
  /// The runbook text as it was when the run began.
  public var source: String
  public var sha256: String
  /// Non-secret params, by name; secrets are never stored.
  public var params: [String: JSONValue]
  /// The secret params that had a value when the run began, by name (never their values):
  /// `resume` asks for each again rather than run on without it.
  public var secretsGiven: [String]
  public var fromPlanFile: Bool
  /// Who approved the sealed plan it runs, by signature (docs/running.md, "Signed approvals");
  /// empty when none was demanded.
  public var approvers: [PlanApprover]
  /// The inventory its steps on hosts resolve in, as it was when the run began: `resume` goes
  /// to the same hosts (docs/running.md, "Steps on hosts").
  public var inventory: Inventory?
  public var lockName: String
  public var status: RunStatus
  public var startedAt: Date
  public var finishedAt: Date?
  public var pid: Int32
  public var host: String

  public init(
    id: String, runbookName: String, file: String, source: String, sha256: String, params: [String: JSONValue],
    fromPlanFile: Bool, lockName: String, status: RunStatus, startedAt: Date, finishedAt: Date? = nil, pid: Int32,
    host: String, workingDirectory: String, secretsGiven: [String] = [], approvers: [PlanApprover] = [], inventory: Inventory? = nil
  ) {
    self.inventory = inventory
    self.secretsGiven = secretsGiven
    self.approvers = approvers
    self.id = id
    self.runbookName = runbookName
    self.file = file
    self.workingDirectory = workingDirectory
    self.source = source
    self.sha256 = sha256
    self.params = params
    self.fromPlanFile = fromPlanFile
    self.lockName = lockName
    self.status = status
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.pid = pid
    self.host = host
  }
}

/// Where a run stands.
public enum RunStatus: String, Sendable, CaseIterable {
  case running, succeeded, failed, blocked, paused, interrupted

  /// Whether `resume` may continue it.
  public var isResumable: Bool { self != .succeeded }
}
