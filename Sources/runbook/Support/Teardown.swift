/// Values a one-shot command keeps until the process exits, so it does not spend time freeing a
/// parsed runbook and its plan that the kernel reclaims at exit anyway (compilers skip the same
/// work with `-disable-free`).
enum Teardown {
  nonisolated(unsafe) private static var kept: [Any] = []

  /// Keeps `value` alive until exit; call it only from the main command path.
  static func skip(_ value: Any) {
    kept.append(value)
  }
}
