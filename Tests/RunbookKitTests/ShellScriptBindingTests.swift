import Foundation
import RunbookKit
import RunbookTestSupport
import RunbookYAML
import XCTest

/// A value bound into a shell script arrives literally in every quoting context, and never runs:
/// checked by running the rendered script with the real /bin/sh over random hostile values.
final class ShellScriptBindingTests: XCTestCase {
  static let contexts: [(name: String, script: String)] = [
    ("bare", "printf '%s\\n' ${{ params.v }}"),
    ("double", "printf '%s\\n' \"${{ params.v }}\""),
    ("single", "printf '%s\\n' '${{ params.v }}'"),
    ("glued", "printf '%s\\n' x${{ params.v }}y"),
    ("substitution", "printf '%s\\n' \"$(printf '%s' ${{ params.v }})\""),
    ("nested", "printf '%s\\n' \"$(printf '%s' \"${{ params.v }}\")\""),
    ("backquotes", "printf '%s\\n' \"`printf '%s' ${{ params.v }}`\""),
    ("heredoc", "cat <<END\n${{ params.v }}\nEND"),
    ("heredoc-dash", "cat <<-END\n\t${{ params.v }}\n\tEND"),
  ]

  static let alphabet = Array(#"a $`"'\;|&()<>{}*?[]!#~=%^-+:,.@\n\t"#.unicodeScalars) + ["\n", "\t", "é", "€"]

  func testHostileValuesArriveLiterallyInEveryContext() throws {
    var random = SplitMix64(seed: 7)
    let scratch = try ScratchDirectory("quoting")
    for round in 0..<12 {
      let length = Int(random.next() % 24) + 1
      var value = String(String.UnicodeScalarView((0..<length).map { _ in Self.alphabet[Int(random.next() % UInt64(Self.alphabet.count))] }))
      value = value.replacingOccurrences(of: "\n", with: " ")  // one line, so expectations stay simple
      value += "; touch \(scratch.path)/pwned-\(round)"
      for context in Self.contexts {
        let output = try render(context.script, value: value, in: scratch.path)
        let expected = context.name == "glued" ? "x\(value)y" : value
        XCTAssertEqual(output, expected + "\n", "\(context.name) with \(value.debugDescription)")
      }
      XCTAssertFalse(FileManager.default.fileExists(atPath: "\(scratch.path)/pwned-\(round)"))
    }
  }

  func testArithmeticIsRefusedAndNestedParenthesesEndIt() throws {
    XCTAssertThrowsError(try render("echo $(( ${{ params.v }} + 1 ))", value: "1", in: "/tmp")) { error in
      XCTAssertTrue((error as? EvaluationError)?.message.contains("inside shell arithmetic") == true, "\(error)")
    }
    XCTAssertEqual(try render("echo $(( (1 + 2) * 3 )) ${{ params.v }}", value: "a b", in: "/tmp"), "9 a b\n")
  }

  func testAQuotedHereDocumentIsRefused() throws {
    XCTAssertThrowsError(try render("cat <<'END'\n${{ params.v }}\nEND", value: "x", in: "/tmp")) { error in
      XCTAssertTrue((error as? EvaluationError)?.message.contains("quoted delimiter") == true, "\(error)")
    }
  }

  /// Renders `script` with `params.v = value`, runs it with /bin/sh and the bindings, and gives stdout.
  private func render(_ script: String, value: String, in directory: String) throws -> String {
    let node = YAMLNode(.scalar(YAMLScalar(text: script, style: .literal, value: .string(script))), range: SourceRange(line: 1, column: 1, length: 1))
    let template = try Template.parse(script, node: node)
    let context = EvaluationContext(variables: ["params": .map(["v": .string(value)])])
    let bound = try ShellScriptBinding.render(template) { expression throws(EvaluationError) in
      try Evaluator.evaluate(expression, in: context)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-e", "-c", bound.script]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = Dictionary(uniqueKeysWithValues: bound.bindings.map { ($0.name, $0.value.plainText) })
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }
}
