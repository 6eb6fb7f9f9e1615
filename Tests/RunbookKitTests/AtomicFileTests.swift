import Foundation
import RunbookKit
import RunbookTestSupport
import XCTest

/// AtomicFile replaces a file whole, and clears what a killed writer of the same file left.
final class AtomicFileTests: XCTestCase {
  func testAWriteRemovesTemporariesOfDeadWritersOnly() throws {
    let scratch = try ScratchDirectory("atomic")
    let target = try scratch.write("ca.crt", "old")
    let dead = Process()
    dead.executableURL = URL(fileURLWithPath: "/bin/true")
    try dead.run()
    dead.waitUntilExit()
    let stale = try scratch.write(".ca.crt.\(dead.processIdentifier).17.tmp", "half")
    let live = try scratch.write(".ca.crt.1.18.tmp", "pid 1 still runs")
    let other = try scratch.write(".other.crt.\(dead.processIdentifier).19.tmp", "another file's")
    try AtomicFile.write("new", to: target, mode: 0o644)
    XCTAssertEqual(scratch.read("ca.crt"), "new")
    XCTAssertFalse(FileManager.default.fileExists(atPath: stale), "a dead writer's temporary is removed")
    XCTAssertTrue(FileManager.default.fileExists(atPath: live), "a running writer's is kept")
    XCTAssertTrue(FileManager.default.fileExists(atPath: other), "another file's is not this write's business")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".ca.crt.\(getpid())") }, [], "its own temporary is gone")
  }
}
