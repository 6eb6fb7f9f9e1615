import RunbookKit
import RunbookTestSupport
import XCTest

final class InMemoryStateStoreTests: XCTestCase {
  func testMeetsTheStateStoreContract() throws {
    try StateStoreContract.verify { InMemoryStateStore() }
  }
}
