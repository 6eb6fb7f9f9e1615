import Foundation
import RunbookKit

/// The system `ssh-keygen`, run outside any step for plan signatures, with a private directory
/// (mode 0700, removed afterwards) for the files it reads and writes.
struct SSHKeygen {
  /// What one run printed: whether it exited 0, its stdout, and what its stderr says (why).
  struct Reply {
    var succeeded: Bool
    var stdout: String
    var reason: String
  }

  let directory: String

  /// Runs `body` with a fresh private directory, removed afterwards.
  static func withDirectory<T>(_ body: (SSHKeygen) async throws(ReviewRefusal) -> T) async throws(ReviewRefusal) -> T {
    var template = Array((NSTemporaryDirectory() + "/runbook-review-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
      throw ReviewRefusal([.sshKeygenFailed("be given a private directory", reason: String(cString: strerror(errno)))])
    }
    let keygen = SSHKeygen(directory: String(cString: made))
    defer { try? FileManager.default.removeItem(atPath: keygen.directory) }
    return try await body(keygen)
  }

  /// Writes `bytes` to `name` in the private directory, mode 0600, and gives its path.
  func write(_ bytes: [UInt8], named name: String) throws(ReviewRefusal) -> String {
    let path = directory + "/" + name
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
      throw ReviewRefusal([.sshKeygenFailed("be given \(name)", reason: "it cannot be written to \(directory)")])
    }
    return path
  }

  /// `ssh-keygen ARGUMENTS` with `input` on stdin; in the foreground (the caller's process group
  /// and stdin) when it may ask for a passphrase on the terminal.
  func run(_ arguments: [String], input: String? = nil, foreground: Bool = false) async throws(ReviewRefusal) -> Reply {
    var child = ChildProcess(
      argv: ["ssh-keygen"] + arguments, environment: ProcessInfo.processInfo.environment, workingDirectory: nil,
      timeout: foreground ? nil : .seconds(60), standardInput: input.map { Array($0.utf8) }, streamsStandardOutput: false,
      streamsStandardError: false)
    child.foreground = foreground
    let context = ActionContext(
      runID: "", step: "ssh-keygen", environment: child.environment, output: { _ in }, interruption: Interruption(),
      runCheck: { _, _ in [:] }, evaluateExpect: { _, _ in .null })
    let outcome: ChildProcess.Outcome
    do {
      outcome = try await child.run(in: context)
    } catch {
      throw ReviewRefusal([.sshKeygenFailed("be run", reason: "\(error)")])
    }
    // Its lines that say something, without the frame of `@` around a warning.
    let said = outcome.stderrTail.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "@ \t")) }
      .filter { $0.contains(where: \.isLetter) }
    let reason = said.isEmpty ? "it exited with status \(outcome.exitCode)" : said.joined(separator: "; ")
    return Reply(succeeded: outcome.exitCode == 0, stdout: outcome.stdout, reason: reason)
  }

  /// The fingerprint in `ssh-keygen -l` output: `256 SHA256:... comment (ED25519)`.
  static func listedFingerprint(_ stdout: String) -> String? {
    let fields = stdout.split(separator: " ")
    return fields.count > 1 && fields[1].hasPrefix("SHA256:") ? String(fields[1]) : nil
  }

  /// The key in the last word of a verifying line: `Good "runbook-plan" signature ... with
  /// ED25519 key SHA256:...`.
  static func verifiedFingerprint(_ stdout: String) -> String? {
    let word = stdout.split(separator: "\n").first?.split(separator: " ").last
    return word.flatMap { $0.hasPrefix("SHA256:") ? String($0) : nil }
  }
}
