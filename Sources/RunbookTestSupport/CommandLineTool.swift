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

  /// Runs `runbook ARGUMENTS` in `directory` (the repository root by default), without a TTY.
  public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? Repository.root.path)
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    env.removeValue(forKey: "RUNBOOK_PATH")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
      stderr: try String(contentsOf: errURL, encoding: .utf8))
  }
}
