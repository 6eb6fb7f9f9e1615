import Foundation
import RunbookKit

/// Checks the signatures of a sealed plan against an OpenSSH allowed_signers file with the
/// system `ssh-keygen` (docs/running.md, "Signed approvals"): each must verify over this very
/// plan and be made by a key the file lists, and enough distinct principals must have signed.
public enum ReviewGate {
  /// The largest allowed signers file read.
  static let allowedSignersLimit = 1 << 20

  /// The approvers of the plan at `path` by every demand (each checked on its own), each
  /// approver once; or every reason it may not run.
  public static func check(plan: PlanFile, path: String, demands: [ReviewDemand]) async throws(ReviewRefusal) -> [PlanApprover] {
    var approvers: [PlanApprover] = []
    var problems: [Diagnostic] = []
    for demand in demands {
      do throws(ReviewRefusal) {
        for approver in try await check(plan: plan, path: path, allowedSigners: demand.allowedSigners, approvals: demand.approvals)
        where !approvers.contains(approver) {
          approvers.append(approver)
        }
      } catch {
        problems += error.diagnostics
      }
    }
    guard problems.isEmpty else { throw ReviewRefusal(problems) }
    return approvers
  }

  /// The distinct approvers of the plan at `path`: at least `approvals` principals of
  /// `allowedSigners` whose signatures verify, a principal or a key counted once. Refused
  /// otherwise, and whenever a signature does not verify (tampered, moved from another plan,
  /// or made by a key no longer allowed), naming each problem.
  public static func check(plan: PlanFile, path: String, allowedSigners: String, approvals: Int) async throws(ReviewRefusal) -> [PlanApprover] {
    let verdicts = try await verdicts(of: plan, allowedSigners: allowedSigners)
    var approvers: [PlanApprover] = []
    var notes: [String] = []
    var refusals: [Diagnostic] = []
    for (index, (signature, verdict)) in zip(plan.signatures, verdicts).enumerated() {
      let label = "signature \(index + 1) (\(VisibleText.line(signature.fingerprint)))"
      switch verdict {
      case .approved(let approver):
        if let earlier = approvers.first(where: { $0.principal == approver.principal || $0.fingerprint == approver.fingerprint }) {
          notes.append("\(label) by \(VisibleText.line(approver.principal)) counts once with the approval of \(VisibleText.line(earlier.principal)): the same principal or key")
        } else {
          approvers.append(approver)
        }
      case .refused(let reason):
        refusals.append(.signatureRefused(path, label: label, reason: reason))
      }
    }
    if approvers.count < approvals {
      refusals.append(.tooFewApprovals(path, approvers: approvers, required: approvals, allowedSigners: allowedSigners, notes: notes))
    }
    guard refusals.isEmpty else { throw ReviewRefusal(refusals) }
    return approvers
  }

  /// Each signature's verdict, in order: approved by the first principal `allowedSigners` lists
  /// its key under for which `ssh-keygen -Y verify` accepts it, or refused, and why.
  public static func verdicts(of plan: PlanFile, allowedSigners: String) async throws(ReviewRefusal) -> [SignatureVerdict] {
    let listed: [UInt8]
    switch InputFile.read(allowedSigners, limit: allowedSignersLimit) {
    case .success(let bytes): listed = bytes
    case .failure(let failure): throw ReviewRefusal([.unreadableAllowedSigners(allowedSigners, reason: failure.reason)])
    }
    guard !plan.signatures.isEmpty else { return [] }
    return try await SSHKeygen.withDirectory { (keygen) async throws(ReviewRefusal) -> [SignatureVerdict] in
      // A private copy: the file cannot change between the questions asked of it.
      let allowed = try keygen.write(listed, named: "allowed_signers")
      var verdicts: [SignatureVerdict] = []
      for (index, signature) in plan.signatures.enumerated() {
        let file = try keygen.write(Array(signature.signature.utf8), named: "signature-\(index + 1)")
        verdicts.append(try await verdict(signature, file: file, plan: plan, allowed: allowed, shownAs: allowedSigners, keygen: keygen))
      }
      return verdicts
    }
  }

  private static func verdict(
    _ signature: PlanSignature, file: String, plan: PlanFile, allowed: String, shownAs allowedSigners: String, keygen: SSHKeygen
  ) async throws(ReviewRefusal) -> SignatureVerdict {
    let message = signature.signedText(for: plan)
    let namespace = PlanSignature.namespace
    let valid = try await keygen.run(["-Y", "check-novalidate", "-n", namespace, "-s", file], input: message)
    guard valid.succeeded, let key = SSHKeygen.verifiedFingerprint(valid.stdout) else {
      return .refused(
        "it does not verify over this plan (ssh-keygen: \(valid.reason)): it was made over other content, another plan's, or its bytes, signed_at or comment were changed")
    }
    guard key == signature.fingerprint else {
      return .refused("it names the key \(signature.fingerprint), but was made with \(key)")
    }
    let found = try await keygen.run(["-Y", "find-principals", "-s", file, "-f", allowed])
    let principals = found.succeeded ? found.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty } : []
    guard !principals.isEmpty else {
      return .refused("its key \(key) is not in \(allowedSigners) (revoked, or never allowed)")
    }
    var reason = ""
    for principal in principals {
      let verified = try await keygen.run(["-Y", "verify", "-f", allowed, "-I", principal, "-n", namespace, "-s", file], input: message)
      if verified.succeeded {
        return .approved(PlanApprover(principal: principal, fingerprint: key, comment: signature.comment, signedAt: signature.signedAt))
      }
      reason = verified.reason
    }
    return .refused("its key \(key) is in \(allowedSigners) as \(principals.joined(separator: ", ")), but not for this (ssh-keygen: \(reason)); see its namespaces= and valid-before= options")
  }
}
