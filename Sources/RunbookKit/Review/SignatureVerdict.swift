/// What checking one signature of a plan against the allowed signers made of it.
public enum SignatureVerdict: Sendable, Equatable {
  case approved(PlanApprover)
  /// It does not count; why, in words that say what to look at.
  case refused(String)
}
