import Foundation
import RunbookYAML

/// Binds param values from `-p KEY=VALUE`, a params file, the environment and defaults, in
/// that order of precedence, and reports every problem at once. Values `sealed` in a plan file
/// cannot be changed: only secret params may then be given.
public enum ParamBinder {
  public static func bind(
    _ runbook: Runbook, arguments: [String], file: ParamsFile? = nil, environment: [String: String] = [:],
    sealed: [String: Value] = [:]
  ) -> (ParamValues, [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    let known = runbook.params.map(\.name)
    var given: [String: (value: Value, origin: ParamValues.Origin, range: SourceRange?)] = [:]
    // A param sealed unset stays unset: neither its env variable nor its default fills it.
    for (name, value) in sealed { given[name] = (value, value == .null ? .unset : .planFile, nil) }

    if let file {
      let parsed = YAMLParser.parse(file.text)
      diagnostics += parsed.problems.map { Diagnostic.yaml($0).inFile(file.path) }
      if let root = parsed.root, !root.isNull {
        if let pairs = root.mapping {
          for pair in pairs {
            guard let spec = runbook.param(pair.name) else {
              diagnostics.append(.unknownParam(pair.name, known: known, file: file.path, at: pair.key.range))
              continue
            }
            if !sealed.isEmpty && !spec.secret {
              diagnostics.append(Diagnostic.sealedParam(pair.name).inFile(file.path))
              continue
            }
            switch spec.type.convert(pair.value) {
            case .success(let v): given[spec.name] = (v, .file, pair.value.range)
            case .failure(let e): diagnostics.append(.paramValue(spec, e.message, file: file.path, at: pair.value.range))
            }
          }
        } else {
          diagnostics.append(.paramsFileShape(root, file: file.path))
        }
      }
    }

    for argument in arguments {
      guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
        diagnostics.append(.badParamArgument(argument))
        continue
      }
      let name = String(argument[..<eq])
      let text = String(argument[argument.index(after: eq)...])
      guard let spec = runbook.param(name) else {
        diagnostics.append(.unknownParam(name, known: known))
        continue
      }
      if sealed[name] != nil || (!sealed.isEmpty && !spec.secret) {
        diagnostics.append(.sealedParam(name))
        continue
      }
      switch spec.type.parse(commandLine: text) {
      case .success(let v): given[name] = (v, .commandLine, nil)
      case .failure(let e): diagnostics.append(.paramValue(spec, e.message))
      }
    }

    var result = ParamValues()
    for spec in runbook.params {
      var chosen = given[spec.name]
      if chosen == nil, let variable = spec.env, let text = environment[variable] {
        switch spec.type.parse(commandLine: text) {
        case .success(let v): chosen = (v, .environment, nil)
        case .failure(let e): diagnostics.append(.paramValue(spec, "from $\(variable) \(e.message)"))
        }
      }
      if chosen == nil, let d = spec.defaultValue { chosen = (d, .defaultValue, nil) }
      guard let (value, origin, range) = chosen else {
        if spec.required, !diagnostics.contains(where: { $0.message.contains("param '\(spec.name)'") }) {
          diagnostics.append(.missingParam(spec))
        }
        result.values[spec.name] = .null
        result.origins[spec.name] = .unset
        continue
      }
      let where_ = origin == .file ? file?.path : nil
      if origin == .unset {
      } else if value.containsNUL {
        diagnostics.append(.nulInParam(spec, file: where_, at: range))
      } else if let allowed = spec.allowed, origin != .defaultValue, !allowed.contains(value) {
        diagnostics.append(.notInEnum(spec, value.plainText, file: where_, at: range))
      } else if let pattern = spec.pattern, origin != .defaultValue, let bad = firstMismatch(value, pattern: pattern) {
        diagnostics.append(.patternMismatch(spec, bad, file: where_, at: range))
      }
      result.values[spec.name] = value
      result.origins[spec.name] = origin
    }
    return (result, diagnostics)
  }

  /// The first string in `value` (itself, or an item of a list) that `pattern` does not match in full.
  static func firstMismatch(_ value: Value, pattern: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else { return nil }
    let strings: [String]
    switch value {
    case .string(let s): strings = [s]
    case .list(let items): strings = items.map(\.plainText)
    default: strings = [value.plainText]
    }
    return strings.first { s in
      regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil
    }
  }
}
