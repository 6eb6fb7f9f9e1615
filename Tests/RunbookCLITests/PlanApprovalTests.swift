import Foundation
import RunbookKit
import RunbookStore
import RunbookTestSupport
import XCTest

/// Issue 12 §4 against the real binary and the real `ssh-keygen`: reviewers sign a sealed plan
/// with ed25519 and RSA keys (`runbook approve`), and `apply --allowed-signers --approvals` (or
/// the runbook's `review:`) runs it only when enough distinct principals signed this very plan.
final class PlanApprovalTests: XCTestCase {
  var scratch: ScratchDirectory!
  var alice: SSHKey!
  var bob: SSHKey!

  override func setUpWithError() throws {
    scratch = try ScratchDirectory("approve")
    alice = try SSHKey("alice", type: "ed25519", principal: "alice@example.com", in: scratch.path)
    bob = try SSHKey("bob", type: "rsa", principal: "bob@example.com", in: scratch.path)
    try allow([alice, bob])
    try scratch.write("hello.yaml", Self.runbook(review: ""))
    try plan("hello.yaml", out: "change.plan", greeting: "hello")
  }

  static func runbook(review: String) -> String {
    """
    runbook: 1
    name: hello
    \(review)
    params:
      greeting: { type: string, default: hello }
    steps:
      - id: greet
        action: exec
        with: { argv: [echo, "${{ params.greeting }}"] }
    """
  }

  func runbook(_ arguments: [String]) throws -> CommandLineTool.Result {
    try scratch.runbook(arguments)
  }

  func allow(_ keys: [SSHKey]) throws {
    try scratch.write("allowed_signers", keys.map { $0.allowedSignersLine + "\n" }.joined())
  }

  func plan(_ runbook: String, out: String, greeting: String) throws {
    let planned = try self.runbook(["plan", runbook, "-p", "greeting=\(greeting)", "--out", out])
    XCTAssertEqual(planned.status, 0, planned.stderr)
  }

  func approve(_ key: SSHKey, plan: String = "change.plan", comment: String? = nil) throws {
    let signed = try runbook(["approve", plan, "--key", key.path] + (comment.map { ["--comment", $0] } ?? []))
    XCTAssertEqual(signed.status, 0, signed.stderr)
  }

  func apply(_ extra: [String], plan: String = "change.plan") throws -> CommandLineTool.Result {
    try runbook(["apply", plan, "--yes", "--allowed-signers", "allowed_signers"] + extra)
  }

  /// The signatures of a plan file, to tamper with them as an attacker would (the seal does
  /// not cover them).
  func signatures(_ name: String = "change.plan") throws -> [JSONValue] {
    guard case .array(let items)? = JSONValue.parse(scratch.read(name))?["signatures"] else { return [] }
    return items
  }

  func writeSignatures(_ signatures: [JSONValue], _ name: String = "change.plan") throws {
    let plan = try XCTUnwrap(JSONValue.parse(scratch.read(name)))
    try scratch.write(name, plan.setting("signatures", .array(signatures)).serialized() + "\n")
  }

  func testOneApproverIsVerifiedJournaledAndShown() throws {
    try approve(alice, comment: "checked the leader")
    var info = stat()
    XCTAssertEqual(stat(scratch.path + "/change.plan", &info), 0)
    XCTAssertEqual(info.st_mode & 0o777, 0o600, "the signed plan keeps mode 0600")

    let unverified = try runbook(["plan", "change.plan"])
    XCTAssertEqual(unverified.status, 0, unverified.stderr)
    XCTAssertTrue(unverified.stdout.contains("Signatures: 1, not verified (--allowed-signers FILE verifies them)\n  1. \(alice.fingerprint) at "), unverified.stdout)
    XCTAssertTrue(unverified.stdout.contains(": \"checked the leader\"\n"), unverified.stdout)
    let verified = try runbook(["plan", "change.plan", "--allowed-signers", "allowed_signers"])
    XCTAssertTrue(verified.stdout.contains("Signatures: 1, checked against allowed_signers\n  1. ✓ alice@example.com (\(alice.fingerprint)) at "), verified.stdout)
    let json = try runbook(["plan", "change.plan", "--allowed-signers", "allowed_signers", "--format", "json"])
    let signatures = try XCTUnwrap(JSONValue.parse(json.stdout)?["signatures"])
    XCTAssertEqual(signatures[0]?["principal"], .string("alice@example.com"), json.stdout)
    XCTAssertEqual(signatures[0]?["fingerprint"], .string(alice.fingerprint))
    XCTAssertEqual(signatures[0]?["verified"], .bool(true))

    let applied = try apply(["--run-id", "r1"])
    XCTAssertEqual(applied.status, 0, applied.stderr)
    XCTAssertTrue(applied.stderr.contains("Approved by alice@example.com (\(alice.fingerprint))"), applied.stderr)
    let journaled = try XCTUnwrap(try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").run("r1")?.approvers)
    XCTAssertEqual(journaled.map(\.principal), ["alice@example.com"])
    XCTAssertEqual(journaled.first?.comment, "checked the leader")

    let shown = try runbook(["show", "r1"])
    XCTAssertTrue(shown.stdout.contains("  approved: alice@example.com (\(alice.fingerprint)) at "), shown.stdout)
    let shownJSON = try XCTUnwrap(JSONValue.parse(try runbook(["show", "r1", "--format", "json"]).stdout))
    XCTAssertEqual(shownJSON["approvers"]?[0]?["principal"], .string("alice@example.com"))
    XCTAssertEqual(shownJSON["approvers"]?[0]?["comment"], .string("checked the leader"))
  }

  func testTwoApproversWithEd25519AndRSAKeys() throws {
    try approve(alice)
    let one = try apply(["--approvals", "2"])
    XCTAssertEqual(one.status, 2)
    XCTAssertTrue(one.stderr.contains("change.plan: error[F605]: the plan has 1 approval by distinct principals in allowed_signers; 2 are required"), one.stderr)
    XCTAssertTrue(one.stderr.contains("note: approved by alice@example.com (\(alice.fingerprint))"), one.stderr)

    try approve(bob, comment: "RSA")
    let two = try apply(["--approvals", "2", "--run-id", "r2"])
    XCTAssertEqual(two.status, 0, two.stderr)
    XCTAssertEqual(try SQLiteStateStore(path: scratch.path + "/state/journal.sqlite").run("r2")?.approvers.map(\.principal), ["alice@example.com", "bob@example.com"])
    let three = try apply(["--approvals", "3"])
    XCTAssertEqual(three.status, 2)
    XCTAssertTrue(three.stderr.contains("the plan has 2 approvals by distinct principals in allowed_signers; 3 are required"), three.stderr)
  }

  func testTheSamePrincipalCountsOnceWhateverItsKeys() throws {
    let second = try SSHKey("alice-rsa", type: "rsa", principal: "alice@example.com", in: scratch.path)
    try allow([alice, second, bob])
    try approve(alice)
    try approve(alice)
    try approve(second)
    let refused = try apply(["--approvals", "2"])
    XCTAssertEqual(refused.status, 2)
    XCTAssertTrue(refused.stderr.contains("the plan has 1 approval by distinct principals in allowed_signers; 2 are required"), refused.stderr)
    XCTAssertTrue(refused.stderr.contains("note: signature 2 (\(alice.fingerprint)) by alice@example.com counts once with the approval of alice@example.com"), refused.stderr)
    XCTAssertTrue(refused.stderr.contains("note: signature 3 (\(second.fingerprint)) by alice@example.com counts once"), refused.stderr)
    XCTAssertEqual(try apply(["--approvals", "1"]).status, 0)
  }

  func testAForgedSignatureIsRefused() throws {
    try approve(alice, comment: "looked at it")
    try approve(bob)
    var entries = try signatures()
    let genuine = entries[0]
    // One character of alice's signature changed, inside the signature bytes at the end.
    let armored = try XCTUnwrap(genuine["signature"]?.stringValue)
    var lines = armored.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
    let last = lines.lastIndex { $0.count > 20 && !$0.starts(with: "-----".map { $0 }) }!
    lines[last][8] = lines[last][8] == "A" ? "B" : "A"
    entries[0] = genuine.setting("signature", .string(lines.map { String($0) }.joined(separator: "\n")))
    try writeSignatures(entries)
    let forged = try apply([])
    XCTAssertEqual(forged.status, 2, "bob's valid signature does not make up for a forged one")
    XCTAssertTrue(forged.stderr.contains("change.plan: error[F610]: signature 1 (\(alice.fingerprint)) does not count: it does not verify over this plan (ssh-keygen: "), forged.stderr)
    XCTAssertTrue(forged.stderr.contains("delete that entry from its 'signatures'"), forged.stderr)

    // The comment is signed too: changing it is forging.
    try writeSignatures([genuine.setting("comment", "approved by the CTO")])
    let recommented = try apply([])
    XCTAssertEqual(recommented.status, 2)
    XCTAssertTrue(recommented.stderr.contains("error[F610]: signature 1 (\(alice.fingerprint)) does not count: it does not verify over this plan"), recommented.stderr)
    try writeSignatures([genuine])
    XCTAssertEqual(try apply([]).status, 0, "the genuine signature alone approves it")
  }

  func testARevokedSignerIsRefused() throws {
    try approve(alice)
    try approve(bob)
    XCTAssertEqual(try apply(["--approvals", "2"]).status, 0)
    try allow([bob])
    let revoked = try apply(["--approvals", "1"])
    XCTAssertEqual(revoked.status, 2, "bob's approval is enough, but a signer no longer allowed is a problem to look at")
    XCTAssertTrue(
      revoked.stderr.contains("change.plan: error[F610]: signature 1 (\(alice.fingerprint)) does not count: its key \(alice.fingerprint) is not in allowed_signers (revoked, or never allowed)"),
      revoked.stderr)
    let listed = try runbook(["plan", "change.plan", "--allowed-signers", "allowed_signers"])
    XCTAssertEqual(listed.status, 0, "plan lists what it found")
    XCTAssertTrue(listed.stdout.contains("  1. ✗ \(alice.fingerprint) at "), listed.stdout)
    XCTAssertTrue(listed.stdout.contains("  2. ✓ bob@example.com ("), listed.stdout)
  }

  func testASignatureMovedFromAnotherPlanIsRefused() throws {
    try plan("hello.yaml", out: "other.plan", greeting: "goodbye")
    try approve(alice, plan: "other.plan")
    try writeSignatures(try signatures("other.plan"))
    let moved = try apply([])
    XCTAssertEqual(moved.status, 2)
    XCTAssertTrue(
      moved.stderr.contains("error[F610]: signature 1 (\(alice.fingerprint)) does not count: it does not verify over this plan (ssh-keygen: Signature verification failed: incorrect signature"),
      moved.stderr)
    XCTAssertEqual(try apply([], plan: "other.plan").status, 0, "it approves the plan it was made for")
  }

  func testAPlanEditedAfterSigningIsRefusedByItsSeal() throws {
    try approve(alice)
    try scratch.write("change.plan", scratch.read("change.plan").replacingOccurrences(of: "\"greeting\": \"hello\"", with: "\"greeting\": \"rm -rf\""))
    let edited = try apply([])
    XCTAssertEqual(edited.status, 2)
    XCTAssertTrue(edited.stderr.contains("error[F603]: change.plan was modified or corrupted after it was written"), edited.stderr)
    let signed = try runbook(["approve", "change.plan", "--key", bob.path])
    XCTAssertEqual(signed.status, 2, "a broken plan is not signed")
    XCTAssertTrue(signed.stderr.contains("error[F603]"), signed.stderr)
  }

  func testTheRunbooksReviewDemand() throws {
    let allowed = scratch.path + "/allowed_signers"
    try scratch.write("reviewed.yaml", Self.runbook(review: "review: { approvals: 2, allowed_signers: \(allowed) }"))
    let plain = try runbook(["apply", "reviewed.yaml", "--yes"])
    XCTAssertEqual(plain.status, 2)
    XCTAssertTrue(plain.stderr.contains("error[F607]: 2 signed approvals are demanded (review:), so runbook 'hello' runs only from a signed plan file"), plain.stderr)

    try plan("reviewed.yaml", out: "reviewed.plan", greeting: "hi")
    XCTAssertTrue(try runbook(["plan", "reviewed.plan"]).stdout.contains("Review: apply needs 2 signed approvals by distinct principals in \(allowed)\n"))
    try approve(alice, plan: "reviewed.plan")
    let one = try runbook(["apply", "reviewed.plan", "--yes"])
    XCTAssertEqual(one.status, 2)
    XCTAssertTrue(one.stderr.contains("the plan has 1 approval by distinct principals in \(allowed); 2 are required"), one.stderr)
    let lowered = try runbook(["apply", "reviewed.plan", "--yes", "--approvals", "1"])
    XCTAssertEqual(lowered.status, 2, "the command line does not lower the runbook's demand")
    let elsewhere = try scratch.write("mine", alice.allowedSignersLine + "\n")
    XCTAssertEqual(try runbook(["apply", "reviewed.plan", "--yes", "--allowed-signers", elsewhere, "--approvals", "1"]).status, 2, "nor does another file")

    try approve(bob, plan: "reviewed.plan")
    XCTAssertEqual(try runbook(["apply", "reviewed.plan", "--yes"]).status, 0)
    let raised = try runbook(["apply", "reviewed.plan", "--yes", "--approvals", "3"])
    XCTAssertEqual(raised.status, 2, "it may raise it")
    XCTAssertTrue(raised.stderr.contains("2 approvals by distinct principals in \(allowed); 3 are required"), raised.stderr)
  }

  func testTheReviewKeyIsCheckedLikeEveryOther() throws {
    try scratch.write("typo.yaml", Self.runbook(review: "review: { aprovals: 0, allowed_signers: etc/allowed }"))
    let checked = try runbook(["validate", "typo.yaml"])
    XCTAssertEqual(checked.status, 2)
    XCTAssertTrue(checked.stderr.contains("error[R101]: unknown key 'aprovals' in review"), checked.stderr)
    XCTAssertTrue(checked.stderr.contains("note: did you mean 'approvals'?"), checked.stderr)
    XCTAssertTrue(checked.stderr.contains("error[R116]: review's allowed_signers must be an absolute path, written out, not 'etc/allowed'"), checked.stderr)
    try scratch.write("zero.yaml", Self.runbook(review: "review: { approvals: 0 }"))
    let zero = try runbook(["validate", "zero.yaml"])
    XCTAssertTrue(zero.stderr.contains("error[R111]: approvals must be at least 1, not 0"), zero.stderr)
    XCTAssertTrue(zero.stderr.contains("error[R103]: review is missing the required key 'allowed_signers'"), zero.stderr)
  }

  func testAnEncryptedKeyAsksForItsPassphraseOnTheTerminal() throws {
    let carol = try SSHKey("carol", type: "ed25519", principal: "carol@example.com", passphrase: "correct horse", in: scratch.path)
    try allow([carol])
    // No agent: ssh-keygen itself must ask, on the terminal the tool runs on.
    let terminal = try TerminalSession(
      ["approve", "change.plan", "--key", carol.path], in: scratch.path, environment: ["SSH_AUTH_SOCK": "", "RUNBOOK_STATE_DIR": scratch.path + "/state"])
    try terminal.wait { $0.contains("passphrase") }
    try terminal.type("correct horse")
    let screen = try terminal.waitForExit()
    XCTAssertTrue(screen.contains("Signed change.plan with \(carol.fingerprint); it carries 1 signature."), screen)
    XCTAssertTrue(screen.contains("[exit 0]"), screen)
    let applied = try apply(["--run-id", "carol"])
    XCTAssertEqual(applied.status, 0, applied.stderr)
    XCTAssertTrue(applied.stderr.contains("Approved by carol@example.com"), applied.stderr)
  }

  func testAMissingKeyOrAllowedSignersFileIsAClearError() throws {
    let missingKey = try runbook(["approve", "change.plan", "--key", "nosuch"])
    XCTAssertEqual(missingKey.status, 2)
    XCTAssertTrue(missingKey.stderr.contains("error[Y015]: cannot read nosuch: no such file"), missingKey.stderr)
    try scratch.write("not-a-key", "hello\n")
    let notAKey = try runbook(["approve", "change.plan", "--key", "not-a-key"])
    XCTAssertEqual(notAKey.status, 2)
    XCTAssertTrue(notAKey.stderr.contains("error[F609]: ssh-keygen could not read the key not-a-key: "), notAKey.stderr)
    XCTAssertFalse(scratch.read("change.plan").contains("signatures"), "nothing was added")

    try approve(alice)
    let missingFile = try runbook(["apply", "change.plan", "--yes", "--allowed-signers", "nosuch"])
    XCTAssertEqual(missingFile.status, 2)
    XCTAssertTrue(missingFile.stderr.contains("error[F606]: cannot read the allowed signers file nosuch: no such file, so no signature can be verified"), missingFile.stderr)
    let noFile = try runbook(["apply", "change.plan", "--yes", "--approvals", "1"])
    XCTAssertEqual(noFile.status, 2)
    XCTAssertTrue(noFile.stderr.contains("error[F608]: --approvals needs an allowed signers file"), noFile.stderr)
    XCTAssertEqual(try runbook(["apply", "change.plan", "--yes"]).status, 0, "a signed plan applies as any plan when nothing is demanded")
  }
}

extension JSONValue {
  /// The same object with the member `key` set to `value`, in its place (at the end when new).
  fileprivate func setting(_ key: String, _ value: JSONValue) -> JSONValue {
    guard case .object(var members) = self else { return self }
    if let index = members.firstIndex(where: { $0.key == key }) {
      members[index].value = value
    } else {
      members.append(.init(key, value))
    }
    return .object(members)
  }
}
