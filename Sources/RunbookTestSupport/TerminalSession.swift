import Foundation
import XCTest

/// `runbook` on a real pseudo-terminal: a private tmux server (its own socket) runs the command
/// in a window of a fixed size, and the test reads the screen as the operator sees it, scrollback
/// included, with `capture-pane`, and types into it with `send-keys`.
public final class TerminalSession {
  private let socket: String
  /// Printed after the command ends, with its exit status: `[exit 0]`.
  public static let exitMarker = "[exit "

  /// Starts `runbook ARGUMENTS` in `directory` with `environment` added (colour off, a known TERM).
  public init(_ arguments: [String], in directory: String, environment: [String: String] = [:], width: Int = 120, height: Int = 40) throws {
    // A socket path must fit in 108 bytes: not under a long scratch directory.
    socket = "/tmp/runbook-tmux-\(getpid())-\(UInt32.random(in: .min ... .max)).sock"
    let settings = ["NO_COLOR": "1", "TERM": "xterm"].merging(environment) { $1 }
    let assignments = settings.keys.sorted().map { "\($0)=\(Self.quote(settings[$0]!))" }.joined(separator: " ")
    // The shell survives the C-c a test presses (a handler, unlike an ignored signal, is not
    // inherited by the tool), so the exit marker still follows.
    let command = "trap : INT; cd \(Self.quote(directory)) && env -u RUNBOOK_PATH \(assignments) \(([CommandLineTool.binary] + arguments).map(Self.quote).joined(separator: " "))"
      + "; echo \"\(Self.exitMarker)$?]\"; sleep 600"
    // The first call starts the server, which would hold a captured stdout open forever.
    try tmux(["new-session", "-d", "-x", String(width), "-y", String(height), "/bin/sh -c \(Self.quote(command))"], capturing: false)
    try tmux(["set-option", "-g", "history-limit", "10000"], capturing: false)
  }

  deinit {
    _ = try? tmux(["kill-server"])
    unlink(socket)
  }

  /// The whole screen and its scrollback, lines trimmed on the right, empty lines at the end dropped.
  public func screen() throws -> String {
    let text = try tmux(["capture-pane", "-p", "-S", "-", "-E", "-"])
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.reversed().drop { $0 == " " }.reversed()) }
    while lines.last?.isEmpty == true { lines.removeLast() }
    return lines.joined(separator: "\n")
  }

  /// Polls the screen (every 100 ms, for at most `seconds`) until `predicate` holds; the screen.
  @discardableResult
  public func wait(seconds: Double = 60, file: StaticString = #filePath, line: UInt = #line, until predicate: (String) -> Bool) throws -> String {
    let deadline = Date().addingTimeInterval(seconds)
    var shown = try screen()
    while !predicate(shown) {
      guard Date() < deadline else {
        XCTFail("the terminal did not show what was awaited within \(seconds)s; it shows:\n\(shown)", file: file, line: line)
        return shown
      }
      usleep(100_000)
      shown = try screen()
    }
    return shown
  }

  /// Waits for the command to end; the screen then.
  @discardableResult
  public func waitForExit(seconds: Double = 120, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    try wait(seconds: seconds, file: file, line: line) { $0.contains(Self.exitMarker) }
  }

  /// Types `text` and Enter.
  public func type(_ text: String) throws {
    try tmux(["send-keys", "-t", "0", "-l", text])
    try tmux(["send-keys", "-t", "0", "Enter"])
  }

  /// Presses a key by tmux's name for it: `C-c`, `Enter`.
  public func press(_ key: String) throws {
    try tmux(["send-keys", "-t", "0", key])
  }

  @discardableResult
  private func tmux(_ arguments: [String], capturing: Bool = true) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
    process.arguments = ["-S", socket, "-f", "/dev/null"] + arguments
    let output = Pipe()
    process.standardOutput = capturing ? output : FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = capturing ? output.fileHandleForReading.readDataToEndOfFile() : Data()
    _ = CommandLineTool.reap(process)
    return String(decoding: data, as: UTF8.self)
  }

  private static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
