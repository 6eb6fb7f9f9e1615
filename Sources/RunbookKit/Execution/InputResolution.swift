import RunbookYAML

/// An expression under `with:` that could not be evaluated, with the template it stands in.
public struct InputResolutionError: Error, Sendable {
  public var error: EvaluationError
  public var template: Template
}

extension ActionDescriptor {
  /// The inputs of `call` evaluated in `context`, with defaults applied; `given` lists the
  /// inputs written in the runbook, in order, as a plan shows them. A `script` input is bound
  /// through `ShellScriptBinding`, never spliced.
  public func resolve(_ call: ActionCall, in context: EvaluationContext) throws(InputResolutionError) -> (input: ResolvedInput, given: [(name: String, value: Value)]) {
    var given: [(name: String, value: Value)] = []
    var values: [String: Value] = [:]
    var bindings: [String: Value] = [:]
    for spec in inputs { if let value = spec.defaultValue { values[spec.name] = value } }
    for entry in call.with {
      let value: Value
      switch (input(entry.name)?.type, entry.value) {
      case (.expression?, .template(let template)):
        value = .string(template.raw)
      case (.script?, .template(let template)):
        do {
          let bound = try ShellScriptBinding.render(template) { expression throws(EvaluationError) in
            try Evaluator.evaluate(expression, in: context)
          }
          for (name, bindingValue) in bound.bindings { bindings[name] = bindingValue }
          value = .string(bound.script)
        } catch {
          throw InputResolutionError(error: error, template: template)
        }
      default:
        value = try Self.evaluate(entry.value, in: context)
      }
      if value.containsNUL || bindings.values.contains(where: \.containsNUL) {
        throw InputResolutionError(
          error: EvaluationError("input '\(entry.name)' holds a NUL character, which would cut it short; NUL is refused in every value", at: .init(start: 0, length: 1)),
          template: entry.value.templates.first ?? Template(parts: [], raw: "", node: YAMLNode(.scalar(YAMLScalar(text: "", style: .plain, value: .null)), range: entry.value.range)))
      }
      given.append((entry.name, value))
      values[entry.name] = value
    }
    return (ResolvedInput(values, bindings: bindings, durations: try typed(&values, given: call)), given)
  }

  /// Checks every typed input's value once, as resolved, and parses the durations: a value an
  /// expression produced at run time is held to the type its literal would be (`timeout: soon`
  /// fails the step, it is not "no timeout"). Unknown values (in a plan) are left as they are.
  private func typed(_ values: inout [String: Value], given call: ActionCall) throws(InputResolutionError) -> [String: RunbookDuration] {
    switch Self.checkTypes(&values, inputs: inputs) {
    case .success(let durations):
      return durations
    case .failure(let mismatch):
      let template = call.with.first { $0.name == mismatch.input }?.value.templates.first
        ?? Template(parts: [], raw: "", node: YAMLNode(.scalar(YAMLScalar(text: "", style: .plain, value: .null)), range: call.range))
      throw InputResolutionError(error: EvaluationError(mismatch.message(action: name), at: .init(start: 0, length: 1)), template: template)
    }
  }

  /// A typed input whose value does not fit its type.
  public struct TypeMismatch: Error, Sendable {
    public var input: String
    public var value: Value
    public var expected: String

    public func message(action: String) -> String {
      "input '\(input)' of \(action) is \(Diagnostic.quoted(value.plainText)), not \(expected)"
    }
  }

  /// Inputs given as values (by `wait` for its check, or a test harness), resolved as a
  /// runbook's are: defaults applied, types checked, durations parsed.
  public func resolved(_ given: [String: Value]) throws(TypeMismatch) -> ResolvedInput {
    var values = given
    for spec in inputs where values[spec.name] == nil { if let value = spec.defaultValue { values[spec.name] = value } }
    let durations = try Self.checkTypes(&values, inputs: inputs).get()
    return ResolvedInput(values, durations: durations)
  }

  /// The typed inputs of `values` checked against `inputs`, ints and bools normalised, and the
  /// durations parsed.
  public static func checkTypes(_ values: inout [String: Value], inputs: [InputSpec]) -> Result<[String: RunbookDuration], TypeMismatch> {
    var durations: [String: RunbookDuration] = [:]
    for spec in inputs {
      guard let value = values[spec.name], !value.containsUnknown, value != .null else { continue }
      var expected: String?
      switch spec.type {
      case .duration:
        if let duration = RunbookDuration(value.plainText) { durations[spec.name] = duration } else { expected = "a duration such as 30s, 5m or 1h30m" }
      case .int:
        if case .int = value {} else if let number = Int64(value.plainText) { values[spec.name] = .int(number) } else { expected = "an integer" }
      case .bool:
        if case .bool = value {} else if ["true", "false"].contains(value.plainText) { values[spec.name] = .bool(value.plainText == "true") } else { expected = "true or false" }
      case .choice(let words):
        if !words.contains(value.plainText) { expected = "one of \(words.joined(separator: ", "))" }
      default:
        break
      }
      if let expected { return .failure(TypeMismatch(input: spec.name, value: value, expected: expected)) }
    }
    return .success(durations)
  }

  /// A value under `with:`, lists and mappings evaluated item by item.
  public static func evaluate(_ value: InputValue, in context: EvaluationContext) throws(InputResolutionError) -> Value {
    switch value {
    case .literal(let v, _): return v
    case .template(let template): return try evaluate(template, in: context)
    case .list(let items, _):
      var result: [Value] = []
      for item in items { result.append(try evaluate(item, in: context)) }
      return .list(result)
    case .map(let entries, _):
      var result: [String: Value] = [:]
      for entry in entries where result[entry.name] == nil { result[entry.name] = try evaluate(entry.value, in: context) }
      return .map(result)
    }
  }

  /// A template evaluated in `context`, its failure located.
  public static func evaluate(_ template: Template, in context: EvaluationContext) throws(InputResolutionError) -> Value {
    do {
      return try Evaluator.evaluate(template, in: context)
    } catch {
      throw InputResolutionError(error: error, template: template)
    }
  }
}
