import Foundation
import RunbookKit
import RunbookTestSupport
import XCTest

/// The `file.*` actions, run through `apply` on real files.
final class FileActionsTests: XCTestCase {
  var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("files")
  }

  func apply(_ runbook: String, _ params: [String] = []) throws -> CommandLineTool.Result {
    try scratch.write("rb.yaml", runbook)
    return try CommandLineTool.run(
      ["apply", "rb.yaml", "--yes"] + params.flatMap { ["-p", $0] }, in: scratch.path,
      environment: ["RUNBOOK_STATE_DIR": scratch.path + "/state"])
  }

  func mode(_ name: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: scratch.path + "/" + name)[.posixPermissions] as? Int ?? 0) & 0o7777
  }

  func testWriteIsAtomicKeepsModeAndReportsChange() throws {
    let runbook = """
      runbook: 1
      name: write
      steps:
        - id: write
          action: file.write
          with: { path: conf/app.conf, content: "key = value\\n", mode: "0640" }
        - id: show
          needs: [write]
          action: exec
          with: { argv: [echo, "changed=${{ steps.write.outputs.changed }}"] }
      """
    try FileManager.default.createDirectory(atPath: scratch.path + "/conf", withIntermediateDirectories: true)
    let first = try apply(runbook)
    XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
    XCTAssertEqual(scratch.read("conf/app.conf"), "key = value\n")
    XCTAssertEqual(try mode("conf/app.conf"), 0o640)
    XCTAssertTrue(first.stdout.contains("changed=true"), first.stdout)
    let second = try apply(runbook)
    XCTAssertTrue(second.stdout.contains("changed=false"), second.stdout)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/conf"), ["app.conf"], "no temporary file left")
  }

  func testSetEnvKeepsEveryOtherLineAndComment() throws {
    try scratch.write("etcd.env", """
      # etcd settings written by kubespray
      ETCD_NAME=etcd1
      export ETCD_DATA_DIR=/var/lib/etcd

      ETCD_INITIAL_CLUSTER_STATE=new
      ETCD_OLD=gone
      ETCD_INITIAL_CLUSTER_STATE=duplicate
      """ + "\n")
    chmod(scratch.path + "/etcd.env", 0o600)
    let result = try apply("""
      runbook: 1
      name: setenv
      params:
        cluster: { type: string }
      steps:
        - id: set
          action: file.set-env
          with:
            path: etcd.env
            set: { ETCD_INITIAL_CLUSTER_STATE: existing, ETCD_INITIAL_CLUSTER: "${{ params.cluster }}", ETCD_DATA_DIR: /var/lib/etcd-new }
            unset: [ETCD_OLD]
      """, ["cluster=etcd1=https://10.0.0.1:2380,etcd2=https://10.0.0.2:2380"])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertEqual(scratch.read("etcd.env"), """
      # etcd settings written by kubespray
      ETCD_NAME=etcd1
      export ETCD_DATA_DIR=/var/lib/etcd-new

      ETCD_INITIAL_CLUSTER_STATE=existing
      ETCD_INITIAL_CLUSTER=etcd1=https://10.0.0.1:2380,etcd2=https://10.0.0.2:2380
      """ + "\n")
    XCTAssertEqual(try mode("etcd.env"), 0o600, "the file keeps its mode")
  }

  func testBackupCopiesATreeWithModesAndRefusesToNestIntoItself() throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: scratch.path + "/pki/etcd", withIntermediateDirectories: true)
    try scratch.write("pki/ca.key", "secret key")
    chmod(scratch.path + "/pki/ca.key", 0o600)
    try scratch.write("pki/etcd/ca.crt", "certificate")
    try fm.createSymbolicLink(atPath: scratch.path + "/pki/current", withDestinationPath: "ca.key")
    let result = try apply("""
      runbook: 1
      name: backup
      steps:
        - id: backup
          action: file.backup
          with: { path: pki, dest_dir: backups }
        - id: report
          needs: [backup]
          action: exec
          with: { argv: [echo, "${{ steps.backup.outputs.files }} files in ${{ steps.backup.outputs.backup }}"] }
      """)
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    let backups = try fm.contentsOfDirectory(atPath: scratch.path + "/backups")
    XCTAssertEqual(backups.count, 1)
    let backup = "backups/" + backups[0]
    XCTAssertTrue(backups[0].hasPrefix("pki."), backups[0])
    XCTAssertEqual(scratch.read(backup + "/ca.key"), "secret key")
    XCTAssertEqual(try mode(backup + "/ca.key"), 0o600)
    XCTAssertEqual(scratch.read(backup + "/etcd/ca.crt"), "certificate")
    XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: scratch.path + "/" + backup + "/current"), "ca.key")
    XCTAssertTrue(result.stdout.contains("2 files in backups/pki."), result.stdout)

    let nested = try apply("""
      runbook: 1
      name: backup
      steps:
        - id: backup
          action: file.backup
          with: { path: pki, dest_dir: pki/old }
      """)
    XCTAssertEqual(nested.status, 1)
    XCTAssertTrue(nested.stdout.contains("refusing to back up pki into pki/old, which is inside it"), nested.stdout)
    XCTAssertFalse(fm.fileExists(atPath: scratch.path + "/pki/old"))
  }

  func testMoveRefusesToOverwriteAndAMoveDoneIsNotAnError() throws {
    try scratch.write("a.yaml", "manifest")
    try scratch.write("b.yaml", "other")
    let runbook = """
      runbook: 1
      name: move
      params:
        overwrite: { type: bool, default: false }
      steps:
        - id: move
          action: file.move
          with: { from: a.yaml, to: b.yaml, overwrite: "${{ params.overwrite }}" }
      """
    let refused = try apply(runbook)
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(refused.stdout.contains("b.yaml exists (set overwrite: true to replace it)"), refused.stdout)
    XCTAssertEqual(try apply(runbook, ["overwrite=true"]).status, 0)
    XCTAssertEqual(scratch.read("b.yaml"), "manifest")
    XCTAssertFalse(scratch.exists("a.yaml"))
    XCTAssertEqual(try apply(runbook, ["overwrite=true"]).status, 0, "moving again finds it moved")
  }
}
