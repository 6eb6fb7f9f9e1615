import Foundation

/// A program run to completion within a time limit, its output kept whatever its exit status:
/// for commands a test expects to fail (`ssh` to a stopped host, `sudo -n` without the right)
/// and must never wait for forever.
///
/// Output goes to files, not pipes, and the wait is for the process, not for end of file: an
/// `ssh -o ControlPersist=...` leaves a master in the background that may hold inherited
/// descriptors open long after the command has exited. It is a `ChildProcess`, not a
/// Foundation `Process`, as ssh closes inherited descriptors.
public enum TimedCommand {
  public struct Result: Sendable {
    /// The exit status, 128 + N for a signal N as a shell reports it.
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Whether the time ran out and the program was killed (its status is then 137).
    public var timedOut: Bool
    /// How long it ran.
    public var seconds: Double
  }

  /// Runs `argv` (its first element found on PATH) with standard input from /dev/null and kills
  /// it with SIGKILL once `timeout` seconds have passed.
  public static func run(_ argv: [String], timeout: TimeInterval = 10) throws -> Result {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-timed-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let started = Date()
    let pid = try ChildProcess.spawn(argv, stdout: scratch + "/stdout", stderr: scratch + "/stderr")
    var status = ChildProcess.waitForExit(pid, timeout: timeout)
    let timedOut = status == nil
    if timedOut {
      kill(pid, SIGKILL)
      status = ChildProcess.waitForExit(pid, timeout: 5)
    }
    return Result(
      status: status ?? 137, stdout: (try? String(contentsOfFile: scratch + "/stdout", encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOfFile: scratch + "/stderr", encoding: .utf8)) ?? "", timedOut: timedOut,
      seconds: Date().timeIntervalSince(started))
  }
}
