import RunbookKit
import RunbookYAML
import XCTest

/// The expression language: precedence, typed values, 64-bit integers, functions and unknowns.
final class ExpressionTests: XCTestCase {
  private let context = EvaluationContext(variables: [
    "params": .map(["n": .int(7), "name": .string("etcd-1"), "list": .list([.string("a"), .string("b")]), "flag": .bool(true)]),
    "steps": .map(["status": .map(["outputs": .unknown(.init(after: ["status"])), "status": .unknown(.init(after: ["status"]))])]),
  ])

  private func eval(_ text: String) throws -> Value {
    try Evaluator.evaluate(try ExpressionParser.parse(text), in: context)
  }

  func testPrecedenceAndTypes() throws {
    XCTAssertEqual(try eval("1 + 2 * 3"), .int(7))
    XCTAssertEqual(try eval("(1 + 2) * 3"), .int(9))
    XCTAssertEqual(try eval("7 / 2"), .int(3))
    XCTAssertEqual(try eval("7 / 2.0"), .decimal(3.5))
    XCTAssertEqual(try eval("-params.n % 4"), .int(-3))
    XCTAssertEqual(try eval("params.n > 3 && !false || 1 == 2"), .bool(true))
    XCTAssertEqual(try eval("'b' in params.list"), .bool(true))
    XCTAssertEqual(try eval("params.list[1]"), .string("b"))
    XCTAssertEqual(try eval("params['name']"), .string("etcd-1"))
    XCTAssertEqual(try eval("'it''s'"), .string("it's"))
    XCTAssertEqual(try eval("1 == 1.0"), .bool(true))
    XCTAssertEqual(try eval("[1, 'a'] + [null]"), .list([.int(1), .string("a"), .null]))
  }

  func testConversionsObjectsAndDurations() throws {
    XCTAssertEqual(try eval("int('42') + 1"), .int(43))
    XCTAssertEqual(try eval("int(' 7 ')"), .int(7))
    XCTAssertEqual(try eval("int('12\n')"), .int(12), "a command's output ends in a newline")
    XCTAssertEqual(try eval("int(3.9)"), .int(3))
    XCTAssertEqual(try eval("int('18446744073709551616')"), .bigInteger("18446744073709551616"))
    XCTAssertEqual(try eval("float('2.5') * 2"), .decimal(5))
    XCTAssertEqual(try eval("float(params.n)"), .decimal(7))
    XCTAssertEqual(try eval("toJSON(object('a', 1, 'b', [params.name]))"), .string(#"{"a":1,"b":["etcd-1"]}"#))
    XCTAssertEqual(try eval("object()"), .map([:]))
    XCTAssertEqual(try eval("object('k', params.n).k"), .int(7))
    XCTAssertEqual(try eval("seconds('1m30s')"), .int(90))
    XCTAssertEqual(try eval("seconds('1500ms')"), .decimal(1.5))
    XCTAssertEqual(try eval("formatDuration(5400)"), .string("1h30m"))
    XCTAssertEqual(try eval("formatDuration(1.5)"), .string("1s500ms"))
    XCTAssertEqual(try eval("formatDuration('90m')"), .string("1h30m"))
    XCTAssertEqual(try eval("formatDuration(0)"), .string("0s"))
    XCTAssertEqual(try eval("formatDuration(seconds('2h') * 2)"), .string("4h"))
    for (text, message) in [
      ("int('4x')", "int() takes a string of digits, not '4x'"), ("int(true)", "int() does not take a bool"),
      ("float('x')", "float() takes a decimal number, not 'x'"),
      ("object('a')", "object() takes keys and values in pairs: object('a', 1, 'b', 2)"),
      ("object(1, 2)", "object() keys are strings, not int (argument 1)"),
      ("object('a', 1, 'a', 2)", "object() has the key 'a' twice"), ("float('0x10')", "float() takes a decimal number, not '0x10'"),
      ("float('nan')", "float() takes a decimal number, not 'nan'"),
      ("seconds('soon')", "seconds() takes a duration such as 90s or 1h30m, not 'soon'"),
      ("formatDuration(-1)", "formatDuration() takes a duration from 0 up to about 285,000 years"),
    ] {
      XCTAssertThrowsError(try eval(text), text) { XCTAssertEqual(($0 as? EvaluationError)?.message, message, text) }
    }
    XCTAssertEqual(try eval("int(steps.status.outputs.count)"), .unknown(.init(after: ["status"])), "unknown stays unknown")
  }

  func testIntegersStay64BitAndOverflowIsAnError() throws {
    XCTAssertEqual(try eval("9223372036854775807"), .int(Int64.max))
    XCTAssertThrowsError(try eval("9223372036854775807 + 1")) { error in
      XCTAssertEqual((error as? EvaluationError)?.message, "integer overflow in 9223372036854775807 + 1")
    }
    XCTAssertThrowsError(try eval("1 / 0"))
    XCTAssertThrowsError(try eval("1e308 * 10")) { XCTAssertEqual(($0 as? EvaluationError)?.message, "decimal overflow in 1e+308 * 10.0") }
    // Beyond Int64 an integer is kept exact as its digits: compared and printed, never computed.
    XCTAssertEqual(try eval("9223372036854775808"), .bigInteger("9223372036854775808"))
    XCTAssertEqual(try eval("18446744073709551615 > 9223372036854775807"), .bool(true))
    XCTAssertThrowsError(try eval("-99999999999999999999"), "negation is arithmetic, which a big integer does not take")
    XCTAssertThrowsError(try eval("18446744073709551615 + 1")) { error in
      XCTAssertTrue((error as? EvaluationError)?.message.contains("is beyond 64 bits") == true, "\(error)")
    }
  }

  func testFunctions() throws {
    XCTAssertEqual(try eval("len(params.list)"), .int(2))
    XCTAssertEqual(try eval("join(params.list, ', ')"), .string("a, b"))
    XCTAssertEqual(try eval("split('a:b', ':')"), .list([.string("a"), .string("b")]))
    XCTAssertEqual(try eval("upper(params.name)"), .string("ETCD-1"))
    XCTAssertEqual(try eval("startsWith(params.name, 'etcd') && endsWith(params.name, '-1')"), .bool(true))
    XCTAssertEqual(try eval("contains(params.list, 'a')"), .bool(true))
    XCTAssertEqual(try eval("default(null, 'x')"), .string("x"))
    XCTAssertEqual(try eval("hex('10276657743932975437')"), .string("8e9e05c52164694d"), "member ids above 2^53 stay exact")
    XCTAssertEqual(try eval("toJSON(params.list)"), .string("[\"a\",\"b\"]"))
  }

  func testUnknownValuesPropagateWithTheirSteps() throws {
    let value = try eval("len(steps.status.outputs.members) > 1")
    XCTAssertEqual(value, .unknown(.init(after: ["status"])))
    XCTAssertEqual(value.plainText, "(known after status)")
    XCTAssertEqual(try eval("false && steps.status.outputs.x"), .bool(false))
    XCTAssertEqual(try eval("steps.status.outputs.x || true"), .bool(true))
  }

  func testTypeErrorsAreClear() {
    XCTAssertThrowsError(try eval("params.name + 1")) { error in
      XCTAssertEqual((error as? EvaluationError)?.message, "'+' does not apply to a string and a int")
    }
    XCTAssertThrowsError(try eval("params.n && true")) { error in
      XCTAssertEqual((error as? EvaluationError)?.message, "'&&' takes booleans, not a int")
    }
  }

  func testSyntaxErrorsCarryTheirSpan() {
    XCTAssertThrowsError(try ExpressionParser.parse("a +", base: 10)) { error in
      let failure = error as! ExpressionParser.Failure
      XCTAssertEqual(failure.message, "expected a value, found the end of the expression")
      XCTAssertEqual(failure.span.start, 13)
    }
    XCTAssertThrowsError(try ExpressionParser.parse(String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)))
  }

  func testStepIdsWithDashesAreNames() throws {
    let e = try ExpressionParser.parse("steps.defrag-followers.outputs.x - 1")
    guard case .binary(.subtract, let lhs, _, _) = e, let path = lhs.referencePath else { return XCTFail("\(e)") }
    XCTAssertEqual([path.root] + path.segments.map(\.name), ["steps", "defrag-followers", "outputs", "x"])
  }
}
