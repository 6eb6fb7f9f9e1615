/// The value Ansible gives a `key=value` of an INI inventory: Python's `ast.literal_eval` of the
/// text (`2222` an int, `True` a bool, `'a b'` a string, `[1, 2]` a list, `None` null), and the
/// text itself when it is no Python literal (docs/running.md, "Hosts and inventories").
enum AnsibleLiteral {
  /// Deepest nesting of brackets read; deeper text stays a string.
  static let maxDepth = 64

  /// The value of `text` as an INI inventory types it.
  static func value(_ text: String) -> Value {
    var parser = Parser(Array(text.unicodeScalars))
    return parser.document() ?? .string(text)
  }

  private struct Parser {
    let s: [Unicode.Scalar]
    var i = 0
    var depth = 0

    init(_ s: [Unicode.Scalar]) { self.s = s }

    var current: Unicode.Scalar? { i < s.count ? s[i] : nil }

    mutating func skipBlanks() {
      while let c = current, c == " " || c == "\t" { i += 1 }
    }

    /// An expression, or a bare tuple (`1, 2`), then only blanks and a comment.
    mutating func document() -> Value? {
      skipBlanks()
      guard let first = expression() else { return nil }
      var items = [first]
      var tuple = false
      skipBlanks()
      while current == "," {
        tuple = true
        i += 1
        skipBlanks()
        if current == nil || current == "#" { break }
        guard let next = expression() else { return nil }
        items.append(next)
        skipBlanks()
      }
      if current == "#" { i = s.count }
      guard i == s.count else { return nil }
      return tuple ? .list(items) : first
    }

    mutating func expression() -> Value? {
      skipBlanks()
      guard let c = current else { return nil }
      switch c {
      case "-", "+":
        i += 1
        skipBlanks()
        guard let operand = expression() else { return nil }
        switch operand {
        case .int(let n): return c == "-" ? (n == .min ? nil : .int(-n)) : .int(n)
        case .bigInteger(let digits): return c == "-" ? .bigInteger(digits.hasPrefix("-") ? String(digits.dropFirst()) : "-" + digits) : operand
        case .decimal(let d): return .decimal(c == "-" ? -d : d)
        case .bool(let b): return .int(c == "-" ? (b ? -1 : 0) : (b ? 1 : 0))
        default: return nil
        }
      case "[": return sequence(closing: "]")
      case "(": return sequence(closing: ")")
      case "{": return braces()
      case "'", "\"": return strings()
      case "0"..."9", ".": return number()
      default: return word()
      }
    }

    mutating func nested(_ body: (inout Parser) -> Value?) -> Value? {
      depth += 1
      defer { depth -= 1 }
      guard depth <= AnsibleLiteral.maxDepth else { return nil }
      return body(&self)
    }

    /// `[a, b]` or `(a, b)`: a list either way (Ansible turns tuples into lists).
    mutating func sequence(closing: Unicode.Scalar) -> Value? {
      nested { p in
        p.i += 1
        var items: [Value] = []
        while true {
          p.skipBlanks()
          if p.current == closing {
            p.i += 1
            // `(1)` is the number 1, not a tuple
            if closing == ")", items.count == 1, p.s[p.i - 2] != "," { return items[0] }
            return .list(items)
          }
          guard let item = p.expression() else { return nil }
          items.append(item)
          p.skipBlanks()
          if p.current == "," { p.i += 1 } else if p.current != closing { return nil }
        }
      }
    }

    /// `{k: v}` (a map, keys as text) or `{a, b}` (a set, as a list).
    mutating func braces() -> Value? {
      nested { p in
        p.i += 1
        var map: [String: Value] = [:]
        var set: [Value] = []
        while true {
          p.skipBlanks()
          if p.current == "}" {
            p.i += 1
            return set.isEmpty ? .map(map) : (map.isEmpty ? .list(set) : nil)
          }
          guard let key = p.expression() else { return nil }
          p.skipBlanks()
          if p.current == ":" {
            p.i += 1
            guard let value = p.expression() else { return nil }
            map[key.plainText] = value
          } else {
            set.append(key)
          }
          p.skipBlanks()
          if p.current == "," { p.i += 1 } else if p.current != "}" { return nil }
        }
      }
    }

    mutating func word() -> Value? {
      let start = i
      while let c = current, c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) { i += 1 }
      let name = String(String.UnicodeScalarView(s[start..<i]))
      switch name {
      case "True": return .bool(true)
      case "False": return .bool(false)
      case "None": return .null
      default:
        // string prefixes: r'', u'', b'', rb''
        if ["r", "u", "b", "rb", "br", "R", "U", "B", "Rb", "rB", "bR", "Br", "RB", "BR"].contains(name), let q = current, q == "'" || q == "\"" {
          return strings(raw: name.lowercased().contains("r"))
        }
        return nil
      }
    }

    /// One or more adjacent string literals, joined as Python joins them.
    mutating func strings(raw: Bool = false) -> Value? {
      guard var text = string(raw: raw) else { return nil }
      while true {
        let save = i
        skipBlanks()
        if let q = current, q == "'" || q == "\"", let more = string(raw: false) {
          text += more
        } else if let w = current, w.properties.isAlphabetic {
          let start = i
          while let c = current, c.properties.isAlphabetic { i += 1 }
          let prefix = String(String.UnicodeScalarView(s[start..<i])).lowercased()
          if ["r", "u", "b", "rb", "br"].contains(prefix), let q = current, q == "'" || q == "\"", let more = string(raw: prefix.contains("r")) {
            text += more
          } else {
            i = save
            return .string(text)
          }
        } else {
          i = save
          return .string(text)
        }
      }
    }

    mutating func string(raw: Bool) -> String? {
      guard let quote = current else { return nil }
      let triple = i + 2 < s.count && s[i + 1] == quote && s[i + 2] == quote
      i += triple ? 3 : 1
      var out = String.UnicodeScalarView()
      while let c = current {
        if c == quote {
          if !triple {
            i += 1
            return String(out)
          }
          if i + 2 < s.count, s[i + 1] == quote, s[i + 2] == quote {
            i += 3
            return String(out)
          }
        }
        if c == "\n" && !triple { return nil }
        if c == "\\" {
          guard i + 1 < s.count else { return nil }
          let next = s[i + 1]
          i += 2
          if raw {
            out.append("\\")
            out.append(next)
            continue
          }
          guard let escaped = escape(next) else { return nil }
          out.append(contentsOf: escaped)
          continue
        }
        out.append(c)
        i += 1
      }
      return nil
    }

    /// The scalars an escape `\next` stands for; `i` is just past `next`.
    mutating func escape(_ next: Unicode.Scalar) -> [Unicode.Scalar]? {
      switch next {
      case "\n": return []
      case "\\", "'", "\"": return [next]
      case "n": return ["\n"]
      case "t": return ["\t"]
      case "r": return ["\r"]
      case "a": return ["\u{07}"]
      case "b": return ["\u{08}"]
      case "f": return ["\u{0C}"]
      case "v": return ["\u{0B}"]
      case "0"..."7":
        var value = next.value - 48
        var count = 1
        while count < 3, let c = current, ("0"..."7").contains(c) {
          value = value * 8 + c.value - 48
          i += 1
          count += 1
        }
        return Unicode.Scalar(value).map { [$0] }
      case "x", "u", "U":
        let length = next == "x" ? 2 : (next == "u" ? 4 : 8)
        guard i + length <= s.count, let value = UInt32(String(String.UnicodeScalarView(s[i..<i + length])), radix: 16),
          let scalar = Unicode.Scalar(value)
        else { return nil }
        i += length
        return [scalar]
      default: return ["\\", next]
      }
    }

    /// A Python number: ints (with `_`, `0x`, `0o`, `0b`), floats; imaginary numbers are not read.
    mutating func number() -> Value? {
      let start = i
      while let c = current, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "."
        || ((c == "+" || c == "-") && i > start && (s[i - 1] == "e" || s[i - 1] == "E") && !isRadixLiteral(from: start))
      {
        i += 1
      }
      let text = String(String.UnicodeScalarView(s[start..<i]))
      guard !text.hasSuffix("_"), !text.contains("__") else { return nil }
      let lower = text.lowercased()
      for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) {
        var digits = lower.dropFirst(2)
        if digits.hasPrefix("_") { digits = digits.dropFirst() }
        let clean = digits.replacingOccurrences(of: "_", with: "")
        guard !clean.isEmpty, let n = Int64(clean, radix: radix) else { return nil }
        return .int(n)
      }
      let clean = text.replacingOccurrences(of: "_", with: "")
      if clean.allSatisfy(\.isASCII), clean.allSatisfy(\.isNumber) {
        // Python refuses leading zeros on a nonzero decimal (`0755`)
        if clean.count > 1, clean.hasPrefix("0"), clean.contains(where: { $0 != "0" }) { return nil }
        if let n = Int64(clean) { return .int(n) }
        return .bigInteger(String(clean.drop { $0 == "0" }))
      }
      guard text.first.map({ $0 != "_" }) ?? false,
        clean.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-") }),
        clean.contains(where: \.isNumber), let d = Double(clean.hasPrefix(".") ? "0" + clean : clean)
      else { return nil }
      return .decimal(d)
    }

    private func isRadixLiteral(from start: Int) -> Bool {
      start + 1 < s.count && s[start] == "0" && ["x", "X"].contains(s[start + 1])
    }
  }
}
