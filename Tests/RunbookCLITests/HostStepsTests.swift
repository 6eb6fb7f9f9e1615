import Foundation
import RunbookKit
import RunbookTestSupport
import XCTest

/// Steps with `on:` run by the real binary on real OpenSSH servers (the `SSHHosts` harness):
/// batches, max_fail, outputs by host, values across the connection, unreachable hosts and
/// unknown host keys, become, and a killed engine resumed host by host.
final class HostStepsTests: XCTestCase {
  private var hosts: SSHHosts!
  private var scratch: ScratchDirectory!

  override func setUpWithError() throws {
    try SSHHosts.requireAvailable()
    hosts = try SSHHosts()
    scratch = try ScratchDirectory("host-steps")
  }

  override func tearDown() {
    hosts?.stopAll()
    hosts = nil
  }

  private func inventory(user: String = "root", knownHosts: String? = nil) throws -> String {
    try scratch.write("hosts.ini", hosts.inventoryINI(groups: ["cp": ["node1", "node2", "node3"]], user: user, knownHosts: knownHosts))
  }

  private func runbook(_ text: String, _ arguments: [String] = [], inventory: String? = nil) throws -> CommandLineTool.Result {
    let file = try scratch.write("hosts.yaml", text)
    return try scratch.runbook(["apply", file, "-i", inventory ?? self.inventory(), "--yes", "--state-dir", scratch.path + "/state"] + arguments)
  }

  private func onHost(_ shell: String, _ name: String) throws -> String {
    try hosts.run(shell, on: name).stdout
  }

  func testAStepRunsOnEachHostOneBatchAtATimeAndItsOutputsAreAMapByHost() throws {
    let result = try runbook("""
      runbook: 1
      name: fan-out
      steps:
        - id: stamp
          on: cp
          serial: 1
          action: shell
          with:
            run: |
              date +%s%N > /etc/kubernetes/stamp
              sleep 0.2
              echo "${{ host.name }} is $(hostname)"
        - id: report
          needs: [stamp]
          action: shell
          with:
            run: printf '%s|%s' '${{ steps.stamp.hosts }}' '${{ steps.stamp.outputs.lines }}'
      """)
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("stamp@node2 | node2 is node2"), result.stdout)
    XCTAssertTrue(result.stdout.contains(#"report | ["node1","node2","node3"]|{"node1":["node1 is node1"],"node2":["node2 is node2"],"node3":["node3 is node3"]}"#), result.stdout)
    let stamps = try ["node1", "node2", "node3"].map { try XCTUnwrap(Int(onHost("cat /etc/kubernetes/stamp", $0).trimmingCharacters(in: .whitespacesAndNewlines))) }
    XCTAssertEqual(stamps, stamps.sorted(), "serial: 1 visits the hosts in inventory order, one after another")
    XCTAssertGreaterThan(stamps[1] - stamps[0], 150_000_000, "node2 starts after node1 ended")
    XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/kubernetes/stamp"), "nothing ran on the machine itself")
  }

  func testABatchWithTooManyFailuresStopsTheBatchesAfterIt() throws {
    let text = """
      runbook: 1
      name: max-fail
      params:
        allowed: { type: int, default: 0 }
      steps:
        - id: touch
          on: cp
          serial: 1
          max_fail: ${{ params.allowed }}
          action: shell
          with:
            run: |
              touch /etc/kubernetes/ran
              test "${{ host.name }}" != node2
      """
    // max_fail takes a number, not an expression: the runbook is refused before anything runs.
    let refused = try runbook(text)
    XCTAssertEqual(refused.status, 2, refused.stderr)
    XCTAssertTrue(refused.stderr.contains("max_fail must be a number of hosts or a percentage"), refused.stderr)

    let stopping = try runbook(text.replacingOccurrences(of: "${{ params.allowed }}", with: "0"))
    XCTAssertEqual(stopping.status, 1, stopping.stdout + stopping.stderr)
    XCTAssertTrue(stopping.stdout.contains("stopped after batch 2: 1 of 1 failed (max_fail 0); not started: node3"), stopping.stdout)
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/ran && echo ran", "node3"), "", "node3 was never started")

    try hosts.run("rm -f /etc/kubernetes/ran", on: "node1")
    let tolerating = try runbook(
      text.replacingOccurrences(of: "${{ params.allowed }}", with: "1")
        + """

          - id: survivors
            needs: [touch]
            action: shell
            with:
              run: "echo 'left: ${{ steps.touch.hosts }}'"
        """)
    XCTAssertEqual(tolerating.status, 0, tolerating.stdout + tolerating.stderr)
    XCTAssertTrue(tolerating.stdout.contains(#"left: ["node1","node3"]"#), tolerating.stdout)
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/ran && echo ran", "node3"), "ran\n")
  }

  func testHostileValuesArriveLiterallyOnTheHost() throws {
    let hostile = "a b; $(touch /tmp/pwned) `id` 'q' \"d\" \\ * ${HOME}\nsecond line"
    // A JSON string is a double-quoted YAML scalar.
    let params = try scratch.write("params.yaml", "value: \(JSONValue.string(hostile).serialized(pretty: false))\n")
    let result = try runbook("""
      runbook: 1
      name: hostile
      params:
        value: { type: string, required: true }
      steps:
        - id: write
          on: node2
          action: shell
          with:
            run: printf '%s' "${{ params.value }}" > /etc/kubernetes/value
        - id: file
          on: node2
          needs: [write]
          action: file.write
          with:
            path: /etc/kubernetes/written
            content: ${{ params.value }}
      """, ["--params", params])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertEqual(try onHost("cat /etc/kubernetes/value", "node2"), hostile)
    XCTAssertEqual(try onHost("cat /etc/kubernetes/written", "node2"), hostile, "a built-in file action runs on the host with the same value")
    XCTAssertEqual(try onHost("test -e /tmp/pwned && echo pwned", "node2"), "")
    XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/kubernetes/written"))
  }

  func testAnUnreachableHostFailsWithTheTransportNamedAndTheOthersRun() throws {
    hosts.stop("node2")
    let result = try runbook("""
      runbook: 1
      name: unreachable
      steps:
        - id: touch
          on: cp
          max_fail: 1
          action: shell
          with:
            run: touch /etc/kubernetes/ran
      """)
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("host node2 (\(hosts.host("node2").address):"), result.stdout)
    XCTAssertTrue(result.stdout.contains("cannot be reached"), result.stdout)
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/ran && echo ran", "node3"), "ran\n")
  }

  func testAnUnknownHostKeyStopsThatHostBeforeAnythingRunsThere() throws {
    let knownHosts = try hosts.knownHostsFile(without: ["node3"], wrongKey: ["node2"])
    let result = try runbook("""
      runbook: 1
      name: host-keys
      steps:
        - id: touch
          on: cp
          max_fail: 2
          action: shell
          with:
            run: touch /etc/kubernetes/ran
      """, inventory: inventory(knownHosts: knownHosts))
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("host node3") && result.stdout.contains("its host key is not in known_hosts; nothing was run there"), result.stdout)
    XCTAssertTrue(result.stdout.contains("ssh-keyscan -p \(hosts.host("node3").port) \(hosts.host("node3").address)"), result.stdout)
    XCTAssertTrue(result.stdout.contains("host node2") && result.stdout.contains("its host key changed"), result.stdout)
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/ran && echo ran", "node1"), "ran\n")
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/ran && echo ran", "node2"), "")
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/ran && echo ran", "node3"), "")
  }

  func testBecomeRunsAsRootThroughSudoAndALoginThatCannotIsAClearError() throws {
    let text = """
      runbook: 1
      name: become
      steps:
        - id: who
          on: node1
          become: true
          action: shell
          with:
            run: id -u
      """
    let allowed = try runbook(text, inventory: inventory(user: SSHHosts.sudoUser))
    XCTAssertEqual(allowed.status, 0, allowed.stdout + allowed.stderr)
    XCTAssertTrue(allowed.stdout.contains("who@node1 | 0"), allowed.stdout)

    let refused = try runbook(text, inventory: inventory(user: SSHHosts.plainUser))
    XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
    XCTAssertTrue(refused.stdout.contains("become failed") && refused.stdout.contains("sudo -n"), refused.stdout)
  }

  func testSIGINTReachesTheCommandOnTheHost() throws {
    let file = try scratch.write("interrupt.yaml", """
      runbook: 1
      name: interrupt
      steps:
        - id: long
          on: node1
          action: shell
          with:
            run: echo $$ > /etc/kubernetes/shell.pid; sleep 60
      """)
    let engine = try CommandLineTool.start(["apply", file, "-i", inventory(), "--yes", "--run-id", "int", "--state-dir", scratch.path + "/state"], in: scratch.path)
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, try onHost("cat /etc/kubernetes/shell.pid 2>/dev/null", "node1").isEmpty { usleep(50_000) }
    let pid = try onHost("cat /etc/kubernetes/shell.pid", "node1").trimmingCharacters(in: .whitespacesAndNewlines)
    engine.signal(SIGINT)
    let result = try engine.finish()
    XCTAssertEqual(result.status, 130, result.stdout + result.stderr)
    XCTAssertNotEqual(try hosts.run("kill -0 \(pid)", on: "node1").status, 0, "the command on the host got the signal and ended")
    let show = try scratch.runbook(["show", "int", "--state-dir", scratch.path + "/state"])
    XCTAssertTrue(show.stdout.contains("long@node1  interrupted"), show.stdout)
  }

  func testAProbeReadsOnTheHostsAndAStepIsSettledOnOneHost() throws {
    try hosts.run("echo x > /etc/kubernetes/admin.conf", on: "node2")
    let text = """
      runbook: 1
      name: probe-hosts
      steps:
        - id: look
          on: cp
          action: file.stat
          with: { path: /etc/kubernetes/admin.conf }
        - id: touch
          needs: [look]
          on: cp
          action: shell
          with:
            run: test "${{ host.name }}" != node3 && touch /etc/kubernetes/touched
      """
    let file = try scratch.write("probe.yaml", text)
    let plan = try scratch.runbook(["plan", file, "-i", inventory(), "--probe"])
    XCTAssertEqual(plan.status, 0, plan.stdout + plan.stderr)
    XCTAssertTrue(plan.stdout.contains("probed: read live"), plan.stdout)
    XCTAssertTrue(plan.stdout.contains(#""node2":true"#), "node2 has the file, read on node2: \(plan.stdout)")
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/touched && echo touched", "node1"), "", "a probe changes nothing")

    let failed = try runbook(text, ["--run-id", "settle"])
    XCTAssertEqual(failed.status, 1, failed.stdout + failed.stderr)
    let misnamed = try scratch.runbook(["resume", "settle", "--mark-done", "touch@node9"])
    XCTAssertEqual(misnamed.status, 2, misnamed.stdout + misnamed.stderr)
    XCTAssertTrue(misnamed.stderr.contains("'touch@node9' names no host of a step"), misnamed.stderr)
    let settled = try scratch.runbook(["resume", "settle", "--mark-done", "touch@node3"])
    XCTAssertEqual(settled.status, 0, settled.stdout + settled.stderr)
    XCTAssertFalse(settled.stdout.contains("▶ touch@node1"), "node1 was done: " + settled.stdout)
    let show = try scratch.runbook(["show", "settle"])
    XCTAssertTrue(show.stdout.contains("touch@node3  succeeded"), show.stdout)
    XCTAssertTrue(show.stdout.contains("marked done by the operator"), show.stdout)
  }

  func testAStepCannotBothLoopAndRunOnHosts() throws {
    let file = try scratch.write("both.yaml", """
      runbook: 1
      name: both
      steps:
        - id: both
          for_each: [a, b]
          on: cp
          action: noop
          with: { message: x }
      """)
    let result = try scratch.runbook(["validate", file])
    XCTAssertEqual(result.status, 2)
    XCTAssertTrue(result.stderr.contains("error[R117]: a step cannot have both 'on' and 'for_each'"), result.stderr)
  }

  func testAConnectionLostWhileTheCommandRunsLeavesTheStepInDoubtNotFailed() throws {
    let file = try scratch.write("drop.yaml", """
      runbook: 1
      name: drop
      steps:
        - id: once
          on: node2
          action: shell
          with:
            run: echo x >> /etc/kubernetes/count; sleep 3; touch /etc/kubernetes/done
      """)
    let engine = try CommandLineTool.start(["apply", file, "-i", inventory(), "--yes", "--run-id", "drop", "--state-dir", scratch.path + "/state"], in: scratch.path)
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, try onHost("cat /etc/kubernetes/count 2>/dev/null", "node2").isEmpty { usleep(50_000) }
    // The connection drops (node2's sshd sessions die, its listener stays), the command on the
    // host runs on.
    let killSessions = """
      me=$(readlink /proc/self/ns/mnt)
      for p in $(pgrep -x sshd); do
        [ "$(readlink /proc/$p/ns/mnt)" = "$me" ] || continue
        grep -q listener /proc/$p/cmdline && continue
        kill -9 $p
      done
      """
    XCTAssertEqual(try hosts.run(killSessions, on: "node2").status, 0)
    let dropped = try engine.finish()
    XCTAssertEqual(dropped.status, 3, "in doubt, not failed: " + dropped.stdout + dropped.stderr)
    XCTAssertTrue(dropped.stdout.contains("in doubt"), dropped.stdout)

    let resumed = try scratch.runbook(["resume", "drop"])
    XCTAssertEqual(resumed.status, 3, "not idempotent, no verify: it stays in doubt: " + resumed.stdout + resumed.stderr)
    XCTAssertEqual(try onHost("cat /etc/kubernetes/count", "node2"), "x\n", "the command ran once")
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/done && echo done", "node2"), "done\n", "resume waited for the command the drop left running")
    let settled = try scratch.runbook(["resume", "drop", "--mark-done", "once@node2"])
    XCTAssertEqual(settled.status, 0, settled.stdout + settled.stderr)
  }

  func testStepsThatReachAHostAtOnceShareOneMasterAndADamagedAgentIsCopiedAgain() throws {
    // A damaged agent where the engine's would be: its first 4 KiB only, carried in the command
    // (a host does not see this machine's /tmp, where a CI clone builds).
    let binary = CommandLineTool.binary
    let sha256 = try XCTUnwrap(TimedCommand.run(["sha256sum", binary]).stdout.split(separator: " ").first)
    let head = try XCTUnwrap(FileHandle(forReadingAtPath: binary)).readData(ofLength: 4096).base64EncodedString()
    let damaged = "/root/.cache/runbook/agents/\(sha256)"
    let planted = try hosts.run("mkdir -p \(damaged) && echo \(head) | base64 -d > \(damaged)/runbook && chmod 700 \(damaged)/runbook", on: "node1")
    XCTAssertEqual(planted.status, 0, planted.stderr)
    let result = try runbook("""
      runbook: 1
      name: at-once
      steps:
        - { id: a, on: node1, action: shell, with: { run: echo a } }
        - { id: b, on: node1, action: shell, with: { run: echo b } }
        - { id: c, on: node1, action: shell, with: { run: echo c } }
      """)
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    let size = try onHost("wc -c < \(damaged)/runbook", "node1").trimmingCharacters(in: .whitespacesAndNewlines)
    XCTAssertEqual(Int(size), try XCTUnwrap(FileManager.default.attributesOfItem(atPath: binary)[.size] as? Int), "copied again, whole")
    let masters = try TimedCommand.run(["pgrep", "-f", "ControlMaster=yes.*\(hosts.host("node1").address)"]).stdout
    XCTAssertEqual(masters, "", "no master outlives the run")
  }

  func testAHostTheEngineCannotReachAsItsVariablesSayRunsNothing() throws {
    let ini = try String(contentsOfFile: inventory(), encoding: .utf8)
    let file = try scratch.write("local.ini", ini.replacingOccurrences(of: "node3 ansible_host", with: "node3 ansible_connection=local ansible_host"))
    let result = try runbook("""
      runbook: 1
      name: unusable
      steps:
        - id: touch
          on: cp
          max_fail: 1
          action: shell
          with: { run: touch /etc/kubernetes/ran }
      """, inventory: file)
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("ansible_connection is local; the engine reaches hosts over ssh only"), result.stdout)
    XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/kubernetes/ran"), "nothing ran on this machine")
    XCTAssertEqual(try onHost("test -e /etc/kubernetes/ran && echo ran", "node3"), "")
  }

  func testAKilledEngineResumesWithTheHostWhereItStoppedAndRunsEachHostOnce() throws {
    let file = try scratch.write("killed.yaml", """
      runbook: 1
      name: killed
      steps:
        - id: roll
          on: cp
          serial: 1
          action: shell
          with:
            run: |
              echo x >> /etc/kubernetes/count
              sleep 2
              touch /etc/kubernetes/done
          verify:
            - check: file.stat
              with: { path: /etc/kubernetes/done }
              expect: ${{ check.exists }}
      """)
    let state = scratch.path + "/state"
    let engine = try CommandLineTool.start(["apply", file, "-i", inventory(), "--yes", "--run-id", "killed", "--state-dir", state], in: scratch.path)
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, try onHost("cat /etc/kubernetes/count 2>/dev/null", "node2").isEmpty { usleep(50_000) }
    engine.signal(SIGKILL)
    _ = try engine.finish()
    XCTAssertEqual(try onHost("cat /etc/kubernetes/count", "node2"), "x\n", "the engine died while node2 ran")

    let resumed = try scratch.runbook(["resume", "killed", "--state-dir", state])
    XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
    for name in ["node1", "node2", "node3"] {
      XCTAssertEqual(try onHost("cat /etc/kubernetes/count", name), "x\n", "\(name) ran exactly once")
    }
    XCTAssertTrue(resumed.stdout.contains("roll@node2"), resumed.stdout)
    XCTAssertFalse(resumed.stdout.contains("▶ roll@node1"), "node1 was done: " + resumed.stdout)
  }
}
