import RunbookKit

/// Disarms every alarm (after the cause — usually a full database — has been dealt with).
public struct EtcdAlarmDisarmAction: Action {
  public static let name = "etcd.alarm-disarm"
  public static let summary = "Disarm etcd alarms"
  public static let effect = Effect.mutating
  public static let idempotent = true
  public static let inputs = Etcdctl.connectionInputs
  public static let outputs = [OutputSpec("disarmed", "int", "How many alarms were disarmed")]

  public init() {}

  public func describe(_ input: ResolvedInput) -> ActionPreview {
    guard let etcdctl = try? Etcdctl(input) else { return ActionPreview("disarm alarms") }
    return ActionPreview("disarm every alarm", commands: [etcdctl.commandLine(["alarm", "disarm"])])
  }

  public func run(_ input: ResolvedInput, in context: ActionContext) async throws -> ActionResult {
    let etcdctl = try Etcdctl(input)
    let json = try await etcdctl.require(["alarm", "disarm"], in: context)
    var count: Int64 = 0
    if case .array(let alarms)? = json["alarms"] { count = Int64(alarms.count) }
    return ActionResult(["disarmed": .int(count)])
  }
}
