import Foundation
import RunbookActions
import RunbookKit
import RunbookTestSupport
import RunbookYAML
import XCTest

/// Random mutations of real runbooks through the loader, and random token soup through the
/// expression parser, for `RUNBOOK_FUZZ_SECONDS` (default 3): nothing may crash or hang, and
/// every diagnostic must point inside the text.
final class FuzzTests: XCTestCase {
  private var seconds: Double {
    Double(ProcessInfo.processInfo.environment["RUNBOOK_FUZZ_SECONDS"] ?? "") ?? 3
  }

  func testMutatedRunbooksNeverCrashAndDiagnosticsStayInBounds() throws {
    var generator = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["RUNBOOK_FUZZ_SEED"] ?? "") ?? 0x5EED)
    let corpus = try FileManager.default.subpathsOfDirectory(atPath: Repository.path("runbooks"))
      .filter { $0.hasSuffix(".yaml") }
      .map { Array(try String(contentsOfFile: Repository.path("runbooks/\($0)"), encoding: .utf8).utf8) }
    let fragments: [[UInt8]] = ["${{", "}}", "\t", ": ", "- ", "&a ", "*a", "<<: ", "[", "{", "'", "\"", "\n  ", "needs: [", "steps.", "params.", "\u{FF}", "#", "---\n"].map { Array($0.utf8) }
    let registry = BuiltinActions.registry
    let deadline = Date().addingTimeInterval(seconds)
    var runs = 0
    while Date() < deadline {
      var bytes = corpus[Int(generator.next() % UInt64(corpus.count))]
      for _ in 0..<(1 + generator.next() % 4) {
        let at = Int(generator.next() % UInt64(bytes.count + 1))
        switch generator.next() % 3 {
        case 0: bytes.insert(contentsOf: fragments[Int(generator.next() % UInt64(fragments.count))], at: at)
        case 1: if at < bytes.count { bytes.removeSubrange(at..<min(bytes.count, at + Int(generator.next() % 8) + 1)) }
        default: if at < bytes.count { bytes[at] = UInt8(truncatingIfNeeded: generator.next()) }
        }
      }
      let lineCount = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
      let document = RunbookDocumentFuzzAccess.load(bytes, registry: registry)
      for diagnostic in document.diagnostics {
        if let range = diagnostic.range {
          XCTAssertTrue(range.start.line >= 1 && range.start.line <= lineCount + 1, "\(diagnostic) outside \(lineCount) lines")
        }
      }
      if document.isValid, let runbook = document.runbook {
        let (params, problems) = ParamBinder.bind(runbook, arguments: [])
        if !problems.hasErrors { _ = PlanBuilder.build(document, params: params, registry: registry) }
      }
      runs += 1
    }
    XCTAssertGreaterThan(runs, 10)
  }

  func testRandomExpressionsNeverCrash() {
    var generator = SplitMix64(seed: 0xE4B2)
    let tokens = ["1", "2.5", "'s'", "params", "steps", ".", "x", "[", "]", "(", ")", "+", "-", "*", "/", "%", "==", "&&", "||", "!", "<", "in", ",", "len", "join", "null", "true", "9223372036854775807", " "]
    let context = EvaluationContext(variables: ["params": .map(["x": .int(3)]), "x": .list([.int(1)])])
    let deadline = Date().addingTimeInterval(seconds)
    var parsed = 0
    while Date() < deadline {
      // One round in eight is a long operator chain, which nests as deep as it is long.
      let count = generator.next() % 8 == 0 ? 200 + Int(generator.next() % 4000) : 1 + Int(generator.next() % 24)
      let text = (0..<count).map { k in
        k % 2 == 1 && count > 24 ? ["+", "*", "&&", "==", "-"][Int(generator.next() % 5)] : tokens[Int(generator.next() % UInt64(tokens.count))]
      }.joined()
      if let expression = try? ExpressionParser.parse(text) {
        parsed += 1
        _ = try? Evaluator.evaluate(expression, in: context)
      }
    }
    XCTAssertGreaterThan(parsed, 0)
  }
}

/// Loading bytes as the CLI does, from the fuzzer.
enum RunbookDocumentFuzzAccess {
  static func load(_ bytes: [UInt8], registry: ActionRegistry) -> RunbookDocument {
    let path = NSTemporaryDirectory() + "fuzz-\(getpid()).yaml"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return RunbookDocument.load(file: path, registry: registry)
  }
}
