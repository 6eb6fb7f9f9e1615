import RunbookYAML

/// Ansible's YAML inventory format: a mapping of groups, each with `hosts:` (a mapping of host
/// names or ranges to their variables), `vars:` and `children:` (a mapping of groups, read the
/// same way). Values keep their YAML types, read as YAML 1.1 (`AnsibleYAML`).
extension InventoryLoader {
  func readYAML(_ parsed: YAMLParseResult, file: String) {
    parsed.problems.forEach { report(.yaml($0), in: file) }
    guard let root = parsed.root else {
      if parsed.problems.isEmpty {
        report(.inventoryKind("a YAML inventory", expected: "a mapping of groups", found: "empty file", at: SourceRange(line: 1, column: 1, length: 1)), in: file)
      }
      return
    }
    guard let pairs = root.mapping else {
      report(.inventoryKind("a YAML inventory", expected: "a mapping of groups", found: root.kindDescription, at: root.range), in: file)
      return
    }
    for pair in pairs { _ = group(pair.name, pair.value, at: pair.key.range, file: file) }
  }

  /// Reads one group's definition; whether the group exists afterwards (a definition that is no
  /// mapping is skipped, as Ansible skips it).
  private func group(_ name: String, _ node: YAMLNode, at keyRange: SourceRange, file: String) -> Bool {
    func report(_ d: Diagnostic) { self.report(d, in: file) }
    guard node.isNull || node.mapping != nil else {
      report(.skippedGroup(name, found: node.kindDescription, at: node.range))
      return builder.hasGroup(name)
    }
    builder.addGroup(name)
    for pair in node.mapping ?? [] {
      let key = pair.name
      guard ["hosts", "vars", "children"].contains(key) else {
        report(.skippedGroupKey(key, group: name, at: pair.key.range))
        continue
      }
      // a single name stands for a mapping with that one key, as in Ansible
      let entries: [YAMLPair]
      switch pair.value.content {
      case .mapping(let items): entries = items
      case .scalar where !pair.value.isNull:
        entries = [YAMLPair(key: pair.value, value: YAMLNode(.scalar(YAMLScalar(text: "", style: .plain, value: .null)), range: pair.value.range))]
      case .scalar: entries = []
      case .sequence:
        report(key == "hosts"
          ? .hostsAsList(group: name, at: pair.value.range)
          : .inventoryKind("'\(key)' of group '\(name)'", expected: "a mapping", found: "sequence", at: pair.value.range))
        continue
      }
      switch key {
      case "vars":
        for entry in entries {
          let value = AnsibleYAML.value(entry.value)
          checkPort(entry.name, value, at: entry.value.range, in: file)
          builder.setVariable(group: name, entry.name, value)
        }
      case "children":
        for entry in entries where group(entry.name, entry.value, at: entry.key.range, file: file) {
          if let cycle = builder.addChild(entry.name, to: name) { report(.groupCycle(cycle, at: entry.key.range)) }
        }
      default:
        for entry in entries { host(entry, group: name, file: file) }
      }
    }
    return true
  }

  /// One entry of `hosts:`: a name or range, and a mapping of its variables (or nothing).
  private func host(_ entry: YAMLPair, group: String, file: String) {
    let pattern: HostPattern
    do {
      pattern = try HostPattern(entry.name)
    } catch {
      report(.badHostPattern(entry.name, reason: error.reason, at: entry.key.range), in: file)
      return
    }
    if let port = pattern.port, !(1...65535).contains(port) {
      report(.badAnsiblePort(String(port), at: entry.key.range), in: file)
    }
    guard entry.value.isNull || entry.value.mapping != nil else {
      report(.inventoryKind("the variables of host '\(entry.name)'", expected: "a mapping", found: entry.value.kindDescription, at: entry.value.range), in: file)
      return
    }
    let variables = (entry.value.mapping ?? []).map { ($0.name, AnsibleYAML.value($0.value), $0.value.range) }
    for (key, value, range) in variables { checkPort(key, value, at: range, in: file) }
    for name in pattern.names {
      builder.addHost(name, to: group, port: pattern.port)
      for (key, value, _) in variables { builder.setVariable(host: name, key, value) }
    }
  }
}
