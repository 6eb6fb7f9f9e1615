import Foundation

/// A program on PATH run to completion to make a test's fixtures (`openssl`, `ssh-keygen`).
public enum ExternalProgram {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Runs `NAME ARGUMENTS` and returns its standard output; a non-zero exit throws with its
  /// standard error.
  @discardableResult
  public static func run(_ name: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let text = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Failure(description: "\(name) \(arguments.joined(separator: " ")) failed: \(String(decoding: errorText, as: UTF8.self))")
    }
    return String(decoding: text, as: UTF8.self)
  }
}
