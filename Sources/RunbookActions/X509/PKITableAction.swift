import Foundation
import RunbookKit

/// One expiry table for several hosts, host by certificate, from the outputs of a `pki.check`
/// step on hosts (`steps.ID.outputs.certificates`, a map from host to that host's list); what is
/// due and which CA cannot sign, named with the host.
public struct PKITableAction: Action {
  public static let name = "pki.table"
  public static let summary = "One expiry table, host by certificate, from the outputs of a pki.check step on hosts"
  public static let effect = Effect.readOnly
  public static let idempotent = true
  public static let inputs = [
    InputSpec("certificates", .any, required: true, "pki.check's `certificates` by host (steps.ID.outputs.certificates of a step on hosts)"),
    InputSpec("cas", .any, "pki.check's `cas` by host"),
    InputSpec("missing", .any, "pki.check's `missing` by host"),
    InputSpec("ca_problems", .any, "pki.check's `ca_problems` by host"),
    InputSpec("hosts", .any, "The hosts in the order to show them (steps.ID.hosts; default: by name)"),
  ]
  public static let outputs = [
    OutputSpec("expired", "list", "`HOST NAME` of each expired certificate or CA"),
    OutputSpec("expiring", "list", "`HOST NAME` of each one expiring within pki.check's warn_days"),
    OutputSpec("ok", "list", "`HOST NAME` of the others"),
    OutputSpec("missing", "list", "`HOST NAME` of what a kubeadm tree should hold and does not"),
    OutputSpec("ca_problems", "list", "`HOST: problem` for each CA that cannot sign"),
    OutputSpec("hosts", "list", "The hosts in the table, in its order"),
  ]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    ActionPreview("print one expiry table, host by certificate, from the certificates read on each host")
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    guard case .map(let certificates)? = input["certificates"] else {
      throw ActionError(.invalidInput, "certificates must be a map from host to pki.check's certificates (the outputs of a pki.check step on hosts)")
    }
    let cas = Self.byHost(input["cas"])
    let missing = Self.byHost(input["missing"])
    let problems = Self.byHost(input["ca_problems"])
    var order: [String] = []
    if case .list(let names)? = input["hosts"] { order = names.compactMap { if case .string(let name) = $0 { name } else { nil } } }
    order = order.filter { certificates[$0] != nil } + certificates.keys.filter { !order.contains($0) }.sorted()

    let now = Date()
    var leafRows: [ExpiryTable.Row] = []
    var caRows: [ExpiryTable.Row] = []
    var byStatus: [String: [Value]] = ["expired": [], "expiring": [], "ok": []]
    var missingNames: [Value] = []
    var caProblems: [Value] = []
    for host in order {
      for (rows, list) in [certificates[host], cas[host]].enumerated() {
        guard case .list(let entries)? = list else { continue }
        for case .map(let entry) in entries {
          let name = entry["name"]?.plainText ?? ""
          let status = entry["status"]?.plainText ?? ""
          let notAfter = entry["not_after"].flatMap { ISO8601DateFormatter().date(from: $0.plainText) }
          let row = ExpiryTable.Row(name: name, notAfter: notAfter, authority: entry["ca"]?.plainText ?? "", status: status, host: host)
          if rows == 0 { leafRows.append(row) } else { caRows.append(row) }
          byStatus[status, default: []].append(.string("\(host) \(name)"))
        }
      }
      if case .list(let names)? = missing[host] {
        for name in names.map(\.plainText) {
          let isCA = name == "ca" || name.hasSuffix("-ca")
          let row = ExpiryTable.Row(name: name, notAfter: nil, authority: "", status: "missing", host: host)
          if isCA { caRows.append(row) } else { leafRows.append(row) }
          missingNames.append(.string("\(host) \(name)"))
        }
      }
      if case .list(let list)? = problems[host] { caProblems += list.map { .string("\(host): \($0.plainText)") } }
    }
    for line in ExpiryTable(leaves: leafRows, cas: caRows, now: now).lines() { context.output(OutputLine(.stdout, line)) }
    return ActionResult([
      "expired": .list(byStatus["expired"] ?? []), "expiring": .list(byStatus["expiring"] ?? []), "ok": .list(byStatus["ok"] ?? []),
      "missing": .list(missingNames), "ca_problems": .list(caProblems), "hosts": .list(order.map(Value.string)),
    ])
  }

  /// A map from host to value, or nothing.
  private static func byHost(_ value: Value?) -> [String: Value] {
    if case .map(let map)? = value { return map }
    return [:]
  }
}
