import Foundation

/// The built-in functions of the expression language.
public enum Functions {
  /// Each function's name and how many arguments it takes.
  public static let arities: [String: ClosedRange<Int>] = [
    "len": 1...1, "contains": 2...2, "startsWith": 2...2, "endsWith": 2...2, "join": 1...2,
    "split": 2...2, "lower": 1...1, "upper": 1...1, "default": 2...2, "hex": 1...1, "toJSON": 1...1,
    "int": 1...1, "float": 1...1, "object": 0...64, "seconds": 1...1, "formatDuration": 1...1, "onHost": 2...2,
  ]

  /// How many arguments a function takes, in words: `1 argument`, `1 or 2 arguments`.
  static func describe(_ arity: ClosedRange<Int>) -> String {
    switch arity.count {
    case 1: "\(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")"
    case 2: "\(arity.lowerBound) or \(arity.upperBound) arguments"
    default: "\(arity.lowerBound) to \(arity.upperBound) arguments"
    }
  }

  static func call(_ name: String, _ args: [Value], at span: Expression.Span) throws(EvaluationError) -> Value {
    guard let arity = arities[name] else { throw EvaluationError("unknown function '\(name)'", at: span) }
    guard arity.contains(args.count) else {
      throw EvaluationError("\(name)() takes \(describe(arity)), not \(args.count)", at: span)
    }
    if name == "default" {
      switch args[0] {
      case .null, .string(""): return args[1]
      default: return args[0]
      }
    }
    // The output of a step whose `on:` may name a host or nothing: that host's value from the
    // map by host, or the value itself when the step ran here (docs/expressions.md).
    if name == "onHost" {
      switch args[1] {
      case .null, .string(""): return args[0]
      case .string(let host):
        if case .unknown = args[0] { return args[0] }
        guard case .map(let byHost) = args[0] else {
          throw EvaluationError("onHost() takes a map by host when a host is named, not a \(args[0].typeName)", at: span)
        }
        guard let value = byHost[host] else {
          throw EvaluationError("onHost(): no value for host '\(host)' (the step ran on \(byHost.keys.sorted().joined(separator: ", ")))", at: span)
        }
        return value
      case .unknown: return args[1]
      default: throw EvaluationError("onHost() takes a host name, not a \(args[1].typeName)", at: span)
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
    case ("int", _):
      switch args[0] {
      case .int, .bigInteger: return args[0]
      case .decimal(let d):
        guard d.isFinite, let i = Int64(exactly: d.rounded(.towardZero)) else { throw EvaluationError("int() cannot hold \(Value.format(d))", at: span) }
        return .int(i)
      case .string(let s):
        let text = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if let i = Int64(text) { return .int(i) }
        let digits = text.hasPrefix("+") ? String(text.dropFirst()) : text
        if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
          return .bigInteger(String(digits.drop { $0 == "0" }))
        }
        throw EvaluationError("int() takes a string of digits, not '\(VisibleText.line(s))'", at: span)
      default: throw fail()
      }
    case ("float", _):
      switch args[0] {
      case .int(let i): return .decimal(Double(i))
      case .bigInteger(let digits): return .decimal(Double(digits) ?? .infinity)
      case .decimal: return args[0]
      case .string(let s):
        let text = s.trimmingCharacters(in: .whitespacesAndNewlines)
        // Decimal only: Double() would also read hex (`0x10`), `inf` and `nan`.
        guard text.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }), let d = Double(text), d.isFinite else {
          throw EvaluationError("float() takes a decimal number, not '\(VisibleText.line(s))'", at: span)
        }
        return .decimal(d)
      default: throw fail()
      }
    case ("object", _):
      guard args.count % 2 == 0 else { throw EvaluationError("object() takes keys and values in pairs: object('a', 1, 'b', 2)", at: span) }
      var members: [String: Value] = [:]
      for pair in stride(from: 0, to: args.count, by: 2) {
        guard case .string(let key) = args[pair] else {
          throw EvaluationError("object() keys are strings, not \(args[pair].typeName) (argument \(pair + 1))", at: span)
        }
        guard members.updateValue(args[pair + 1], forKey: key) == nil else {
          throw EvaluationError("object() has the key '\(VisibleText.line(key))' twice", at: span)
        }
      }
      return .map(members)
    case ("seconds", _):
      guard case .string(let text) = args[0] else { throw fail() }
      guard let duration = RunbookDuration(text) else { throw EvaluationError("seconds() takes a duration such as 90s or 1h30m, not '\(VisibleText.line(text))'", at: span) }
      return duration.milliseconds % 1000 == 0 ? .int(duration.milliseconds / 1000) : .decimal(duration.seconds)
    case ("formatDuration", _):
      let milliseconds: Double
      switch args[0] {
      case .int(let i): milliseconds = Double(i) * 1000
      case .decimal(let d): milliseconds = d * 1000
      case .string(let text):
        guard let duration = RunbookDuration(text) else { throw EvaluationError("formatDuration() takes seconds or a duration, not '\(VisibleText.line(text))'", at: span) }
        milliseconds = Double(duration.milliseconds)
      default: throw fail()
      }
      guard milliseconds.isFinite, milliseconds >= 0, milliseconds < 9.0e15 else {
        throw EvaluationError("formatDuration() takes a duration from 0 up to about 285,000 years", at: span)
      }
      return .string(RunbookDuration(milliseconds: Int64(milliseconds.rounded())).text)
    default:
      throw fail()
    }
  }
}
