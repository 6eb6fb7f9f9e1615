import Foundation

/// The built-in functions of the expression language.
public enum Functions {
  /// Each function's name and how many arguments it takes.
  public static let arities: [String: ClosedRange<Int>] = [
    "len": 1...1, "contains": 2...2, "startsWith": 2...2, "endsWith": 2...2, "join": 1...2,
    "split": 2...2, "lower": 1...1, "upper": 1...1, "default": 2...2, "hex": 1...1, "toJSON": 1...1,
  ]

  static func call(_ name: String, _ args: [Value], at span: Expression.Span) throws(EvaluationError) -> Value {
    guard let arity = arities[name] else { throw EvaluationError("unknown function '\(name)'", at: span) }
    guard arity.contains(args.count) else {
      throw EvaluationError("\(name)() takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) or \(arity.upperBound)") arguments, not \(args.count)", at: span)
    }
    if name == "default" {
      switch args[0] {
      case .null, .string(""): return args[1]
      default: return args[0]
      }
    }
    if name != "toJSON", let unknown = args.compactMap(\.unknownReason).reduce(nil, { (acc: Value.Unknown?, u) in acc.map { $0.merged(u) } ?? u }) {
      return .unknown(unknown)
    }
    func fail() -> EvaluationError {
      EvaluationError("\(name)() does not take \(args.map { "a \($0.typeName)" }.joined(separator: " and "))", at: span)
    }
    switch (name, args.count) {
    case ("len", _):
      switch args[0] {
      case .string(let s): return .int(Int64(s.count))
      case .list(let l): return .int(Int64(l.count))
      case .map(let m): return .int(Int64(m.count))
      default: throw fail()
      }
    case ("contains", _):
      switch (args[0], args[1]) {
      case (.string(let s), .string(let t)): return .bool(s.contains(t))
      case (.list(let l), let v): return .bool(l.contains { Evaluator.equal($0, v) })
      default: throw fail()
      }
    case ("startsWith", _), ("endsWith", _):
      guard case .string(let s) = args[0], case .string(let t) = args[1] else { throw fail() }
      return .bool(name == "startsWith" ? s.hasPrefix(t) : s.hasSuffix(t))
    case ("join", _):
      guard case .list(let items) = args[0] else { throw fail() }
      var separator = ","
      if args.count == 2 {
        guard case .string(let s) = args[1] else { throw fail() }
        separator = s
      }
      return .string(items.map(\.plainText).joined(separator: separator))
    case ("split", _):
      guard case .string(let s) = args[0], case .string(let sep) = args[1], !sep.isEmpty else { throw fail() }
      return .list(s.components(separatedBy: sep).map { .string($0) })
    case ("lower", _), ("upper", _):
      guard case .string(let s) = args[0] else { throw fail() }
      return .string(name == "lower" ? s.lowercased() : s.uppercased())
    case ("hex", _):
      switch args[0] {
      case .int(let i): return .string(String(UInt64(bitPattern: i), radix: 16))
      case .bigInteger(let digits):
        guard let n = UInt64(digits) else { throw EvaluationError("hex() takes an integer up to 2^64, not \(digits)", at: span) }
        return .string(String(n, radix: 16))
      case .string(let s):
        guard let n = UInt64(s) else { throw EvaluationError("hex() takes a decimal integer, not '\(s)'", at: span) }
        return .string(String(n, radix: 16))
      default: throw fail()
      }
    case ("toJSON", _):
      return .string(args[0].json.serialized(pretty: false))
    default:
      throw fail()
    }
  }
}
