import Foundation

/// The real `runbook` binary, run as a child process.
public enum CommandLineTool {
  public struct Result {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// The binary next to the test bundle, or `$RUNBOOK_BINARY`.
  public static var binary: String {
    if let path = ProcessInfo.processInfo.environment["RUNBOOK_BINARY"] { return path }
    let bundle = URL(fileURLWithPath: CommandLine.arguments.first { $0.contains(".xctest") } ?? CommandLine.arguments[0])
    var directory = bundle.deletingLastPathComponent()
    while directory.path != "/" {
      let candidate = directory.appendingPathComponent("runbook").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return Repository.path(".build/debug/runbook")
  }

  /// What `/bin/sh` is for the tool: this machine's (dash on Debian), or bash, bind-mounted over
  /// it in a private mount namespace, as on RHEL-family hosts.
  public enum BinSh: String, CaseIterable, Sendable {
    case system, bash

    /// Whether this one can be had here: bash needs root for the mount namespace.
    public var isAvailable: Bool { self == .system || geteuid() == 0 }
  }

  /// Runs `runbook ARGUMENTS` in `directory` (the repository root by default), without a TTY.
  public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], binSh: BinSh = .system) throws -> Result {
    try start(arguments, in: directory, environment: environment, binSh: binSh).finish()
  }

  /// Starts `runbook ARGUMENTS` and returns at once, for tests that signal or race it; with
  /// `executable`, that program is started with the arguments instead (`unshare ... runbook`).
  public static func start(
    _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], binSh: BinSh = .system,
    executable: String? = nil
  ) throws -> Launched {
    let process = Process()
    switch binSh {
    case .system:
      process.executableURL = URL(fileURLWithPath: executable ?? binary)
      process.arguments = arguments
    case .bash:
      process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
      process.arguments = ["-m", "/bin/dash", "-c", "mount --bind /bin/bash /bin/sh && exec \"$0\" \"$@\"", binary] + arguments
    }
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? Repository.root.path)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "RUNBOOK_PATH")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let launched = Launched(process: process, scratch: scratch)
    _ = FileManager.default.createFile(atPath: launched.stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: launched.stderrURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: launched.stdoutURL)
    process.standardError = try FileHandle(forWritingTo: launched.stderrURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return launched
  }

  /// A `runbook` process started in the background.
  public struct Launched {
    public let process: Process
    let scratch: URL
    var stdoutURL: URL { scratch.appendingPathComponent("stdout") }
    var stderrURL: URL { scratch.appendingPathComponent("stderr") }

    public var pid: Int32 { process.processIdentifier }

    /// What it printed so far.
    public var stdoutSoFar: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for it to exit and collects its output; `status` is 128 + N for a signal N, as a
    /// shell reports it. It reaps the child itself: Foundation's `waitUntilExit` has been seen to
    /// miss an exit and wait forever.
    public func finish() throws -> Result {
      let code = CommandLineTool.reap(process)
      defer { try? FileManager.default.removeItem(at: scratch) }
      return Result(
        status: code, stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
        stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }
  }

  /// Waits for a started process to exit; its status, 128 + N for a signal N, as a shell reports
  /// it. It reaps the child itself: Foundation's `waitUntilExit` has been seen to miss an exit and
  /// wait forever.
  public static func reap(_ process: Process) -> Int32 {
    var status: Int32 = 0
    while true {
      let reaped = waitpid(process.processIdentifier, &status, WNOHANG)
      if reaped == process.processIdentifier {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
      } else if reaped < 0 && errno == ECHILD {
        process.waitUntilExit()  // Foundation reaped it first; it knows the status
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
      }
      usleep(5_000)
    }
  }
}
