@testable import RunbookActions
import RunbookKit
import XCTest

/// Member IDs are uint64: above 2^53 a double loses them, above 2^63 an Int64 cannot hold them.
final class EtcdJSONTests: XCTestCase {
  func testMemberIDsAboveTwoToThe63SurviveAsExactHex() throws {
    let text = #"{"header":{"member_id":18446744073709551615},"members":[{"ID":9007199254740993,"name":"id 12345678901234567 in a string","peerURLs":["http://10.0.0.1:2380"]},{"ID":15827379812167381197,"name":"m2"}],"dbSize":20480,"ratio":1234567890123456.5}"#
    let json = try XCTUnwrap(JSONValue.parse(text))
    XCTAssertEqual(EtcdJSON.hexID(json["header"]?["member_id"]), "ffffffffffffffff")
    guard case .array(let members)? = json["members"] else { return XCTFail("no members") }
    XCTAssertEqual(EtcdJSON.hexID(members[0]["ID"]), String(UInt64(9_007_199_254_740_993), radix: 16), "2^53 + 1, which a double rounds")
    XCTAssertEqual(EtcdJSON.hexID(members[1]["ID"]), "dba62615056cf0cd")
    XCTAssertEqual(members[0]["name"], .string("id 12345678901234567 in a string"), "digits inside strings are untouched")
    XCTAssertEqual(json["dbSize"], .int(20480))
    XCTAssertEqual(json["ratio"], .double(1234567890123456.5), "decimals stay numbers")
  }

  func testTheOneReaderKeepsEveryIntegerExact() throws {
    let json = try XCTUnwrap(JSONValue.parse(#"{"n": 41, "big": 17736098101335889303, "huge": -123456789012345678901234567890, "max": 9223372036854775807, "s": "\u00e9\ud83d\ude00"}"#))
    XCTAssertEqual(json["n"], .int(41))
    XCTAssertEqual(json["big"], .bigInteger("17736098101335889303"))
    XCTAssertEqual(json["huge"], .bigInteger("-123456789012345678901234567890"))
    XCTAssertEqual(json["max"], .int(.max))
    XCTAssertEqual(json["s"], .string("é😀"))
    XCTAssertEqual(json.serialized(pretty: false), #"{"n":41,"big":17736098101335889303,"huge":-123456789012345678901234567890,"max":9223372036854775807,"s":"é😀"}"#)
    for bad in ["", "{", "[1,]", "01", "1.", "\"a", "{\"a\" 1}", "nul", "[1] x", String(repeating: "[", count: 600) + String(repeating: "]", count: 600)] {
      XCTAssertNil(JSONValue.parse(bad), bad)
    }
  }
}
