import Foundation
import XCTest

/// Compares text with a golden file in `__Snapshots__/` next to the calling test file;
/// `RUNBOOK_RECORD_SNAPSHOTS=1` writes the golden files anew instead.
public func assertSnapshot(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
  let directory = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("__Snapshots__")
  let url = directory.appendingPathComponent("\(name).txt")
  let recording = ProcessInfo.processInfo.environment["RUNBOOK_RECORD_SNAPSHOTS"] == "1"
  guard !recording, let expected = try? String(contentsOf: url, encoding: .utf8) else {
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try? actual.write(to: url, atomically: true, encoding: .utf8)
    if !recording { XCTFail("no snapshot \(name) yet; recorded it, check it in", file: file, line: line) }
    return
  }
  if actual != expected {
    let diff = zip(actual.split(separator: "\n", omittingEmptySubsequences: false), expected.split(separator: "\n", omittingEmptySubsequences: false))
      .enumerated().first { $0.element.0 != $0.element.1 }
    let detail = diff.map { "line \($0.offset + 1):\n  actual:   \($0.element.0)\n  expected: \($0.element.1)" } ?? "lengths differ"
    XCTFail("snapshot \(name) differs (re-record with RUNBOOK_RECORD_SNAPSHOTS=1)\n\(detail)\n--- actual ---\n\(actual)", file: file, line: line)
  }
}
