internal import CYAML

/// Parses YAML text into located nodes with the system libyaml, enforcing `YAMLLimits`.
public enum YAMLParser {
  public static func parse(_ text: String, limits: YAMLLimits = .default) -> YAMLParseResult {
    parse(bytes: Array(text.utf8), limits: limits)
  }

  public static func parse(bytes: [UInt8], limits: YAMLLimits = .default) -> YAMLParseResult {
    let origin = SourceRange(line: 1, column: 1, length: 1)
    if bytes.count > limits.maxBytes {
      let problem = YAMLProblem(
        .tooLarge(bytes: bytes.count, limit: limits.maxBytes),
        "the file is \(bytes.count) bytes; the limit is \(limits.maxBytes) bytes", at: origin)
      return YAMLParseResult(root: nil, problems: [problem])
    }
    if let mark = UTF8Validation.firstInvalid(in: bytes) {
      let problem = YAMLProblem(.invalidUTF8, "invalid UTF-8 byte sequence", at: SourceRange(start: mark, end: mark))
      return YAMLParseResult(root: nil, problems: [problem])
    }
    let builder = DocumentBuilder(bytes: bytes, limits: limits)
    return builder.build()
  }
}

extension Mark {
  /// The one place libyaml's 0-based marks become 1-based.
  init(_ mark: yaml_mark_t) {
    self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
  }
}

/// Drives libyaml's event parser and composes the node tree, one document per text.
private final class DocumentBuilder {
  private struct Abort: Error {}

  private enum Event {
    case streamStart, streamEnd, documentStart(SourceRange), documentEnd
    case alias(String, SourceRange)
    case scalar(String, YAMLScalar.Style, tag: String?, anchor: String?, SourceRange)
    case sequenceStart(tag: String?, anchor: String?, SourceRange)
    case mappingStart(tag: String?, anchor: String?, SourceRange)
    case collectionEnd(SourceRange)
  }

  private var parser = yaml_parser_t()
  private let input: UnsafeMutableBufferPointer<UInt8>
  private let bytes: [UInt8]
  private let limits: YAMLLimits
  private var problems: [YAMLProblem] = []
  private var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
  private var expanded = 0

  init(bytes: [UInt8], limits: YAMLLimits) {
    self.bytes = bytes
    self.limits = limits
    input = .allocate(capacity: max(bytes.count, 1))
    _ = input.initialize(from: bytes)
    yaml_parser_initialize(&parser)
    yaml_parser_set_input_string(&parser, input.baseAddress, bytes.count)
  }

  deinit {
    yaml_parser_delete(&parser)
    input.deallocate()
  }

  func build() -> YAMLParseResult {
    var root: YAMLNode?
    do {
      _ = try next()  // stream start
      let first = try next()
      if case .documentStart = first {
        let (node, _) = try compose(try next(), depth: 0)
        root = node
        _ = try next()  // document end
        if case .documentStart(let range) = try next() {
          problems.append(YAMLProblem(.multipleDocuments, "a runbook file holds one YAML document; found a second", at: range))
        }
      }
    } catch {
      return YAMLParseResult(root: nil, problems: problems)
    }
    return YAMLParseResult(root: root, problems: problems)
  }

  // MARK: Composing

  private func compose(_ event: Event, depth: Int) throws(Abort) -> (YAMLNode, weight: Int) {
    switch event {
    case .scalar(let text, let style, let tag, let anchor, let range):
      let value: ScalarValue
      switch ScalarResolver.resolve(text, style: style, tag: tag) {
      case .value(let v)?:
        value = v
      case .integerOutOfRange?:
        problems.append(YAMLProblem(.integerOutOfRange(text), "integer \(text) does not fit in 64 bits", at: range))
        value = .string(text)
      case nil:
        problems.append(YAMLProblem(.unsupportedTag(tag ?? ""), "unsupported tag \(tag ?? "") on this value", at: range))
        value = .string(text)
      }
      let node = YAMLNode(.scalar(YAMLScalar(text: text, style: style, value: value)), range: range)
      remember(anchor, node, weight: 1)
      return (node, 1)

    case .alias(let name, let range):
      guard let (target, weight) = anchors[name] else {
        problems.append(YAMLProblem(.unknownAnchor(name), "unknown anchor '\(name)'", at: range))
        return (YAMLNode(.scalar(YAMLScalar(text: "", style: .plain, value: .null)), range: range), 1)
      }
      expanded += weight
      if expanded > limits.maxAliasExpansion {
        problems.append(YAMLProblem(
          .aliasExpansion(limit: limits.maxAliasExpansion),
          "aliases expand to more than \(limits.maxAliasExpansion) nodes", at: range))
        throw Abort()
      }
      var node = target
      node.range = range
      return (node, weight)

    case .sequenceStart(let tag, let anchor, let start):
      try enter(depth: depth, at: start)
      checkCollectionTag(tag, expected: "tag:yaml.org,2002:seq", at: start)
      var items: [YAMLNode] = []
      var weight = 1
      while true {
        let event = try next()
        if case .collectionEnd(let end) = event {
          let node = YAMLNode(.sequence(items), range: SourceRange(start: start.start, end: end.end))
          remember(anchor, node, weight: weight)
          return (node, weight)
        }
        let (item, w) = try compose(event, depth: depth + 1)
        items.append(item)
        weight += w
      }

    case .mappingStart(let tag, let anchor, let start):
      try enter(depth: depth, at: start)
      checkCollectionTag(tag, expected: "tag:yaml.org,2002:map", at: start)
      var pairs: [YAMLPair] = []
      var merged: [YAMLPair] = []
      var keys = KeyIndex()
      var weight = 1
      while true {
        let event = try next()
        if case .collectionEnd(let end) = event {
          for pair in merged where keys.firstRange(of: pair.name, in: pairs) == nil {
            keys.add(pair.name, at: pairs.count)
            pairs.append(pair)
          }
          let node = YAMLNode(.mapping(pairs), range: SourceRange(start: start.start, end: end.end))
          remember(anchor, node, weight: weight)
          return (node, weight)
        }
        let (key, kw) = try compose(event, depth: depth + 1)
        let (value, vw) = try compose(try next(), depth: depth + 1)
        weight += kw + vw
        guard let keyScalar = key.scalar else {
          problems.append(YAMLProblem(.nonScalarKey, "mapping keys must be scalars", at: key.range))
          continue
        }
        if keyScalar.style == .plain && keyScalar.text == "<<" {
          merged.append(contentsOf: mergeSources(value))
          continue
        }
        if let first = keys.firstRange(of: keyScalar.text, in: pairs) {
          problems.append(YAMLProblem(
            .duplicateKey(keyScalar.text, first: first), "duplicate key '\(keyScalar.text)'", at: key.range))
          continue
        }
        keys.add(keyScalar.text, at: pairs.count)
        pairs.append(YAMLPair(key: key, value: value))
      }

    case .streamStart, .streamEnd, .documentStart, .documentEnd, .collectionEnd:
      throw Abort()
    }
  }

  /// Finds earlier keys of a mapping: by scanning while it is small, by hashing once it is large.
  private struct KeyIndex {
    private static let scanLimit = 16
    private var positions: [String: Int] = [:]
    private var count = 0

    mutating func add(_ name: String, at position: Int) {
      count += 1
      if count > Self.scanLimit { positions[name] = position }
    }

    func firstRange(of name: String, in pairs: [YAMLPair]) -> SourceRange? {
      if let position = positions[name] { return pairs[position].key.range }
      return pairs.prefix(Self.scanLimit).first { $0.name == name }?.key.range
    }
  }

  /// The pairs a merge key (`<<`) brings in: from one mapping, or from a sequence of them,
  /// earlier sources winning.
  private func mergeSources(_ value: YAMLNode) -> [YAMLPair] {
    switch value.content {
    case .mapping(let pairs):
      return pairs
    case .sequence(let items):
      var result: [YAMLPair] = []
      for item in items {
        guard let pairs = item.mapping else {
          problems.append(YAMLProblem(.badMerge, "a merge key (<<) takes a mapping or a list of mappings", at: item.range))
          continue
        }
        result.append(contentsOf: pairs)
      }
      return result
    case .scalar:
      problems.append(YAMLProblem(.badMerge, "a merge key (<<) takes a mapping or a list of mappings", at: value.range))
      return []
    }
  }

  private func enter(depth: Int, at range: SourceRange) throws(Abort) {
    if depth + 1 > limits.maxDepth {
      problems.append(YAMLProblem(.tooDeep(limit: limits.maxDepth), "nesting deeper than \(limits.maxDepth) levels", at: range))
      throw Abort()
    }
  }

  private func checkCollectionTag(_ tag: String?, expected: String, at range: SourceRange) {
    guard let tag, tag != expected, tag != "!" else { return }
    problems.append(YAMLProblem(.unsupportedTag(tag), "unsupported tag \(tag) on this value", at: range))
  }

  private func remember(_ anchor: String?, _ node: YAMLNode, weight: Int) {
    if let anchor { anchors[anchor] = (node, weight) }
  }

  // MARK: Events

  private func next() throws(Abort) -> Event {
    var event = yaml_event_t()
    guard yaml_parser_parse(&parser, &event) == 1 else {
      problems.append(syntaxProblem())
      throw Abort()
    }
    defer { yaml_event_delete(&event) }
    let range = SourceRange(start: Mark(event.start_mark), end: Mark(event.end_mark))
    switch event.type {
    case YAML_STREAM_START_EVENT: return .streamStart
    case YAML_STREAM_END_EVENT: return .streamEnd
    case YAML_DOCUMENT_START_EVENT: return .documentStart(range)
    case YAML_DOCUMENT_END_EVENT: return .documentEnd
    case YAML_ALIAS_EVENT:
      return .alias(Self.string(event.data.alias.anchor) ?? "", range)
    case YAML_SCALAR_EVENT:
      let s = event.data.scalar
      let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
      let style: YAMLScalar.Style =
        switch s.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
      let tag = s.plain_implicit == 1 && s.tag == nil ? nil : Self.string(s.tag)
      return .scalar(text, style, tag: tag, anchor: Self.string(s.anchor), range)
    case YAML_SEQUENCE_START_EVENT:
      let s = event.data.sequence_start
      return .sequenceStart(tag: Self.string(s.tag), anchor: Self.string(s.anchor), range)
    case YAML_MAPPING_START_EVENT:
      let m = event.data.mapping_start
      return .mappingStart(tag: Self.string(m.tag), anchor: Self.string(m.anchor), range)
    case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT: return .collectionEnd(range)
    default: throw Abort()
    }
  }

  private func syntaxProblem() -> YAMLProblem {
    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
    let mark: Mark =
      parser.error == YAML_READER_ERROR ? markOfByte(Int(parser.problem_offset)) : Mark(parser.problem_mark)
    let range = SourceRange(start: mark, end: Mark(line: mark.line, column: mark.column + 1))
    if isTab(at: mark) {
      return YAMLProblem(.tab, "a tab character where YAML expects spaces; indent with spaces", at: range)
    }
    var message = problem
    if let context = parser.context.map({ String(cString: $0) }) {
      message += " (\(context) at \(Mark(parser.context_mark)))"
    }
    return YAMLProblem(.syntax, message, at: range)
  }

  private func markOfByte(_ offset: Int) -> Mark {
    let prefix = bytes.prefix(min(max(offset, 0), bytes.count))
    let line = prefix.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    let lineStart = prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
    let column = String(decoding: prefix[lineStart...], as: UTF8.self).unicodeScalars.count + 1
    return Mark(line: line, column: column)
  }

  private func isTab(at mark: Mark) -> Bool {
    var line = 1
    var start = 0
    for (i, b) in bytes.enumerated() where line < mark.line && b == UInt8(ascii: "\n") {
      line += 1
      start = i + 1
    }
    guard line == mark.line else { return false }
    let rest = bytes[start...].prefix { $0 != UInt8(ascii: "\n") }
    let scalars = Array(String(decoding: rest, as: UTF8.self).unicodeScalars)
    let index = mark.column - 1
    if index >= 0, index < scalars.count, scalars[index] == "\t" { return true }
    return scalars.prefix { $0 == " " || $0 == "\t" }.contains("\t") && index <= scalars.prefix { $0 == " " || $0 == "\t" }.count
  }

  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
  }
}
