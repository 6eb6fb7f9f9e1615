import ArgumentParser
import Foundation
import RunbookKit

/// Runs the command, mapping every error to the exit codes of docs/running.md, "Exit codes".
@main
enum Main {
  static func main() async {
    // A child that stops reading its stdin, or a closed output pipe, is an error to handle, not
    // a reason to die mid-transition. Children get the default SIGPIPE back when spawned.
    signal(SIGPIPE, SIG_IGN)
    // An argument that is not UTF-8 would reach the runbook with its bytes silently replaced.
    for index in 1..<Int(CommandLine.argc) {
      guard let pointer = CommandLine.unsafeArgv[index] else { continue }
      let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
      if String(validating: bytes, as: UTF8.self) == nil {
        Terminal.standardError("error: argument \(index) is not valid UTF-8: \(VisibleText.line(String(decoding: bytes, as: UTF8.self)))\n")
        exit(ExitStatus.invalidInput.rawValue)
      }
    }
    do {
      var command = try RunbookCommand.parseAsRoot()
      if var asynchronous = command as? any AsyncParsableCommand {
        try await asynchronous.run()
      } else {
        try command.run()
      }
    } catch let status as ExitStatus {
      exit(status.rawValue)
    } catch {
      let code = RunbookCommand.exitCode(for: error)
      let message = RunbookCommand.fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        exit(0)
      }
      if !message.isEmpty { Terminal.standardError(message + "\n") }
      exit(code == .failure || code == .validationFailure ? ExitStatus.invalidInput.rawValue : code.rawValue)
    }
  }
}
