/// A duration written as a number and a unit, possibly repeated: `500ms`, `30s`, `5m`, `1h30m`, `2d`.
public struct RunbookDuration: Sendable, Hashable, CustomStringConvertible {
  public let milliseconds: Int64
  /// The text as written.
  public let text: String

  public init?(_ text: String) {
    let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
    var total: Int64 = 0
    var rest = Substring(text)
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let digits = rest.prefix { $0.isASCII && $0.isNumber }
      guard !digits.isEmpty, digits.count <= 12, let number = Int64(digits) else { return nil }
      rest = rest.dropFirst(digits.count)
      guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) && !(rest.hasPrefix("ms") && $0.0 == "m") })
      else { return nil }
      rest = rest.dropFirst(unit.count)
      let (product, overflow) = number.multipliedReportingOverflow(by: factor)
      guard !overflow else { return nil }
      let (sum, overflow2) = total.addingReportingOverflow(product)
      guard !overflow2 else { return nil }
      total = sum
    }
    milliseconds = total
    self.text = text
  }

  /// A duration of `milliseconds` (not negative), written the short way: `1h30m`, `2m5s`,
  /// `1s500ms`, `0s`.
  public init(milliseconds: Int64) {
    self.milliseconds = milliseconds
    var rest = milliseconds
    var text = ""
    for (unit, factor) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where rest >= factor {
      text += "\(rest / factor)\(unit)"
      rest %= factor
    }
    self.text = text.isEmpty ? "0s" : text
  }

  public var seconds: Double { Double(milliseconds) / 1000 }
  public var duration: Duration { .milliseconds(milliseconds) }
  public var description: String { text }
}
