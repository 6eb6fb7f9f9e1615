import Foundation

/// The real `openssl` command, for making and checking test certificates.
public enum OpenSSL {
  /// Runs `openssl ARGUMENTS` and returns its standard output; a non-zero exit throws with its
  /// standard error.
  @discardableResult
  public static func run(_ arguments: [String]) throws -> String {
    try ExternalProgram.run("openssl", arguments)
  }

  /// Starts `openssl s_server -WWW` on `address`:`port` (127.0.0.1 unless given), serving the files of `directory` over
  /// TLS with `certificate` and `key`, and asking for a client certificate signed by `clientCA`.
  /// The caller terminates it.
  public static func startServer(in directory: String, address: String = "127.0.0.1", port: Int, certificate: String, key: String, clientCA: String) throws -> Process {
    let server = Process()
    server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    server.arguments = [
      "openssl", "s_server", "-quiet", "-WWW", "-accept", "\(address):\(port)", "-cert", certificate, "-key", key,
      "-Verify", "1", "-verify_return_error", "-CAfile", clientCA,
    ]
    server.currentDirectoryURL = URL(fileURLWithPath: directory)
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    return server
  }
}
