import Foundation
import RunbookTestSupport
import XCTest

/// The README's short tour, run line by line as written (in a copy of the files it uses, with
/// its own state directory): each line must end with the exit code its comment names (`exit N`),
/// or 0.
final class ReadmeTourTests: XCTestCase {
  func testTheTourRunsAsWritten() throws {
    let readme = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8)
    let tour = try XCTUnwrap(readme.range(of: "## A short tour").map { readme[$0.upperBound...] })
    let block = try XCTUnwrap(tour.range(of: "```sh\n").flatMap { open in tour[open.upperBound...].range(of: "```").map { tour[open.upperBound..<$0.lowerBound] } })
    let lines = block.split(separator: "\n").map(String.init).filter { $0.hasPrefix("runbook ") }
    XCTAssertGreaterThan(lines.count, 10, "the tour lost its commands")

    let scratch = try ScratchDirectory("tour")
    for directory in ["runbooks", "examples", "schemas"] {
      try FileManager.default.copyItem(atPath: Repository.path(directory), toPath: scratch.path + "/" + directory)
    }
    for line in lines {
      let expected = line.range(of: #"exit (\d+)"#, options: .regularExpression).map { Int32(line[$0].dropFirst(5))! } ?? 0
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      // `runbook` as the README's alias makes it.
      process.arguments = ["-c", "runbook() { \"$RUNBOOK\" \"$@\"; }\n" + line]
      process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
      var environment = ProcessInfo.processInfo.environment
      environment.removeValue(forKey: "RUNBOOK_PATH")
      environment["RUNBOOK"] = CommandLineTool.binary
      environment["RUNBOOK_STATE_DIR"] = scratch.path + "/state"
      process.environment = environment
      let output = Pipe()
      process.standardOutput = output
      process.standardError = output
      process.standardInput = FileHandle.nullDevice
      try process.run()
      let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      let status = CommandLineTool.reap(process)
      XCTAssertEqual(status, expected, "\(line)\n\(text)")
    }
    XCTAssertEqual(
      try String(contentsOfFile: scratch.path + "/schemas/runbook.schema.json", encoding: .utf8),
      try String(contentsOfFile: Repository.path("schemas/runbook.schema.json"), encoding: .utf8),
      "the committed schema is not what `runbook schema` prints")
  }
}
