import Foundation
import XCTest

/// The real `ansible-inventory` from `ansible-core` in the project's venv (`scripts/ensure-deps
/// --with-ansible` installs it), the oracle the inventory loader is compared with.
public enum AnsibleInventory {
  /// `.build/venv/bin/ansible-inventory`.
  public static var executable: String { Repository.path(".build/venv/bin/ansible-inventory") }

  public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

  /// Skips the calling test when ansible-core is missing, unless `RUNBOOK_REQUIRE_ETCD` is set
  /// (as in CI, which installs it), where a missing one must fail the test instead.
  public static func requireInstalled() throws {
    if !isInstalled && ProcessInfo.processInfo.environment["RUNBOOK_REQUIRE_ETCD"] == nil {
      throw XCTSkip("ansible-inventory is not installed; scripts/ensure-deps --with-ansible installs it, CI sets RUNBOOK_REQUIRE_ETCD=1")
    }
  }

  /// What `ansible-inventory -i FILE... --list` prints, run in an empty directory (so that no
  /// `group_vars/` beside the working directory counts) with no configuration file.
  public static func list(_ files: [String]) throws -> String {
    let directory = try ScratchDirectory("ansible")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = files.flatMap { ["-i", $0] } + ["--list"]
    process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
    var environment = ProcessInfo.processInfo.environment
    environment["ANSIBLE_CONFIG"] = try directory.write("ansible.cfg", "[defaults]\n")
    environment["ANSIBLE_HOME"] = directory.path + "/home"
    environment["ANSIBLE_LOCAL_TEMP"] = directory.path + "/tmp"
    process.environment = environment
    let output = directory.path + "/stdout"
    let errors = directory.path + "/stderr"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    _ = FileManager.default.createFile(atPath: errors, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let status = CommandLineTool.reap(process)
    guard status == 0 else {
      throw ExternalProgram.Failure(description: "ansible-inventory exited \(status): \(directory.read("stderr"))")
    }
    return directory.read("stdout")
  }
}
