import RunbookYAML

/// Diagnostics of Ansible inventories (`-i`): their INI and YAML files, `group_vars/` and
/// `host_vars/`, and host patterns (docs/diagnostics.md, codes H701–H714).
extension Diagnostic {
  public static func unreadableInventory(_ path: String, reason: String) -> Diagnostic {
    Diagnostic(code: "H701", message: "cannot read inventory \(path): \(reason)", file: path)
  }

  public static func malformedSection(_ line: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "H702", message: "malformed section header \(quoted(line)): write [group], [group:vars] or [group:children], with no blanks",
      range: range)
  }

  public static func unknownSectionSuffix(_ suffix: String, group: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H703", message: "section [\(group):\(suffix)] has unknown type '\(suffix)'; the types are 'vars' and 'children'", range: range)
      .suggesting(Suggestion.closest(to: suffix, in: ["vars", "children", "hosts"]))
  }

  public static func badHostPattern(_ pattern: String, reason: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H704", message: "bad host \(quoted(pattern)): \(reason)", range: range)
  }

  public static func malformedHostVariable(_ token: String, reason: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H705", message: "malformed host variable \(quoted(token)): \(reason)", range: range)
  }

  public static func malformedVarsLine(_ line: String, group: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H706", message: "\(quoted(line)) in [\(group):vars] is not key=value", range: range)
  }

  public static func malformedChildLine(_ line: String, group: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H707", message: "\(quoted(line)) in [\(group):children] is not one group name", range: range)
  }

  public static func groupCycle(_ path: [String], at range: SourceRange) -> Diagnostic {
    path.count == 2
      ? Diagnostic(code: "H708", message: "group '\(path[0])' is made a child of itself", range: range)
      : Diagnostic(code: "H708", message: "group cycle: \(path.joined(separator: " → "))", range: range)
  }

  public static func undefinedGroupVars(_ group: String, candidates: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "H709", message: "[\(group):vars] is for a group no [\(group)] or [\(group):children] section declares",
      range: range
    ).suggesting(Suggestion.closest(to: group, in: candidates))
  }

  public static func undefinedChildGroup(_ child: String, parent: String, candidates: [String], at range: SourceRange) -> Diagnostic {
    Diagnostic(
      code: "H709", message: "[\(parent):children] names group '\(child)', which no [\(child)] or [\(child):children] section declares",
      range: range
    ).suggesting(Suggestion.closest(to: child, in: candidates))
  }

  public static func inventoryKind(_ what: String, expected: String, found: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H710", message: "\(what) must be \(expected), not a \(found)", range: range)
  }

  /// `hosts:` written as a list, Ansible's most common YAML inventory mistake.
  public static func hostsAsList(group: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H710", message: "'hosts' of group '\(group)' must be a mapping of host names, not a list", range: range)
      .note("write each host as a key: 'hosts: {node1: {}, node2: {}}' or one 'node1:' per line under 'hosts:'")
  }

  public static func badAnsiblePort(_ value: String, at range: SourceRange?) -> Diagnostic {
    Diagnostic(code: "H711", message: "ansible_port \(quoted(value)) is not a number from 1 to 65535", range: range)
  }

  public static func skippedGroupKey(_ key: String, group: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .warning, code: "H712", message: "key '\(key)' of group '\(group)' is skipped: a group has only 'hosts', 'vars' and 'children'",
      range: range
    ).suggesting(Suggestion.closest(to: key, in: ["hosts", "vars", "children"]))
  }

  public static func skippedGroup(_ group: String, found: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(.warning, code: "H712", message: "group '\(group)' is skipped: its definition is a \(found), not a mapping", range: range)
  }

  public static func varsFileKind(_ path: String, found: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(code: "H713", message: "a vars file must be a mapping of variables, not a \(found)", file: path, range: range)
  }

  public static func unknownHostPattern(_ name: String, candidates: some Sequence<String>) -> Diagnostic {
    Diagnostic(code: "H714", message: "no host or group \(quoted(name)) in the inventory")
      .suggesting(Suggestion.closest(to: name, in: candidates))
  }
}
