import Foundation
import RunbookKit

/// How `runs` and `show` print journal records.
enum RunSummary {
  /// What this process can tell about the engines of running runs: the locks and who asks.
  struct Engines {
    var locks: [LockHolder]
    var observer = LockHolder.current(name: "", runID: "", host: RunDriver.host)

    func standing(_ run: RunRecord) -> EngineStanding? { run.engineStanding(locks: locks, seenFrom: observer) }
  }

  /// A run's status as `runs` shows it: a `running` run whose engine is gone says so.
  static func status(_ run: RunRecord, _ standing: EngineStanding?) -> String {
    switch standing {
    case .gone?: "running, engine gone"
    case .unknown?: "running (\(run.host): cannot check)"
    default: run.status.rawValue
    }
  }

  static func json(_ run: RunRecord, _ standing: EngineStanding?) -> JSONValue {
    var members: [JSONValue.Member] = [
      .init("id", .string(run.id)), .init("runbook", .string(run.runbookName)), .init("file", .string(run.file)),
      .init("sha256", .string(run.sha256)), .init("from_plan_file", .bool(run.fromPlanFile)), .init("lock", .string(run.lockName)),
      .init("status", .string(run.status.rawValue)), .init("started", .string(RunEvent.timestamp(run.startedAt))),
      .init("pid", .int(Int64(run.pid))), .init("host", .string(run.host)), .init("working_directory", .string(run.workingDirectory)),
    ]
    if let finished = run.finishedAt { members.append(.init("finished", .string(RunEvent.timestamp(finished)))) }
    if let standing { members.append(.init("engine", .string(standing.rawValue))) }
    members.append(.init("approvers", .array(run.approvers.map(\.json))))
    return .object(members)
  }

  static func json(_ step: StepRecord) -> JSONValue {
    var members: [JSONValue.Member] = [.init("step", .string(step.step))]
    if let host = step.host { members.append(.init("host", .string(host))) }
    if let iteration = step.iteration { members.append(.init("iteration", .int(Int64(iteration)))) }
    if let item = step.item { members.append(.init("item", item)) }
    if let label = StepKey.itemLabel(step.item), step.iteration != nil { members.append(.init("item_label", .string(label))) }
    members += [.init("status", .string(step.status.rawValue)), .init("attempts", .int(Int64(step.attempts)))]
    if let started = step.startedAt { members.append(.init("started", .string(RunEvent.timestamp(started)))) }
    if let seconds = seconds(step) { members.append(.init("duration", .double(seconds))) }
    members.append(.init("outputs", .object(step.outputs.keys.sorted().map { .init($0, step.outputs[$0]!) })))
    if let message = step.message { members.append(.init("message", .string(message))) }
    members.append(.init("output_tail", .string(step.outputTail)))
    members.append(.init("approved", .bool(step.approved)))
    return .object(members)
  }

  static func json(_ event: JournalEvent) -> JSONValue {
    var members: [JSONValue.Member] = [
      .init("seq", .int(event.sequence)), .init("at", .string(RunEvent.timestamp(event.at))), .init("event", .string(event.kind)),
    ]
    if let step = event.step { members.append(.init("step", .string(step))) }
    if let host = event.host { members.append(.init("host", .string(host))) }
    if let iteration = event.iteration { members.append(.init("iteration", .int(Int64(iteration)))) }
    if let message = event.message { members.append(.init("message", .string(message))) }
    return .object(members)
  }

  /// `show`: the header (with the facts a sealed plan was run on although they had changed),
  /// then every step in the order it was journaled, a loop's iterations right under it; then
  /// what is in doubt, with the command that settles it. `hint` is the options that find this
  /// journal again.
  static func text(_ run: RunRecord, steps: [StepRecord], standing: EngineStanding?, events: [JournalEvent], hint: String) -> String {
    var out = header(run, standing: standing, lastSeen: events.last?.at, hint: hint)
    let drift = events.filter { $0.kind == "plan.drift" }.compactMap(\.message)
    if !drift.isEmpty {
      out += "drift:   the plan's facts had changed since review:\n" + drift.map { "  \(VisibleText.line($0))\n" }.joined() + "\n"
    }
    out += ordered(steps).map(lines).joined()
    out += hostTable(steps)
    let inDoubt = (run.status == .running && standing != .gone ? [] : steps.filter { $0.status.isInDoubt })
      .sorted { ($0.step, $0.host ?? "", $0.iteration ?? -1) < ($1.step, $1.host ?? "", $1.iteration ?? -1) }
      .map { $0.key.description }
    if !inDoubt.isEmpty {
      out += "\nin doubt: \(inDoubt.joined(separator: ", ")) — check each by hand, then settle each with --retry (run it again) or --mark-done (count it done), e.g.: runbook resume \(run.id) --retry \(inDoubt[0])\(hint)\n"
    }
    return out
  }

  /// Steps in the order they were journaled, each loop's iterations right under it by index,
  /// each step's hosts in the order it went to them.
  static func ordered(_ steps: [StepRecord]) -> [StepRecord] {
    let parts = Dictionary(grouping: steps.filter(isPart), by: \.step).mapValues { records in
      records.enumerated().sorted { ($0.element.iteration ?? -1, $0.offset) < ($1.element.iteration ?? -1, $1.offset) }.map(\.element)
    }
    let wholes = Set(steps.filter { !isPart($0) }.map(\.step))
    var shown: Set<String> = []
    var result: [StepRecord] = []
    for step in steps where !shown.contains(step.step) {
      guard !isPart(step) || !wholes.contains(step.step) else { continue }
      if !isPart(step) { result.append(step) }
      result += parts[step.step] ?? []
      shown.insert(step.step)
    }
    return result
  }

  /// An iteration of a loop, or a step on one host: shown under its step.
  private static func isPart(_ step: StepRecord) -> Bool { step.iteration != nil || step.host != nil }

  /// Host × step: where each step on hosts stands on each host, hosts in the order first visited.
  static func hostTable(_ steps: [StepRecord]) -> String {
    let onHosts = steps.filter { $0.host != nil }
    guard !onHosts.isEmpty else { return "" }
    var hosts: [String] = []
    var columns: [String] = []
    for record in onHosts {
      if !hosts.contains(record.host!) { hosts.append(record.host!) }
      if !columns.contains(record.step) { columns.append(record.step) }
    }
    let status = Dictionary(onHosts.map { ("\($0.step)@\($0.host!)", $0.status.rawValue) }, uniquingKeysWith: { _, last in last })
    let rows = hosts.map { host in [VisibleText.line(host)] + columns.map { status["\($0)@\(host)"] ?? "-" } }
    return "\nhosts:\n" + table(header: ["host"] + columns, rows: rows)
  }

  private static func header(_ run: RunRecord, standing: EngineStanding?, lastSeen: Date?, hint: String) -> String {
    let status: String
    switch standing {
    case .gone?: status = "running — engine gone since \(lastSeen.map(time) ?? "?"); resume to continue: runbook resume \(run.id)\(hint)"
    case .unknown?: status = "running on \(run.host) (pid \(run.pid)), which this machine cannot check"
    default: status = run.status.rawValue
    }
    var out = "run \(run.id): \(run.runbookName) — \(status)\n"
    out += "  file:    \(run.file)\(run.fromPlanFile ? " (sealed plan)" : "")\n"
    if !run.workingDirectory.isEmpty { out += "  in:      \(run.workingDirectory)\n" }
    out += "  sha256:  \(run.sha256)\n"
    out += "  started: \(time(run.startedAt)) by pid \(run.pid) on \(run.host)\(run.finishedAt.map { ", ended \(time($0))" } ?? "")\n"
    out += "  lock:    \(run.lockName)\n"
    for (index, approver) in run.approvers.enumerated() {
      out += (index == 0 ? "  approved: " : "            ") + approver.line + "\n"
    }
    if !run.params.isEmpty {
      out += "  params:  " + run.params.keys.sorted().map { "\($0)=\(Value(run.params[$0]!).plainText)" }.joined(separator: " ") + "\n"
    }
    return out + "\n"
  }

  /// One step's or iteration's lines.
  private static func lines(_ step: StepRecord) -> String {
    var out = ""
    let indent = isPart(step) ? "  " : ""
    var line = "\(indent)\(step.label)  \(step.status.rawValue)"
    if step.attempts > 1 { line += "  attempts \(step.attempts)" }
    if let started = step.startedAt { line += "  started \(time(started))" }
    if let seconds = seconds(step) { line += String(format: "  %.2fs", seconds) }
    out += line + "\n"
    if let item = step.item { out += "\(indent)  item: \(item.serialized(pretty: false))\n" }
    if let message = step.message { out += "\(indent)  \(VisibleText.line(message))\n" }
    for name in step.outputs.keys.sorted() where name != "stdout" && name != "lines" {
      let rendered = step.outputs[name]!.serialized(pretty: false)
      // Outputs by host name carry the inventory's names, which may hold any character.
      out += "\(indent)  \(name) = \(VisibleText.line(rendered.count > 200 ? String(rendered.prefix(200)) + "…" : rendered))\n"
    }
    if !step.outputTail.isEmpty {
      // A program's output, as journaled: escaped, so that replaying it cannot redraw the screen.
      for tailLine in step.outputTail.split(separator: "\n", omittingEmptySubsequences: false) { out += "\(indent)  | \(VisibleText.line(String(tailLine)))\n" }
    }
    return out
  }

  static func seconds(_ step: StepRecord) -> Double? {
    guard let started = step.startedAt, let finished = step.finishedAt else { return nil }
    return (finished.timeIntervalSince(started) * 1000).rounded() / 1000
  }

  static func time(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date) + "Z"
  }

  static func duration(_ run: RunRecord) -> String {
    guard let finished = run.finishedAt else { return "-" }
    return String(format: "%.1fs", finished.timeIntervalSince(run.startedAt))
  }

  static func table(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    return all.map { row in
      row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
        .joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}
