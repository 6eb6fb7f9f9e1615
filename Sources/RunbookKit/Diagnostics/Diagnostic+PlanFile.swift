/// Diagnostics of sealed plan files.
extension Diagnostic {
  public static func notAPlanFile(_ path: String, reason: String) -> Diagnostic {
    Diagnostic(code: "F601", message: "\(path) is not a runbook plan file: \(reason)", file: path)
  }

  public static func unsupportedPlanFormat(_ path: String, found: String) -> Diagnostic {
    Diagnostic(code: "F602", message: "\(path) has plan format '\(found)'; this engine reads '\(PlanFile.format)'", file: path)
  }

  public static func planSealBroken(_ path: String) -> Diagnostic {
    Diagnostic(
      code: "F603",
      message: "\(path) was modified or corrupted after it was written: its seal does not match its content",
      file: path
    ).note("make a new plan with `runbook plan ... --out` and have it reviewed again")
  }

  public static func planRunbookDigest(_ path: String) -> Diagnostic {
    Diagnostic(
      code: "F604", message: "\(path): the embedded runbook does not match its recorded sha256", file: path)
  }
}
