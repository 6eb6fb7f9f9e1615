import Foundation
import RunbookYAML

/// Walks a YAML tree into a `Runbook` of format v1, reporting every problem it meets.
final class RunbookLoader {
  static let topKeys = ["runbook", "name", "title", "description", "lock", "review", "params", "preconditions", "steps"]
  static let paramKeys = ["type", "description", "required", "default", "enum", "pattern", "secret", "env"]
  static let checkKeys = ["check", "with", "expect", "message", "unless", "within", "every"]
  static let stepKeys = [
    "id", "title", "description", "needs", "action", "with", "for_each", "as", "max_parallel", "when",
    "preconditions", "approval", "timeout", "retry", "verify", "idempotent", "skip_if", "undo", "on_failure",
    "on", "serial", "max_fail", "become",
  ]
  static let retryKeys = ["attempts", "delay", "backoff"]
  static let undoKeys = ["action", "with"]
  static let reviewKeys = ["approvals", "allowed_signers", "max_plan_age"]
  static let reservedNames: Set = ["params", "steps", "check", "run", "env", "true", "false", "null", "in"]

  private(set) var diagnostics: [Diagnostic] = []
  /// Top-level keys the runbook lacks but seems to have misspelled (`parms:` for `params`), or
  /// has in a shape that cannot be read (`params:` as a list): what refers to them is not
  /// reported again (docs/diagnostics.md, "Follow-on diagnostics").
  private(set) var misspelledSections: Set<String> = []
  /// Params declared in a shape that cannot be read (`n: 5`): their references are not reported.
  private(set) var unreadableParams: Set<String> = []
  let file: String
  let text: String
  let source: SourceText

  init(file: String, text: String) {
    self.file = file
    self.text = text
    self.source = SourceText(text)
  }

  private func report(_ d: Diagnostic) { diagnostics.append(d) }

  func load(_ parsed: YAMLParseResult) -> Runbook? {
    parsed.problems.forEach { report(.yaml($0)) }
    guard let root = parsed.root else {
      if parsed.problems.isEmpty { report(.emptyDocument()) }
      return nil
    }
    if root.isNull {
      report(.emptyDocument())
      return nil
    }
    guard let fields = fields(root, "the runbook", allowed: Self.topKeys) else { return nil }

    var version: Int64 = 1
    if let node = fields["runbook"] {
      if case .int(let v)? = node.scalar?.value, v == 1 {
        version = v
      } else {
        report(.unsupportedVersion(node.scalar?.text ?? node.kindDescription, at: node.range))
      }
    } else {
      report(.missingVersion(at: root.range.start == root.range.end ? root.range : SourceRange(start: root.range.start, end: Mark(line: root.range.start.line, column: root.range.start.column + 1))))
    }

    var name = Located("", at: root.range)
    if let node = fields["name"] {
      if let text = string(node, "name") {
        name = Located(text, at: node.range)
        if !Self.matches(text, first: Self.isLowerOrDigit, rest: Self.isNameByte) { report(.badName(text, at: node.range)) }
      }
    } else {
      report(.missingKey("name", in: "the runbook", at: keyStart(root)))
    }

    let params = fields["params"].map(params) ?? []
    let preconditions = fields["preconditions"].map { checks($0, "preconditions") } ?? []
    var steps: [Step] = []
    if let node = fields["steps"] {
      if let items = sequence(node, "steps") {
        if items.isEmpty { report(.noSteps(at: node.range)) }
        steps = items.compactMap(step)
      }
    } else {
      report(.missingKey("steps", in: "the runbook", at: keyStart(root)))
    }
    var seen: [String: SourceRange] = [:]
    for step in steps {
      if let first = seen[step.id.value] {
        report(.duplicateStepID(step.id.value, at: step.id.range, first: first))
      } else {
        seen[step.id.value] = step.id.range
      }
    }

    if let title = fields["title"], title.scalar?.text.contains("${{") == true {
      report(.expressionInRunbookTitle(at: title.range))
    }
    return Runbook(
      file: file, text: text, version: version, name: name,
      title: fields["title"].flatMap { string($0, "title") },
      description: fields["description"].flatMap { string($0, "description") },
      lock: fields["lock"].flatMap { template($0, "lock") },
      params: params, preconditions: preconditions, steps: steps, review: fields["review"].flatMap(review),
      maxPlanAge: fields["review"].flatMap(maxPlanAge))
  }

  /// `review: { max_plan_age: 2h }`: how old a plan file may be at apply.
  private func maxPlanAge(_ node: YAMLNode) -> RunbookDuration? {
    node.mapping?.first { $0.key.scalar?.text == "max_plan_age" }.flatMap { duration($0.value, "max_plan_age") }
  }

  /// `review: { approvals: N, allowed_signers: /abs/path }`: the signed approvals a run needs;
  /// none when the block sets only `max_plan_age`.
  private func review(_ node: YAMLNode) -> ReviewDemand? {
    guard let fields = fields(node, "review", allowed: Self.reviewKeys) else { return nil }
    if fields["approvals"] == nil, fields["allowed_signers"] == nil, fields["max_plan_age"] != nil { return nil }
    var approvals = 1
    if let n = fields["approvals"], let value = int(n, "approvals") {
      if value < 1 { report(.outOfRange("approvals", value, minimum: 1, at: n.range)) }
      approvals = Int(clamping: value)
    }
    guard let n = fields["allowed_signers"] else {
      report(.missingKey("allowed_signers", in: "review", at: keyStart(node)))
      return nil
    }
    guard let path = string(n, "allowed_signers") else { return nil }
    guard path.hasPrefix("/"), !path.contains("${{") else {
      report(.allowedSignersNotAbsolute(path, at: n.range))
      return nil
    }
    return ReviewDemand(allowedSigners: path, approvals: approvals, range: node.range)
  }

  // MARK: Params

  private func params(_ node: YAMLNode) -> [ParamSpec] {
    guard let pairs = mapping(node, "params") else {
      if !node.isNull { misspelledSections.insert("params") }
      return []
    }
    return pairs.compactMap { pair in
      let name = pair.name
      if !Self.matches(name, first: Self.isIdentifierStart, rest: { Self.isIdentifierByte($0) || $0 == UInt8(ascii: "-") }) {
        report(.badParamName(name, at: pair.key.range))
      }
      guard let fields = fields(pair.value, "param '\(name)'", allowed: Self.paramKeys) else {
        unreadableParams.insert(name)
        return nil
      }
      var type = ParamType.string
      if let node = fields["type"], let word = string(node, "type") {
        if let t = ParamType(rawValue: word) {
          type = t
        } else {
          report(.badChoice("type of param '\(name)'", word, allowed: ParamType.allCases.map(\.rawValue), at: node.range))
        }
      }
      var spec = ParamSpec(
        name: name, type: type, description: fields["description"].flatMap { string($0, "description") },
        required: fields["required"].flatMap { bool($0, "required") } ?? false, defaultValue: nil, allowed: nil,
        pattern: nil, secret: fields["secret"].flatMap { bool($0, "secret") } ?? false,
        env: fields["env"].flatMap { string($0, "env") }, range: pair.key.range, file: file)
      if let node = fields["default"] {
        switch type.convert(node) {
        case .success(let v): spec.defaultValue = v
        case .failure(let e): report(.paramDefaultType(name, type: type, problem: e.message, at: node.range))
        }
        if spec.required { report(.requiredWithDefault(name, at: fields.keyRange("default") ?? node.range)) }
        if spec.secret { report(.secretWithDefault(name, at: fields.keyRange("default") ?? node.range)) }
      }
      if let node = fields["enum"], let items = sequence(node, "enum") {
        spec.allowed = items.compactMap { item in
          switch type.convert(item) {
          case .success(let v): return v
          case .failure(let e):
            report(.paramDefaultType(name, type: type, problem: e.message, at: item.range))
            return nil
          }
        }
        if let d = spec.defaultValue, let allowed = spec.allowed, !allowed.contains(d), let node = fields["default"] {
          report(.notInEnum(spec, d.plainText, file: file, at: node.range))
        }
      }
      if let node = fields["pattern"], let pattern = string(node, "pattern") {
        do {
          _ = try NSRegularExpression(pattern: pattern)
          spec.pattern = pattern
          if let d = spec.defaultValue, let node = fields["default"], let bad = ParamBinder.firstMismatch(d, pattern: pattern) {
            report(.patternMismatch(spec, bad, file: file, at: node.range))
          }
        } catch {
          report(.badPattern(name, reason: "it does not compile", at: node.range))
        }
      }
      return spec
    }
  }

  // MARK: Steps

  private func step(_ node: YAMLNode) -> Step? {
    guard let fields = fields(node, "a step", allowed: Self.stepKeys) else { return nil }
    var id = Located("", at: node.range)
    if let idNode = fields["id"], let text = string(idNode, "id") {
      id = Located(text, at: idNode.range)
      if !Self.matches(text, first: Self.isStepIDByte, rest: Self.isStepIDByte) { report(.badStepID(text, at: idNode.range)) }
    } else if fields["id"] == nil {
      report(.missingKey("id", in: "a step", at: keyStart(node)))
    }
    let context = id.value.isEmpty ? "a step" : "step '\(id.value)'"
    guard let call = actionCall(fields, actionKey: "action", context: context, at: node) else { return nil }

    var needs: [Located<String>] = []
    if let n = fields["needs"] {
      if let s = n.scalar, s.value != .null {
        needs = [Located(s.text, at: n.range)]
      } else if let items = sequence(n, "needs") {
        needs = items.compactMap { item in string(item, "a needs entry").map { Located($0, at: item.range) } }
      }
    }
    let forEach = fields["for_each"].flatMap(forEachItems)
    var itemName = "item"
    if let n = fields["as"], let name = string(n, "as") {
      if forEach == nil { report(.requiresKey("as", because: "for_each", at: fields.keyRange("as")!)) }
      if Self.reservedNames.contains(name) {
        report(.reservedName(name, at: n.range))
      } else if !Self.matches(name, first: Self.isIdentifierStart, rest: Self.isIdentifierByte) {
        report(.badParamName(name, at: n.range))
      }
      itemName = name
    }
    var maxParallel: Int64?
    if let n = fields["max_parallel"], let value = int(n, "max_parallel") {
      if forEach == nil { report(.requiresKey("max_parallel", because: "for_each", at: fields.keyRange("max_parallel")!)) }
      if value < 1 { report(.outOfRange("max_parallel", value, minimum: 1, at: n.range)) }
      maxParallel = value
    }
    var onFailure = Step.OnFailure.stop
    if let n = fields["on_failure"], let word = string(n, "on_failure") {
      if let v = Step.OnFailure(rawValue: word) {
        onFailure = v
      } else {
        report(.badChoice("on_failure", word, allowed: Step.OnFailure.allCases.map(\.rawValue), at: n.range))
      }
    }
    let hosts = hostTargeting(fields, forEach: forEach)
    var undo: ActionCall?
    if let n = fields["undo"], let undoFields = self.fields(n, "undo", allowed: Self.undoKeys) {
      undo = actionCall(undoFields, actionKey: "action", context: "undo of \(context)", at: n)
    }
    return Step(
      id: id, title: fields["title"].flatMap { template($0, "title") },
      description: fields["description"].flatMap { string($0, "description") }, needs: needs, call: call,
      forEach: forEach, itemName: itemName, maxParallel: maxParallel, hosts: hosts,
      when: fields["when"].flatMap { condition($0, "when") },
      preconditions: fields["preconditions"].map { checks($0, "preconditions") } ?? [],
      approval: fields["approval"].flatMap { template($0, "approval") },
      timeout: fields["timeout"].flatMap { duration($0, "timeout") },
      retry: fields["retry"].flatMap(retry),
      verify: fields["verify"].map { checks($0, "verify") } ?? [],
      idempotent: fields["idempotent"].flatMap { bool($0, "idempotent") },
      skipIf: fields["skip_if"].map { checks($0, "skip_if") } ?? [], undo: undo, onFailure: onFailure,
      range: node.range)
  }

  /// `on:` with `serial:`, `max_fail:` and `become:`, which mean nothing without it.
  private func hostTargeting(_ fields: Fields, forEach: Template?) -> HostTargeting? {
    guard let onNode = fields["on"] else {
      for key in ["serial", "max_fail", "become"] where fields[key] != nil {
        report(.requiresKey(key, because: "on", at: fields.keyRange(key)!))
      }
      return nil
    }
    if forEach != nil { report(.hostsWithForEach(at: fields.keyRange("on")!)) }
    guard let on = onNode.sequence.map({ _ in hostNames(onNode) }) ?? template(onNode, "on") else { return nil }
    var targeting = HostTargeting(on: on)
    if let n = fields["serial"] {
      let sizes = n.sequence ?? [n]
      if sizes.isEmpty { report(.wrongKind("serial", expected: Self.batchSizeWords, found: n)) }
      targeting.serial = sizes.compactMap { batchSize($0, "serial", minimum: 1) }
    }
    if let n = fields["max_fail"], let size = batchSize(n, "max_fail", minimum: 0) { targeting.maxFail = size }
    if let n = fields["become"] { targeting.become = bool(n, "become") }
    return targeting
  }

  static let batchSizeWords = "a number of hosts or a percentage such as \"30%\""

  private func batchSize(_ node: YAMLNode, _ what: String, minimum: Int) -> BatchSize? {
    guard let scalar = node.scalar, scalar.value != .null, let size = BatchSize(scalar.text) else {
      report(.wrongKind(what, expected: Self.batchSizeWords, found: node))
      return nil
    }
    if case .count(let count) = size, count < minimum {
      report(.outOfRange(what, Int64(count), minimum: Int64(minimum), at: node.range))
      return nil
    }
    return size
  }

  /// `on: [node1, etcd]`: a literal list of host and group names.
  private func hostNames(_ node: YAMLNode) -> Template {
    var names: [Value] = []
    for item in node.sequence ?? [] {
      guard let s = item.scalar, s.value != .null else {
        report(.wrongKind("an 'on' entry", expected: "a host or group name", found: item))
        continue
      }
      names.append(.string(s.text))
    }
    return .constant(.list(names), node: node)
  }

  /// `for_each:` is an expression giving a list, or a literal list of scalars.
  private func forEachItems(_ node: YAMLNode) -> Template? {
    guard let items = node.sequence else { return template(node, "for_each") }
    var values: [Value] = []
    for item in items {
      guard let s = item.scalar else {
        report(.wrongKind("a for_each item", expected: "a scalar", found: item))
        continue
      }
      values.append(Self.value(s.value))
    }
    return .constant(.list(values), node: node)
  }

  private func retry(_ node: YAMLNode) -> RetryPolicy? {
    guard let fields = fields(node, "retry", allowed: Self.retryKeys) else { return nil }
    var policy = RetryPolicy(attempts: 3, delay: RunbookDuration("1s")!, backoff: 1)
    if let n = fields["attempts"], let v = int(n, "attempts") {
      if v < 1 { report(.outOfRange("attempts", v, minimum: 1, at: n.range)) }
      policy.attempts = v
    }
    if let n = fields["delay"], let d = duration(n, "delay") { policy.delay = d }
    if let n = fields["backoff"] {
      switch n.scalar?.value {
      case .int(let i)?:
        policy.backoff = Double(i)
        if i < 1 { report(.outOfRange("backoff", i, minimum: 1, at: n.range)) }
      case .float(let d)? where d >= 1 && d.isFinite: policy.backoff = d
      default: report(.wrongKind("backoff", expected: "a number of at least 1", found: n))
      }
    }
    return policy
  }

  // MARK: Checks and actions

  private func checks(_ node: YAMLNode, _ what: String) -> [CheckSpec] {
    guard let items = sequence(node, what) else { return [] }
    return items.compactMap { item in
      guard let fields = fields(item, "a check under \(what)", allowed: Self.checkKeys) else { return nil }
      let call: ActionCall
      if fields["check"] == nil, let expect = fields["expect"], fields["with"] == nil {
        // `- expect: ${{ ... }}` alone: an expression-only check.
        call = ActionCall(action: Located(CheckSpec.expressionOnlyAction, at: expect.range), with: [], range: expect.range)
      } else {
        guard let named = actionCall(fields, actionKey: "check", context: "a check under \(what)", at: item) else { return nil }
        call = named
      }
      let within = fields["within"].flatMap { duration($0, "within") }
      let every = fields["every"].flatMap { duration($0, "every") }
      if every != nil, within == nil { report(.requiresKey("every", because: "within", at: fields.keyRange("every")!)) }
      return CheckSpec(
        call: call, expect: fields["expect"].flatMap { condition($0, "expect") },
        message: fields["message"].flatMap { template($0, "message") },
        unless: fields["unless"].flatMap { condition($0, "unless") }, within: within, every: every, range: item.range)
    }
  }

  private func actionCall(_ fields: Fields, actionKey: String, context: String, at node: YAMLNode) -> ActionCall? {
    guard let actionNode = fields[actionKey] else {
      report(.missingKey(actionKey, in: context, at: keyStart(node)))
      return nil
    }
    guard let name = string(actionNode, actionKey) else { return nil }
    var entries: [InputEntry] = []
    var withRange = actionNode.range
    if let withNode = fields["with"], !withNode.isNull {
      withRange = withNode.range
      if let pairs = mapping(withNode, "with") {
        entries = pairs.map { InputEntry(name: $0.name, keyRange: $0.key.range, value: inputValue($0.value)) }
      }
    }
    return ActionCall(action: Located(name, at: actionNode.range), with: entries, range: withRange)
  }

  private func inputValue(_ node: YAMLNode) -> InputValue {
    switch node.content {
    case .scalar(let s):
      if case .string(let text) = s.value, let t = template(node, "a value", text: text) { return .template(t) }
      return .literal(Self.value(s.value), node.range)
    case .sequence(let items):
      return .list(items.map(inputValue), node.range)
    case .mapping(let pairs):
      return .map(pairs.map { InputEntry(name: $0.name, keyRange: $0.key.range, value: inputValue($0.value)) }, node.range)
    }
  }

  static func value(_ scalar: ScalarValue) -> Value {
    switch scalar {
    case .null: .null
    case .bool(let b): .bool(b)
    case .int(let i): .int(i)
    case .float(let d): .decimal(d)
    case .string(let s): .string(s)
    }
  }

  // MARK: Scalars

  private func template(_ node: YAMLNode, _ what: String, text: String? = nil) -> Template? {
    guard let raw = text ?? string(node, what) else { return nil }
    do {
      return try Template.parse(raw, node: node)
    } catch {
      let placeholder = Template(parts: [], raw: raw, node: node)
      let range = placeholder.range(of: error.span, in: source)
      report(error.unterminated ? .unterminatedExpression(at: range) : .expressionSyntax(error.message, at: range))
      return nil
    }
  }

  private func condition(_ node: YAMLNode, _ what: String) -> Template? {
    if case .bool(let b)? = node.scalar?.value { return .constant(.bool(b), node: node) }
    guard let t = template(node, what) else { return nil }
    if !t.isSingleExpression {
      report(.notACondition(what, at: node.range))
      return nil
    }
    return t
  }

  private func string(_ node: YAMLNode, _ what: String) -> String? {
    guard let s = node.scalar, s.value != .null else {
      report(.wrongKind(what, expected: "a string", found: node))
      return nil
    }
    return s.text
  }

  private func bool(_ node: YAMLNode, _ what: String) -> Bool? {
    if case .bool(let b)? = node.scalar?.value { return b }
    report(.wrongKind(what, expected: "true or false", found: node))
    return nil
  }

  private func int(_ node: YAMLNode, _ what: String) -> Int64? {
    if case .int(let i)? = node.scalar?.value { return i }
    report(.wrongKind(what, expected: "an integer", found: node))
    return nil
  }

  private func duration(_ node: YAMLNode, _ what: String) -> RunbookDuration? {
    guard let s = node.scalar, s.value != .null else {
      report(.wrongKind(what, expected: "a duration", found: node))
      return nil
    }
    guard let d = RunbookDuration(s.text) else {
      report(.badDuration(s.text, at: node.range))
      return nil
    }
    return d
  }

  private func sequence(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
    if node.isNull { return [] }
    guard let items = node.sequence else {
      report(.wrongKind(what, expected: "a list", found: node))
      return nil
    }
    return items
  }

  private func mapping(_ node: YAMLNode, _ what: String) -> [YAMLPair]? {
    if node.isNull { return [] }
    guard let pairs = node.mapping else {
      report(.wrongKind(what, expected: "a mapping", found: node))
      return nil
    }
    return pairs
  }

  /// The pairs of a mapping by key, with unknown keys reported.
  private func fields(_ node: YAMLNode, _ what: String, allowed: [String]) -> Fields? {
    guard let pairs = node.mapping else {
      report(.wrongKind(what, expected: "a mapping", found: node))
      return nil
    }
    var result = Fields()
    for pair in pairs {
      if allowed.contains(pair.name) {
        result.pairs[pair.name] = pair
      } else {
        let suggestion = Suggestion.closest(to: pair.name, in: allowed)
        if what == "the runbook", let suggestion, !pairs.contains(where: { $0.name == suggestion }) { misspelledSections.insert(suggestion) }
        report(.unknownKey(pair.name, in: what, at: pair.key.range, suggestion: suggestion))
      }
    }
    return result
  }

  /// Where a missing key is reported: the mapping's first key.
  private func keyStart(_ node: YAMLNode) -> SourceRange {
    node.mapping?.first?.key.range ?? node.range
  }

  struct Fields {
    var pairs: [String: YAMLPair] = [:]
    subscript(key: String) -> YAMLNode? { pairs[key]?.value }
    func keyRange(_ key: String) -> SourceRange? { pairs[key]?.key.range }
  }

  // MARK: Names

  static func isLowerOrDigit(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || isDigit(byte)
  }
  static func isLetter(_ byte: UInt8) -> Bool {
    (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
  }
  static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
  /// `[a-z0-9-]`: runbook names.
  static func isNameByte(_ byte: UInt8) -> Bool { isLowerOrDigit(byte) || byte == UInt8(ascii: "-") }
  /// `[a-z0-9_-]`: step ids.
  static func isStepIDByte(_ byte: UInt8) -> Bool { isNameByte(byte) || byte == UInt8(ascii: "_") }
  /// `[A-Za-z_]`: the first byte of a param or `as` name.
  static func isIdentifierStart(_ byte: UInt8) -> Bool { isLetter(byte) || byte == UInt8(ascii: "_") }
  /// `[A-Za-z0-9_]`.
  static func isIdentifierByte(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

  /// Whether `text` is non-empty, starts with a byte `first` accepts and goes on with bytes `rest` accepts.
  static func matches(_ text: String, first: (UInt8) -> Bool, rest: (UInt8) -> Bool) -> Bool {
    guard let head = text.utf8.first, first(head) else { return false }
    return text.utf8.dropFirst().allSatisfy(rest)
  }
}
