import Foundation

/// The real `openssl` command, for making and checking test certificates.
public enum OpenSSL {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// Runs `openssl ARGUMENTS` and returns its standard output; a non-zero exit throws with its
  /// standard error.
  @discardableResult
  public static func run(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let text = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Failure(description: "openssl \(arguments.joined(separator: " ")) failed: \(String(decoding: errorText, as: UTF8.self))")
    }
    return String(decoding: text, as: UTF8.self)
  }
}
