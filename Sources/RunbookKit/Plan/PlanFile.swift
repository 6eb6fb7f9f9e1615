import Foundation

/// A sealed plan: the runbook text and the non-secret params a reviewer approved, with a sha256
/// over both, so that what is applied is exactly what was read; and the reviewers' signatures
/// over that seal, which it does not cover.
public struct PlanFile: Sendable {
  public static let format = "runbook-plan/1"

  public let runbookFile: String
  public let runbookText: String
  /// Non-secret params as bound when the plan was made; one left unset is sealed as null, so
  /// that nothing (its `env:` variable) can fill it at apply.
  public let params: [String: Value]
  /// The programs behind names, as resolved when the plan was made (nil in older plan files).
  public let programs: ProgramPins?
  /// Secret params, asked for again when the plan is applied.
  public let secretParams: [String]
  public let created: String
  /// When a probe read the facts the plan shows, and those facts (nil: not probed); `apply`
  /// reads them again and refuses the plan when they changed (docs/running.md, "Stale plans").
  public let probe: Probe?
  /// The inventory the plan's steps on hosts resolve in, as reviewed; `apply` runs on these
  /// hosts and refuses another inventory (docs/running.md, "Steps on hosts").
  public let inventory: Inventory?
  /// Reviewers' signatures, in the order they were added (docs/running.md, "Signed approvals").
  /// Outside the seal, so that reviewers can sign the same file one after another; each one
  /// binds the seal itself.
  public var signatures: [PlanSignature] = []
  /// The members the seal covers, in order, exactly as made or as read: a file rewritten with
  /// one more signature keeps its seal.
  private let sealedContent: JSONValue

  public struct Probe: Sendable, Equatable {
    public var at: String
    public var facts: [Fact]
  }

  public init(runbook: Runbook, params: ParamValues, programs: ProgramPins, probe: Plan.Probe? = nil, inventory: Inventory? = nil, created: Date = Date()) {
    self.inventory = inventory
    runbookFile = runbook.file
    runbookText = runbook.text
    var values: [String: Value] = [:]
    for spec in runbook.params where !spec.secret {
      values[spec.name] = params.origins[spec.name] == .unset ? .null : params[spec.name] ?? .null
    }
    self.params = values
    self.programs = programs
    secretParams = runbook.params.filter(\.secret).map(\.name)
    self.created = ISO8601DateFormatter().string(from: created)
    let sealedProbe = probe.map { Probe(at: RunEvent.timestamp($0.at), facts: $0.facts) }
    self.probe = sealedProbe
    let content: JSONValue = [
      "format": .string(Self.format),
      "created": .string(self.created),
      "runbook": [
        "file": .string(runbookFile), "sha256": .string(Runbook.sha256(runbookText)), "text": .string(runbookText),
      ],
      "params": .object(values.keys.sorted().map { JSONValue.Member($0, values[$0]!.json) }),
      "secret_params": .array(secretParams.map { .string($0) }),
      "programs": programs.json,
    ]
    let probed = sealedProbe.map { content.appending("probe", $0.json) } ?? content
    sealedContent = inventory.map { probed.appending("inventory", $0.json) } ?? probed
  }

  /// When the plan was made, or nil when `created` cannot be read.
  public var createdDate: Date? { ISO8601DateFormatter().date(from: created) }

  /// The seal, `sha256:` and the hex digest of the sealed members: what a signature binds.
  public var seal: String { "sha256:" + Runbook.sha256(sealedContent.serialized(pretty: false)) }

  /// The file's text: the sealed content, its seal, and the signatures when there are any.
  public func serialized() -> String {
    guard case .object(var members) = sealedContent else { return "" }
    members.append(.init("seal", .string(seal)))
    if !signatures.isEmpty { members.append(.init("signatures", .array(signatures.map(\.json)))) }
    return JSONValue.object(members).serialized() + "\n"
  }

  /// Whether the text at `path` looks like a plan file rather than a runbook.
  public static func looksLikePlan(path: String) -> Bool {
    if path.hasSuffix(".plan") { return true }
    guard case .success(let bytes) = InputFile.read(path) else { return false }
    return String(decoding: bytes.prefix(256), as: UTF8.self).contains("\"format\": \"runbook-plan/")
  }

  /// A verified plan file, or the reason it was refused.
  public enum Reading: Sendable {
    case plan(PlanFile)
    case refused(Diagnostic)
  }

  /// Reads and verifies a plan file; a modified or corrupted file is refused. Its signatures
  /// are read, not verified: that needs the allowed signers (`ReviewGate`).
  public static func read(path: String) -> Reading {
    let bytes: [UInt8]
    switch InputFile.read(path) {
    case .success(let read): bytes = read
    case .failure(let failure): return .refused(.unreadableFile(path, reason: failure.reason))
    }
    guard let text = String(validating: bytes, as: UTF8.self), let json = JSONValue.parse(text),
      case .object(let members) = json
    else {
      return .refused(.notAPlanFile(path, reason: "it is not a JSON object"))
    }
    guard let format = json["format"]?.stringValue else {
      return .refused(.notAPlanFile(path, reason: "it has no 'format'"))
    }
    guard format == Self.format else { return .refused(.unsupportedPlanFormat(path, found: format)) }
    guard let seal = json["seal"]?.stringValue, let runbook = json["runbook"],
      let runbookText = runbook["text"]?.stringValue, let runbookFile = runbook["file"]?.stringValue,
      let digest = runbook["sha256"]?.stringValue, let created = json["created"]?.stringValue,
      case .object(let paramMembers)? = json["params"], case .array(let secrets)? = json["secret_params"]
    else {
      return .refused(.notAPlanFile(path, reason: "a required member is missing or has the wrong type"))
    }
    var signatures: [PlanSignature] = []
    switch json["signatures"] {
    case nil: break
    case .array(let items)?:
      for (index, item) in items.enumerated() {
        guard let signature = PlanSignature(json: item) else {
          return .refused(.notAPlanFile(path, reason: "signature \(index + 1) is not an object with 'signature', 'fingerprint' and 'signed_at'"))
        }
        signatures.append(signature)
      }
    default: return .refused(.notAPlanFile(path, reason: "its 'signatures' is not a list"))
    }
    // Plan files written before programs were pinned have no `programs`; their seal covers the rest.
    let content = JSONValue.object(
      members.filter { $0.key != "seal" && $0.key != "signatures" && !($0.key == "programs" && $0.value == .null) })
    var probe: Probe?
    if let recorded = json["probe"] {
      guard let at = recorded["at"]?.stringValue, case .array(let facts)? = recorded["facts"] else {
        return .refused(.notAPlanFile(path, reason: "its 'probe' has no 'at' or 'facts'"))
      }
      probe = Probe(at: at, facts: facts.compactMap { fact in fact["name"]?.stringValue.map { Fact(name: $0, value: fact["value"] ?? .null) } })
    }
    var inventory: Inventory?
    if let sealed = json["inventory"] {
      do {
        inventory = try Inventory(ansibleJSON: sealed)
      } catch {
        return .refused(.notAPlanFile(path, reason: "its 'inventory' is not an inventory: \(error.reason)"))
      }
    }
    var plan = PlanFile(
      runbookFile: runbookFile, runbookText: runbookText,
      params: Dictionary(paramMembers.map { ($0.key, Value($0.value)) }, uniquingKeysWith: { a, _ in a }),
      secretParams: secrets.compactMap(\.stringValue), programs: ProgramPins(json: json["programs"]), created: created,
      probe: probe, inventory: inventory, sealedContent: content)
    guard seal == plan.seal else { return .refused(.planSealBroken(path)) }
    guard digest == Runbook.sha256(runbookText) else { return .refused(.planRunbookDigest(path)) }
    plan.signatures = signatures
    return .plan(plan)
  }

  private init(
    runbookFile: String, runbookText: String, params: [String: Value], secretParams: [String], programs: ProgramPins?,
    created: String, probe: Probe?, inventory: Inventory?, sealedContent: JSONValue
  ) {
    self.probe = probe
    self.inventory = inventory
    self.runbookFile = runbookFile
    self.runbookText = runbookText
    self.params = params
    self.secretParams = secretParams
    self.programs = programs
    self.created = created
    self.sealedContent = sealedContent
  }
}

extension PlanFile.Probe {
  /// As the plan file seals it.
  var json: JSONValue {
    ["at": .string(at), "facts": .array(facts.map { ["name": .string($0.name), "value": $0.value] })]
  }
}
