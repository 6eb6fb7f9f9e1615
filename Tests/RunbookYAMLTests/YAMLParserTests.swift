import RunbookYAML
import XCTest

/// The YAML layer: core-schema scalars, marks, anchors and merges, and the limits.
final class YAMLParserTests: XCTestCase {
  private func value(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ScalarValue? {
    let result = YAMLParser.parse("key: \(text)\n")
    XCTAssertEqual(result.problems, [], file: file, line: line)
    return result.root?.mapping?.first?.value.scalar?.value
  }

  func testCoreSchemaResolution() {
    XCTAssertEqual(value("yes"), .string("yes"))
    XCTAssertEqual(value("no"), .string("no"))
    XCTAssertEqual(value("on"), .string("on"))
    XCTAssertEqual(value("True"), .bool(true))
    XCTAssertEqual(value("0x1F"), .int(31))
    XCTAssertEqual(value("0o17"), .int(15))
    XCTAssertEqual(value("-42"), .int(-42))
    XCTAssertEqual(value("1e3"), .float(1000))
    XCTAssertEqual(value("1.5"), .float(1.5))
    XCTAssertEqual(value("~"), .null)
    XCTAssertEqual(value(""), .null)
    XCTAssertEqual(value("\"123\""), .string("123"))
    XCTAssertEqual(value("'true'"), .string("true"))
    XCTAssertEqual(value("9223372036854775807"), .int(Int64.max))
    XCTAssertEqual(value("1.2.3"), .string("1.2.3"))
    XCTAssertEqual(value("!!str 12"), .string("12"))
    XCTAssertEqual(value("08"), .int(8))
  }

  func testIntegersBeyond64BitsAreAProblemNotARounding() {
    let result = YAMLParser.parse("id: 18446744073709551615\n")
    XCTAssertEqual(result.problems.map(\.kind), [.integerOutOfRange("18446744073709551615")])
  }

  func testMarksAreOneBasedAndCoverTheNode() throws {
    let result = YAMLParser.parse("a:\n  bb: [x, 'yy']\n")
    let inner = try XCTUnwrap(result.root?.mapping?.first?.value.mapping?.first)
    XCTAssertEqual(inner.key.range, SourceRange(start: Mark(line: 2, column: 3), end: Mark(line: 2, column: 5)))
    let items = try XCTUnwrap(inner.value.sequence)
    XCTAssertEqual(items[1].range.start, Mark(line: 2, column: 11))
    XCTAssertEqual(items[1].scalar?.style, .singleQuoted)
  }

  func testAnchorsAliasesAndMergeKeys() throws {
    let text = """
      base: &base { a: 1, b: 2 }
      more: &more { c: 3 }
      merged:
        <<: [*base, *more]
        b: 20
      copy: *base
      """
    let result = YAMLParser.parse(text)
    XCTAssertEqual(result.problems, [])
    let pairs = try XCTUnwrap(result.root?.mapping)
    let merged = try XCTUnwrap(pairs[2].value.mapping)
    XCTAssertEqual(merged.map(\.name), ["b", "a", "c"])
    XCTAssertEqual(merged[0].value.scalar?.value, .int(20))
    XCTAssertEqual(pairs[3].value.mapping?.count, 2)
    XCTAssertEqual(pairs[3].value.range.start, Mark(line: 6, column: 7), "an alias is located where it stands")
  }

  func testDuplicateKeysAreReportedWithTheFirstDefinition() {
    let result = YAMLParser.parse("a: 1\nb: 2\na: 3\n")
    XCTAssertEqual(result.problems.count, 1)
    XCTAssertEqual(result.problems[0].kind, .duplicateKey("a", first: SourceRange(start: Mark(line: 1, column: 1), end: Mark(line: 1, column: 2))))
    XCTAssertEqual(result.problems[0].range.start, Mark(line: 3, column: 1))
  }

  func testBillionLaughsIsRefusedEarly() {
    var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in 1...9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
    let result = YAMLParser.parse(text)
    XCTAssertNil(result.root)
    XCTAssertEqual(result.problems.map(\.kind), [.aliasExpansion(limit: 100_000)])
  }

  func testDepthAndSizeLimits() {
    let deep = YAMLParser.parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65))
    XCTAssertEqual(deep.problems.map(\.kind), [.tooDeep(limit: 64)])
    let big = YAMLParser.parse("a: b\n", limits: YAMLLimits(maxBytes: 3))
    XCTAssertEqual(big.problems.map(\.kind), [.tooLarge(bytes: 5, limit: 3)])
  }

  func testInvalidUTF8IsLocated() {
    let result = YAMLParser.parse(bytes: Array("a: ok\nb: caf".utf8) + [0xC3, 0x28] + Array("\n".utf8))
    XCTAssertEqual(result.problems.map(\.kind), [.invalidUTF8])
    XCTAssertEqual(result.problems.first?.range.start, Mark(line: 2, column: 7))
  }

  func testTabsAndSyntaxErrorsAreLocated() {
    let tab = YAMLParser.parse("a:\n\tb: 1\n")
    XCTAssertEqual(tab.problems.map(\.kind), [.tab])
    XCTAssertEqual(tab.problems.first?.range.start, Mark(line: 2, column: 1))
    let syntax = YAMLParser.parse("a: [1, 2\n")
    XCTAssertEqual(syntax.problems.map(\.kind), [.syntax])
  }

  func testEmptyAndMultipleDocuments() {
    XCTAssertNil(YAMLParser.parse("").root)
    XCTAssertEqual(YAMLParser.parse("").problems, [])
    XCTAssertEqual(YAMLParser.parse("a: 1\n---\nb: 2\n").problems.map(\.kind), [.multipleDocuments])
  }
}
