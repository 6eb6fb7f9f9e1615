import Foundation

extension Executor {
  /// Why a check did not hold, for the operator.
  enum CheckResult {
    case holds
    /// Its `unless` was true, or a probe cannot read it (why): a precondition or verify is
    /// waived, a `skip_if` does not count the step as done.
    case notChecked(String)
    /// It ran and does not hold, or its action failed.
    case failure(String)
    /// It cannot be evaluated: an input or its `expect` fails to evaluate, which no waiting
    /// mends; a guard that cannot be read never lets a step run.
    case broken(String)

    /// Why a precondition or verify stops here, or nil when it lets the run go on.
    var stopReason: String? {
      switch self {
      case .holds, .notChecked: nil
      case .failure(let message), .broken(let message): message
      }
    }
  }

  /// What a check guards, as its `check.evaluated` event names it.
  enum CheckRole: String {
    case runPrecondition = "run precondition"
    case precondition
    case skipIf = "skip_if"
    case verify
  }

  /// Run-level preconditions, before the first step, sharing their reads; the first that
  /// fails, or nil. A probe evaluates every one, to show each.
  func runPreconditions() async -> String? {
    let context = evaluationContext()
    let shared = SharedCheckResults()
    var first: String?
    for (index, check) in runbook.preconditions.enumerated() {
      if let reason = await poll(check, context, as: .runPrecondition, of: nil, index: index, shared: shared).stopReason {
        first = first ?? reason
        if !isProbing { break }
      }
    }
    return first
  }

  /// Runs a check's read-only action (once for the checks that share `shared`) and evaluates
  /// its `expect` with `check.*` bound.
  /// A `fresh` read replaces the shared one.
  private func evaluateCheck(_ spec: CheckSpec, _ context: EvaluationContext, shared: SharedCheckResults, fresh: Bool) async -> CheckResult {
    guard let descriptor = registry[spec.call.action.value] else { return .failure("unknown action \(spec.call.action.value)") }
    guard descriptor.effect == .readOnly else { return .failure("\(descriptor.name) is not read-only and cannot be a check") }
    if isProbing, !descriptor.probes { return .notChecked(Self.waitsToProbe(descriptor.name)) }
    let outputs: [String: Value]
    do {
      let input = try descriptor.resolve(spec.call, in: context).input
      if isProbing, input.values.values.contains(where: \.containsUnknown) || input.bindings.values.contains(where: \.containsUnknown) {
        return .notChecked(Self.unknownToProbe)
      }
      let checkContext = makeActionContext(key: StepKey(step: "check"), context: context) { _ in }
      let read: @Sendable () async throws -> ActionResult = { try await Self.asActionError { try await self.invoke(descriptor, input, checkContext) } }
      outputs = try await shared.result(action: descriptor.name, input: input, fresh: fresh, run: read).outputs
    } catch let error as InputResolutionError {
      return .broken(mask("\(descriptor.name): \(error.error.message)"))
    } catch let error as ActionError {
      return .failure(mask("\(descriptor.name): \(error.message)"))
    } catch {
      return .failure(mask("\(descriptor.name): \(error)"))
    }
    let inCheck = context.binding("check", to: .map(outputs))
    if let expect = spec.expect {
      if isProbing, (try? Evaluator.evaluate(expect, in: inCheck))?.containsUnknown == true { return .notChecked(Self.unknownToProbe) }
      switch evaluateCondition(expect, inCheck) {
      case .failure(let error): return .broken(error.message)
      case .success(false):
        let message = spec.message.flatMap { try? Evaluator.evaluate($0, in: inCheck).plainText } ?? "\(expect.raw) is false"
        return .failure(mask(message))
      case .success(true): break
      }
    }
    return .holds
  }

  /// A step's verify checks, each polled as `poll` does, sharing their first reads.
  func verify(_ step: Step, _ context: EvaluationContext, of record: StepRecord) async -> CheckResult {
    let shared = SharedCheckResults()
    for (index, check) in step.verify.enumerated() {
      if let reason = await poll(check, context, as: .verify, of: record, index: index, shared: shared).stopReason { return .failure(reason) }
    }
    return .holds
  }

  /// A check with `within` polled every `every` (default 1s) until it holds or `within` passes;
  /// without `within`, tried once; `unless` true means it is not checked at all. The same for
  /// preconditions, `skip_if` and `verify`, as the plan says ("polled until it holds, within
  /// X"). Its result is reported as a `check.evaluated` event of the step in `record`, the
  /// `index`th of its role there. Its first evaluation reads through `shared`; polling again
  /// reads afresh. A probe evaluates it once: it reports how things stand now.
  func poll(_ check: CheckSpec, _ context: EvaluationContext, as role: CheckRole, of record: StepRecord?, index: Int, shared: SharedCheckResults) async -> CheckResult {
    func report(_ status: ProbeReport.Status, _ detail: String? = nil) {
      let action = check.call.action.value
      let expressionOnly = action == CheckSpec.expressionOnlyAction && check.call.with.isEmpty
      let what = check.expect.map { expressionOnly ? $0.raw : "\(action): \($0.raw)" } ?? "\(action) succeeds"
      observer.observe(RunEvent(
        .checkEvaluated, runID: runID, step: record?.step, iteration: record?.iteration, host: record?.host, item: record?.itemLabel,
        check: role.rawValue, status: status.rawValue, message: mask(what + (detail.map { " — \($0)" } ?? ""))))
      probeLog?.record(.init(step: record?.step, iteration: record?.iteration, host: record?.host, role: role.rawValue, index: index), .init(status: status, message: detail.map { mask($0) }))
    }
    if let unless = check.unless {
      switch evaluateCondition(unless, context) {
      case .success(true):
        report(.notChecked, "unless \(unless.raw)")
        return .notChecked("unless \(unless.raw)")
      case .success(false): break
      case .failure where isProbing && (try? Evaluator.evaluate(unless, in: context))?.containsUnknown == true:
        report(.notChecked, Self.unknownToProbe)
        return .notChecked(Self.unknownToProbe)
      case .failure(let error):
        // An override that cannot be read is not an override that is off.
        report(.broken, "unless: \(error.message)")
        return .broken("unless: \(error.message)")
      }
    }
    let started = ContinuousClock.now
    let within = check.within?.duration ?? .zero
    let every = check.every?.duration ?? .seconds(1)
    let reads = probeReads ?? shared
    var fresh = false
    while true {
      let result = await evaluateCheck(check, context, shared: reads, fresh: fresh)
      fresh = true
      if case .broken(let message) = result {
        report(.broken, message)
        return result
      }
      if case .notChecked(let why) = result {
        report(.notChecked, why)
        return result
      }
      guard case .failure(let message) = result else {
        report(.held)
        return result
      }
      if isProbing {
        let failure = message + (check.within.map { " now (apply waits up to \($0.text))" } ?? "")
        report(.notHeld, failure)
        return .failure(failure)
      }
      if interruption.isInterrupted || ContinuousClock.now - started + every > within {
        let failure = message + (check.within.map { " within \($0.text)" } ?? "")
        report(.notHeld, failure)
        return .failure(failure)
      }
      try? await Task.sleep(for: every)
    }
  }

  /// A `when`, `unless` or `expect` as a boolean; anything but a bool is an error.
  func evaluateCondition(_ template: Template, _ context: EvaluationContext) -> Result<Bool, ConditionError> {
    do {
      switch try Evaluator.evaluate(template, in: context) {
      case .bool(let value): return .success(value)
      case let other: return .failure(ConditionError(message: "\(template.raw) gave \(other.typeName), not true or false"))
      }
    } catch {
      return .failure(ConditionError(message: mask("\(template.raw): \(error.message)")))
    }
  }
}

/// A condition that could not be evaluated to a boolean.
struct ConditionError: Error {
  var message: String
}
