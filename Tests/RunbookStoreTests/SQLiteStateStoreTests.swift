import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import Synchronization
import XCTest

final class SQLiteStateStoreTests: XCTestCase {
  var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("runbook-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  func testMeetsTheStateStoreContract() throws {
    var count = 0
    try StateStoreContract.verify {
      count += 1
      return try SQLiteStateStore(path: directory.appendingPathComponent("journal-\(count).sqlite").path)
    }
  }

  /// `runbook runs` started while `runbook apply` creates the journal once made apply fail with
  /// "table runs already exists"; every opener must succeed.
  func testOpenersRacingOnANewJournalAllSucceed() throws {
    for round in 0..<20 {
      let path = directory.appendingPathComponent("race-\(round).sqlite").path
      let failures = Mutex<[String]>([])
      DispatchQueue.concurrentPerform(iterations: 6) { _ in
        do {
          _ = try SQLiteStateStore(path: path).runs()
        } catch {
          failures.withLock { $0.append("\(error)") }
        }
      }
      XCTAssertEqual(failures.withLock { $0 }, [], "round \(round)")
    }
  }

  func testStateSurvivesReopeningAndTheFilesArePrivate() throws {
    let state = StateDirectory(explicit: directory.appendingPathComponent("state").path, environment: [:])
    try state.prepare()
    do {
      let store = try SQLiteStateStore(path: state.databasePath)
      try store.beginRun(StateStoreContract.run("r1"))
      try store.saveStep(StepRecord(runID: "r1", step: "s", status: .succeeded, outputs: ["k": .string("v")]), event: "step.succeeded", at: Date())
    }
    let reopened = try SQLiteStateStore(path: state.databasePath)
    XCTAssertEqual(try reopened.run("r1")?.params["count"], .int(3))
    XCTAssertEqual(try reopened.steps(ofRun: "r1").first?.outputs["k"], .string("v"))
    XCTAssertEqual(try reopened.integrityCheck(), "ok")
    XCTAssertEqual(try mode(state.path), 0o700)
    for name in try FileManager.default.contentsOfDirectory(atPath: state.path) {
      XCTAssertEqual(try mode(state.path + "/" + name), 0o600, "\(name) is private")
    }
    let durability = try reopened.durability()
    XCTAssertEqual(durability.journalMode, "wal")
    XCTAssertEqual(durability.synchronous, 2, "synchronous = FULL")
  }

  func testTheStateDirectoryFollowsTheSearchOrder() {
    XCTAssertEqual(StateDirectory(explicit: "/x", environment: ["RUNBOOK_STATE_DIR": "/y"]).path, "/x")
    XCTAssertEqual(StateDirectory(explicit: nil, environment: ["RUNBOOK_STATE_DIR": "/y", "XDG_STATE_HOME": "/z"]).path, "/y")
    XCTAssertEqual(StateDirectory(explicit: nil, environment: ["XDG_STATE_HOME": "/z", "HOME": "/h"]).path, "/z/runbook")
    XCTAssertEqual(StateDirectory(explicit: nil, environment: ["HOME": "/h"]).path, "/h/.local/state/runbook")
  }

  private func mode(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? 0) & 0o777
  }
}
