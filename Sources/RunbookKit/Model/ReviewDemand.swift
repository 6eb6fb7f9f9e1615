import Foundation
import RunbookYAML

/// Signed approvals a run needs: at least `approvals` valid signatures of its sealed plan by
/// distinct principals of the `allowedSigners` file. A runbook demands it with `review:`;
/// `apply --allowed-signers --approvals` may add to that, never take from it.
public struct ReviewDemand: Sendable {
  public var allowedSigners: String
  public var approvals: Int
  /// Where the runbook demands it; nil for the command line's.
  public var range: SourceRange?

  public init(allowedSigners: String, approvals: Int, range: SourceRange? = nil) {
    self.allowedSigners = allowedSigners
    self.approvals = approvals
    self.range = range
  }

  /// What the plan shows a reviewer: `Review: apply needs 2 signed approvals by distinct principals in FILE`.
  public var sentence: String {
    "Review: apply needs \(approvals) signed approval\(approvals == 1 ? "" : "s") by distinct principals in \(VisibleText.line(allowedSigners))"
  }

  /// The demands a run must meet, each checked on its own: the runbook's, raised by the
  /// command line's `approvals` when they name the same file, and the command line's own when
  /// it names another file. `approvals` without any allowed signers file is refused (F608).
  public static func demands(runbook: ReviewDemand?, allowedSigners: String?, approvals: Int?) throws(ReviewRefusal) -> [ReviewDemand] {
    guard let allowedSigners else {
      guard let runbook else {
        if approvals != nil { throw ReviewRefusal([.approvalsWithoutAllowedSigners()]) }
        return []
      }
      return [ReviewDemand(allowedSigners: runbook.allowedSigners, approvals: max(runbook.approvals, approvals ?? 0), range: runbook.range)]
    }
    let given = ReviewDemand(allowedSigners: allowedSigners, approvals: approvals ?? runbook?.approvals ?? 1)
    guard let runbook else { return [given] }
    if URL(fileURLWithPath: allowedSigners).standardized.path == URL(fileURLWithPath: runbook.allowedSigners).standardized.path {
      return [ReviewDemand(allowedSigners: runbook.allowedSigners, approvals: max(runbook.approvals, given.approvals), range: runbook.range)]
    }
    return [runbook, given]
  }
}
