import RunbookYAML

/// Ansible's INI inventory format: host lines (`name[:port] key=value...`, ranges allowed) in
/// `[group]` sections and before any, `[group:vars]` of `key=value` lines, `[group:children]` of
/// group names; `#` and `;` start comment lines. Values are typed as Python literals
/// (`AnsibleLiteral`), under `:vars` too.
extension InventoryLoader {
  private enum Section {
    case hosts, vars, children
    /// After a broken header: its lines are not read.
    case skipped
  }

  /// A `[g:vars]` or a child group named before its section, as Ansible keeps them pending.
  private struct Pending {
    var isVars: Bool
    var range: SourceRange
    /// For a child group: the `[parent:children]` sections naming it, and where.
    var parents: [(String, SourceRange)] = []
  }

  func readINI(_ text: String, file: String) {
    var group = "ungrouped"
    var section = Section.hosts
    var pending: [String: Pending] = [:]
    var pendingOrder: [String] = []
    func report(_ d: Diagnostic) { self.report(d, in: file) }

    func resolvePending(_ child: String) {
      guard let declaration = pending.removeValue(forKey: child) else { return }
      for (parent, range) in declaration.parents {
        if let cycle = builder.addChild(child, to: parent) { report(.groupCycle(cycle, at: range)) }
        if let above = pending[parent], !above.isVars { resolvePending(parent) }
      }
    }

    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let lineNumber = index + 1
      let raw = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      let line = raw.trimmingCharacters(in: .whitespaces)
      guard let first = line.first, first != "#", first != ";" else { continue }
      let column = raw.prefix { $0 == " " || $0 == "\t" }.count + 1
      let whole = SourceRange(line: lineNumber, column: column, length: line.count)

      if let header = line.wholeMatch(of: #/\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?/#) {
        group = String(header.output.1)
        let suffix = header.output.2.map(String.init) ?? "hosts"
        switch suffix {
        case "hosts": section = .hosts
        case "vars": section = .vars
        case "children": section = .children
        default:
          report(.unknownSectionSuffix(suffix, group: group, at: whole))
          section = .skipped
          continue
        }
        if !builder.hasGroup(group) {
          if section == .vars, pending[group] == nil {
            pending[group] = Pending(isVars: true, range: whole)
            pendingOrder.append(group)
          }
          builder.addGroup(group)
        }
        if let declaration = pending[group], section != .vars {
          if declaration.isVars { pending[group] = nil } else { resolvePending(group) }
        }
        continue
      }
      if first == "[", line.hasSuffix("]") {
        report(.malformedSection(line, at: whole))
        section = .skipped
        continue
      }

      switch section {
      case .skipped:
        continue
      case .hosts:
        hostLine(line, at: whole, group: group, file: file)
      case .vars:
        guard let equals = line.firstIndex(of: "="), !line[..<equals].trimmingCharacters(in: .whitespaces).isEmpty else {
          report(.malformedVarsLine(line, group: group, at: whole))
          continue
        }
        let key = line[..<equals].trimmingCharacters(in: .whitespaces)
        let value = AnsibleLiteral.value(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces))
        checkPort(key, value, at: whole, in: file)
        builder.setVariable(group: group, key, value)
      case .children:
        guard let match = line.wholeMatch(of: #/([^:\]\s]+)\s*(?:#.*)?/#) else {
          report(.malformedChildLine(line, group: group, at: whole))
          continue
        }
        let child = String(match.output.1)
        let range = SourceRange(line: lineNumber, column: column, length: child.count)
        if builder.hasGroup(child) {
          if let cycle = builder.addChild(child, to: group) { report(.groupCycle(cycle, at: range)) }
        } else if pending[child] == nil {
          pending[child] = Pending(isVars: false, range: range, parents: [(group, range)])
          pendingOrder.append(child)
        } else {
          pending[child]!.parents.append((group, range))
        }
      }
    }

    let known = builder.groupOrder
    for name in pendingOrder {
      guard let declaration = pending[name] else { continue }
      if declaration.isVars {
        report(.undefinedGroupVars(name, candidates: known.filter { $0 != name }, at: declaration.range))
      } else {
        for (parent, range) in declaration.parents {
          report(.undefinedChildGroup(name, parent: parent, candidates: known, at: range))
        }
      }
    }
  }

  /// One host line: `name[:port]` or a range, then `key=value` words.
  private func hostLine(_ line: String, at whole: SourceRange, group: String, file: String) {
    let words: [String]
    do {
      words = try ShellWords.split(line, comments: true)
    } catch {
      report(.malformedHostVariable(line, reason: error.reason, at: whole), in: file)
      return
    }
    guard let patternText = words.first else { return }
    let patternRange = SourceRange(line: whole.start.line, column: whole.start.column, length: patternText.count)
    let pattern: HostPattern
    do {
      pattern = try HostPattern(patternText)
    } catch {
      report(.badHostPattern(patternText, reason: error.reason, at: patternRange), in: file)
      return
    }
    if let port = pattern.port, !(1...65535).contains(port) {
      report(.badAnsiblePort(String(port), at: patternRange), in: file)
    }
    var variables: [(String, Value)] = []
    var searchFrom = line.index(line.startIndex, offsetBy: min(patternText.count, line.count))
    for word in words.dropFirst() {
      // where the word stands, for the caret: its key's first occurrence after the previous word
      let key = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? word
      var range = whole
      if let found = line.range(of: key.isEmpty ? "=" : key, range: searchFrom..<line.endIndex) {
        range = SourceRange(line: whole.start.line, column: whole.start.column + line.distance(from: line.startIndex, to: found.lowerBound), length: word.count)
        searchFrom = found.upperBound
      }
      guard let equals = word.firstIndex(of: "=") else {
        report(.malformedHostVariable(word, reason: "expected key=value", at: range), in: file)
        continue
      }
      guard equals != word.startIndex else {
        report(.malformedHostVariable(word, reason: "the key before '=' is empty", at: range), in: file)
        continue
      }
      let value = AnsibleLiteral.value(String(word[word.index(after: equals)...]))
      checkPort(key, value, at: range, in: file)
      variables.append((key, value))
    }
    for name in pattern.names {
      builder.addHost(name, to: group, port: pattern.port)
      for (key, value) in variables { builder.setVariable(host: name, key, value) }
    }
  }
}
