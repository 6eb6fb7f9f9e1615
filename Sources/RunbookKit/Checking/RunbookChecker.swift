import RunbookYAML

/// The checks that need the whole runbook: actions and their inputs, and every reference in
/// every expression (names, params, ancestor steps, declared outputs, functions).
struct RunbookChecker {
  let runbook: Runbook
  let graph: StepGraph
  let registry: ActionRegistry
  let source: SourceText
  /// Top-level sections the loader found misspelled or unreadable, and params it could not
  /// read: their references are not reported.
  let misspelledSections: Set<String>
  let unreadableParams: Set<String>
  private(set) var diagnostics: [Diagnostic] = []
  /// Diagnostics left out because they follow from an earlier one: a reference to a param when
  /// `params:` itself is misspelled, a non-ancestor read in a step whose `needs` has a typo.
  private(set) var suppressed = 0

  /// Steps with a misspelled `needs`, and the steps after them: their ancestors are not known.
  private let behindUnresolvedNeeds: Set<String>

  init(
    runbook: Runbook, graph: StepGraph, registry: ActionRegistry, source: SourceText, misspelledSections: Set<String>,
    unreadableParams: Set<String>
  ) {
    self.unreadableParams = unreadableParams
    self.runbook = runbook
    self.graph = graph
    behindUnresolvedNeeds = graph.unresolvedNeeds.reduce(into: graph.unresolvedNeeds) { $0.formUnion(graph.descendants(of: $1)) }
    self.registry = registry
    self.source = source
    self.misspelledSections = misspelledSections
  }

  static let runFields = ["id", "started"]
  static let stepFields = ["outputs", "status"]
  /// What a step on hosts adds: the hosts it is done on.
  static let hostStepFields = stepFields + ["hosts"]
  static let hostFields = ["name", "vars", "groups"]

  mutating func check() -> [Diagnostic] {
    let runLevel = ReferenceScope(step: nil, stepsVisible: false)
    if let lock = runbook.lock { check(lock, runLevel) }
    for spec in runbook.preconditions { check(spec, runLevel) }
    for step in runbook.steps {
      let base = ReferenceScope(step: step.name, stepsVisible: true)
      var perItem = base
      if step.forEach != nil { perItem.itemName = step.itemName }
      perItem.onHost = step.hosts != nil
      var afterwards = perItem
      afterwards.includesSelf = true

      if let forEach = step.forEach { check(forEach, base) }
      if let on = step.hosts?.on { check(on, base) }
      if let when = step.when { check(when, base) }
      if let title = step.title { check(title, perItem) }
      // A loop's approval is asked once, before its first iteration: it cannot read the item.
      if let approval = step.approval { check(approval, base) }
      if let descriptor = action(step.call, asCheck: false) { inputs(step.call, descriptor, perItem) }
      for spec in step.preconditions + step.skipIf { check(spec, perItem) }
      for spec in step.verify { check(spec, afterwards) }
      if let undo = step.undo, let descriptor = action(undo, asCheck: false) { inputs(undo, descriptor, afterwards) }
    }
    return diagnostics
  }

  // MARK: Actions

  private mutating func check(_ spec: CheckSpec, _ scope: ReferenceScope) {
    let descriptor = action(spec.call, asCheck: true)
    if let descriptor { inputs(spec.call, descriptor, scope) }
    if let unless = spec.unless { check(unless, scope) }
    let expressionOnly = spec.call.action.value == CheckSpec.expressionOnlyAction && spec.call.with.isEmpty
    let inside = scope.inCheck(expressionOnly ? .nothing : descriptor.map { .outputs(action: $0.name, $0.outputs.map(\.name)) } ?? .any)
    if let expect = spec.expect { check(expect, inside) }
    if let message = spec.message { check(message, inside) }
  }

  private mutating func action(_ call: ActionCall, asCheck: Bool) -> ActionDescriptor? {
    guard let descriptor = registry[call.action.value] else {
      diagnostics.append(.unknownAction(call.action.value, known: registry.names, at: call.action.range))
      return nil
    }
    if asCheck, descriptor.effect != .readOnly {
      diagnostics.append(.checkNotReadOnly(descriptor.name, effect: descriptor.effect, at: call.action.range))
    }
    return descriptor
  }

  private mutating func inputs(_ call: ActionCall, _ descriptor: ActionDescriptor, _ scope: ReferenceScope) {
    let given = Set(call.with.map(\.name))
    for entry in call.with {
      guard let spec = descriptor.input(entry.name) else {
        diagnostics.append(.unknownInput(entry.name, action: descriptor.name, known: descriptor.inputs.map(\.name), at: entry.keyRange))
        continue
      }
      if let problem = InputTypeCheck.problem(entry.value, spec.type) {
        diagnostics.append(.inputType(entry.name, action: descriptor.name, expected: problem.expected, found: problem.found, at: entry.value.range))
      }
      if spec.type == .check, case .template(let name) = entry.value, !name.hasExpressions {
        // Polled by the action itself: held to what a check's action is held to.
        if let checked = registry[name.raw] {
          if checked.effect != .readOnly { diagnostics.append(.checkNotReadOnly(checked.name, effect: checked.effect, at: entry.value.range)) }
        } else {
          diagnostics.append(.unknownAction(name.raw, known: registry.names, at: entry.value.range))
        }
      }
      let inner = spec.type == .expression ? scope.inCheck(.any) : scope
      for template in entry.value.templates { check(template, inner) }
      if spec.type == .script, case .template(let script) = entry.value { shellValues(script) }
      if spec.isPublic { secretsExposed(in: entry.value, input: entry.name, action: descriptor.name) }
      if spec.type == .environment, case .map(let variables, _) = entry.value {
        for variable in variables where !InputType.isEnvironmentName(variable.name) {
          diagnostics.append(.environmentName(variable.name, at: variable.keyRange))
        }
      }
    }
    for spec in descriptor.inputs where spec.required && !given.contains(spec.name) {
      diagnostics.append(.missingInput(spec, action: descriptor.name, at: call.range))
    }
  }

  /// No secret param reaches an input every local user can read.
  private mutating func secretsExposed(in value: InputValue, input: String, action: String) {
    let secrets = Set(runbook.params.filter(\.secret).map(\.name))
    guard !secrets.isEmpty else { return }
    for template in value.templates {
      for (expression, span) in zip(template.expressions, template.placeholders) {
        if let secret = expression.paramReferences.first(where: secrets.contains) {
          diagnostics.append(.secretInPublicInput(secret, input: input, action: action, at: template.range(of: span, in: source)))
        }
      }
    }
  }

  /// Every value of a script stands where a reference reads it back literally.
  private mutating func shellValues(_ script: Template) {
    for (span, site) in zip(script.placeholders, ShellScriptBinding.sites(of: script)) {
      if let refusal = site.refusal {
        diagnostics.append(.shellValueContext(refusal, at: script.range(of: span, in: source)))
      }
    }
  }

  // MARK: References

  private mutating func check(_ template: Template, _ scope: ReferenceScope) {
    for expression in template.expressions { visit(expression, template, scope) }
  }

  private mutating func visit(_ e: Expression, _ t: Template, _ scope: ReferenceScope) {
    if let path = e.referencePath {
      reference(path, t, scope)
      if case .index(let base, let index, _) = e, base.referencePath == nil { visit(index, t, scope) }
      return
    }
    switch e {
    case .literal, .name:
      break
    case .member(let base, _, _):
      visit(base, t, scope)
    case .index(let base, let index, _):
      visit(base, t, scope)
      visit(index, t, scope)
    case .call(let name, let arguments, let span):
      if let arity = Functions.arities[name] {
        if !arity.contains(arguments.count) {
          diagnostics.append(.wrongArgumentCount(name, expected: Functions.describe(arity), found: arguments.count, at: t.range(of: span, in: source)))
        } else if name == "object", arguments.count % 2 == 1 {
          diagnostics.append(.wrongArgumentCount(name, expected: "keys and values in pairs", found: arguments.count, at: t.range(of: span, in: source)))
        }
      } else {
        diagnostics.append(.unknownFunction(name, known: Functions.arities.keys.sorted(), at: t.range(of: span, in: source)))
      }
      arguments.forEach { visit($0, t, scope) }
    case .unary(_, let operand, _):
      visit(operand, t, scope)
    case .binary(_, let lhs, let rhs, _):
      visit(lhs, t, scope)
      visit(rhs, t, scope)
    case .list(let items, _):
      items.forEach { visit($0, t, scope) }
    }
  }

  private mutating func reference(
    _ path: (root: String, rootSpan: Expression.Span, segments: [(name: String, span: Expression.Span)]),
    _ t: Template, _ scope: ReferenceScope
  ) {
    func at(_ span: Expression.Span) -> SourceRange { t.range(of: span, in: source) }
    let segments = path.segments
    switch path.root {
    case "params":
      guard let first = segments.first else { return }
      if runbook.param(first.name) == nil, misspelledSections.contains("params") || unreadableParams.contains(first.name) {
        suppressed += 1
      } else if runbook.param(first.name) == nil {
        diagnostics.append(.unknownParamReference(first.name, known: runbook.params.map(\.name), at: at(first.span)))
      }
    case "steps" where scope.stepsVisible:
      guard let first = segments.first else { return }
      guard let step = runbook.step(first.name) else {
        diagnostics.append(.unknownStepReference(first.name, known: graph.ids, at: at(first.span)))
        return
      }
      let isSelf = first.name == scope.step
      if !(isSelf && scope.includesSelf), scope.step.map({ !graph.isAncestor(first.name, of: $0) }) ?? true {
        // Behind a misspelled `needs`, the read step may well be meant as an ancestor; one that
        // comes after the reader never can be, and is reported.
        if let step = scope.step, behindUnresolvedNeeds.contains(step), !graph.descendants(of: step).contains(first.name) {
          suppressed += 1
        } else {
          diagnostics.append(.notAnAncestor(first.name, from: scope.step, at: at(first.span)))
        }
        return
      }
      guard segments.count > 1 else { return }
      let field = segments[1]
      let fields = step.hosts == nil ? Self.stepFields : Self.hostStepFields
      guard fields.contains(field.name) else {
        diagnostics.append(.unknownField(field.name, of: "step '\(first.name)'", allowed: fields, at: at(field.span)))
        return
      }
      if field.name == "outputs", segments.count > 2, let descriptor = registry[step.call.action.value] {
        let output = segments[2]
        let declared = descriptor.outputs.map(\.name)
        if !declared.contains(output.name) {
          diagnostics.append(.undeclaredOutput(output.name, step: first.name, action: descriptor.name, declared: declared, at: at(output.span)))
        }
      }
    case "check":
      switch scope.check {
      case .none:
        diagnostics.append(.checkOutsideCheck(at: at(path.rootSpan)))
      case .outputs(let action, let outputs):
        if let first = segments.first, !outputs.contains(first.name) {
          diagnostics.append(.unknownField(first.name, of: "check '\(action)'", allowed: outputs, at: at(first.span)))
        }
      case .nothing:
        if let first = segments.first {
          diagnostics.append(.unknownField(first.name, of: "an expression-only check (written without `check:`)", allowed: [], at: at(first.span)))
        }
      case .any:
        break
      }
    case "run":
      if let first = segments.first, !Self.runFields.contains(first.name) {
        diagnostics.append(.unknownField(first.name, of: "run", allowed: Self.runFields, at: at(first.span)))
      }
    case "env":
      break
    case "host" where scope.onHost:
      if let first = segments.first, !Self.hostFields.contains(first.name) {
        diagnostics.append(.unknownField(first.name, of: "host", allowed: Self.hostFields, at: at(first.span)))
      }
    case let name where name == scope.itemName:
      break
    default:
      diagnostics.append(.unknownName(path.root, allowed: scope.names, at: at(path.rootSpan)))
    }
  }
}
