import Foundation
import RunbookKit
import RunbookTestSupport
import RunbookYAML
import XCTest

/// The differential shell generator (docs/runbook-format.md, "Values in shell scripts"): scripts
/// drawn from a grammar of the constructs real scripts have, nested, with a `${{ }}` value in a
/// random context, are rendered as the shell action renders them and run under dash, bash
/// --posix and bash as `sh` with hostile values. Every script is either refused, as its context
/// demands, or prints the value byte for byte, and no marker file ever appears. Runs for
/// `RUNBOOK_FUZZ_SECONDS` (default 3); `RUNBOOK_FUZZ_SEED` replays a failure.
final class ShellDifferentialTests: XCTestCase {
  static let marker = "M"
  static let values: [String] = [
    "*", "a  b", "-rf", "$(touch M)", "`touch M`", "'", "\"", "\\", "a\nb\n", "x[$(touch M)]", "PATH=7", "-v",
    "EOF\ntouch M\nEOF", "a'\"b\\`c$(touch M)\n;touch M", "", String(repeating: "ab $(touch M) ", count: 731),
  ]

  /// A construct that prints its value: the script text with `P` where the value stands, and
  /// what it prints for a value; nil when the value's context must be refused.
  struct Emitter: Sendable {
    var text: String
    var output: (@Sendable (String) -> String)?
    /// Whether it may stand inside backquotes (no backquotes or backslashes of its own).
    var backquotable = true
  }

  @Sendable static func bracketed(_ v: String) -> String { "[" + v + "]" }

  static let emitters: [Emitter] = [
    Emitter(text: "printf '[%s]' P", output: bracketed),
    Emitter(text: "printf '[%s]' \"P\"", output: bracketed),
    Emitter(text: "printf '[%s]' \"a P b\"", output: { "[a " + $0 + " b]" }),
    Emitter(text: "printf '[%s]' 'P'", output: bracketed),
    Emitter(text: "printf '[%s]' 'x'P'y'", output: { "[x" + $0 + "y]" }),
    Emitter(text: "x_=P\nprintf '[%s]' \"$x_\"", output: bracketed),
    Emitter(text: "x_=pre\"P\"\nprintf '[%s]' \"$x_\"", output: { "[pre" + $0 + "]" }),
    Emitter(text: "export X_=P\nprintf '[%s]' \"$X_\"", output: bracketed),
    Emitter(text: "for i_ in P; do printf '[%s]' \"$i_\"; done", output: bracketed),
    // Assignments stand on lines of their own: bash 5.2 loses `x=...; cmd` on the line right
    // after a here-document inside $( ), with or without values.
    Emitter(text: "y_=P\ncase \"$y_\" in P) printf '[%s]' \"$y_\";; *) printf MISMATCH;; esac", output: bracketed),
    Emitter(text: "printf '[%s]' \"$(printf '%sx' P)\"", output: { "[" + $0 + "x]" }),
    Emitter(text: "printf '[%s]' \"$( (true); printf '%sx' P )\"", output: { "[" + $0 + "x]" }),
    Emitter(text: "printf '[%s]' \"$(case a in a) printf '%sx' P;; esac)\"", output: { "[" + $0 + "x]" }),
    Emitter(text: "printf '[%s]' \"`printf '%sx' P`\"", output: { "[" + $0 + "x]" }, backquotable: false),
    Emitter(text: "cat <<EOF\n[P]\nEOF\n", output: { "[" + $0 + "]\n" }),
    Emitter(text: "cat <<-EOF\n\t[P]\n\tEOF\n", output: { "[" + $0 + "]\n" }),
    Emitter(text: "cat <<A; cat <<'B'\n[P]\nA\nit's $x\nB\n", output: { "[" + $0 + "]\nit's $x\n" }),
    Emitter(text: "cat <<EOF\n$(printf '[%s]' P)\nEOF\n", output: { "[" + $0 + "]\n" }),
    Emitter(text: "f_() { printf '[%s]' \"$1\"; }; f_ P", output: bracketed),
    Emitter(text: "printf '[%s]' P 2>/dev/null", output: bracketed),
    Emitter(text: "printf '[%s]' P | cat", output: bracketed),
    Emitter(text: "[ P = P ] && printf '[%s]' P", output: bracketed),
    Emitter(text: "if true; then printf '[%s]' P; fi", output: bracketed),
    Emitter(text: "sh -c 'printf \"[%s]\" \"$1\"' _ P", output: bracketed),
    Emitter(text: "printf '[%s]' P # it's \"a\" <<EOF", output: bracketed),
    Emitter(text: "printf '[%s]' \"${Z_:-z}\"P\"${#Z_}\"", output: { "[z" + $0 + "0]" }),
    Emitter(text: "printf '[%s]' \"$(( 1 + 2 ))\"P", output: { "[3" + $0 + "]" }),
    Emitter(text: "cat <<EOF | cat\n[P]\nEOF\n", output: { "[" + $0 + "]\n" }),
    Emitter(text: "cat < /dev/null; printf '[%s]' P 2> /dev/null", output: bracketed),
    // Refused: no quoting makes the value literal here.
    Emitter(text: "x_=$(( P + 0 ))", output: nil),
    Emitter(text: "printf '%s' \"$(( P ))\"", output: nil),
    Emitter(text: "(( P ))", output: nil),
    Emitter(text: "[[ P == x ]]", output: nil),
    Emitter(text: "eval \"x_=P\"", output: nil),
    Emitter(text: "let x_=P", output: nil),
    Emitter(text: "declare P", output: nil),
    Emitter(text: "printf -v P '%s' x", output: nil),
    Emitter(text: "a_[P]=1", output: nil),
    Emitter(text: "cat <<'EOF'\nP\nEOF\n", output: nil),
    Emitter(text: "printf '%s' \"${Z_:-P}\"", output: nil),
    Emitter(text: "printf '%s' P | sh", output: nil),
    Emitter(text: "sh -c \"printf %s P\"", output: nil),
    Emitter(text: "trap \"P\" EXIT", output: nil),
    Emitter(text: "read P </dev/null", output: nil),
    Emitter(text: "printf '%s' $P", output: nil),
    Emitter(text: "sh <<EOF\nprintf %s P\nEOF\n", output: nil),
    // Found by attacking the scanner: each of these once ran the value.
    Emitter(text: "sh > /dev/null <<EOF\nprintf %s P\nEOF\n", output: nil),
    Emitter(text: "cat <<EOF | sh\nprintf %s P\nEOF\n", output: nil),
    Emitter(text: "{ printf '%s' \"printf %s P\"; } | sh", output: nil),
    Emitter(text: "sh -o nounset <<EOF\nprintf %s P\nEOF\n", output: nil),
    Emitter(text: "command -p eval \"printf %s P\"", output: nil),
    Emitter(text: "sh -c -- \"printf %s P\"", output: nil),
    Emitter(text: "printf '%s' \"printf %s P\" |\n  sh", output: nil),
    Emitter(text: "printf '%s' \"printf %s P\" | { cd / && sh; }", output: nil),
    Emitter(text: "sh -c -e \"printf %s P\"", output: nil),
    Emitter(text: "alias e_=eval\ne_ \"printf %s P\"", output: nil),
    Emitter(text: "printf '[%s]' P |\n  cat", output: bracketed),
  ]

  /// Lines that print nothing and hold every construct that confuses a naive scanner.
  static let noise: [String] = [
    "# a comment with \"quotes and 'apostrophes, <<EOF, $( and `",
    ": hi # isn't it",
    ": a#b \"c#d\" 'e#f'",
    "cat <<'NOISE' >/dev/null\nit's \"quoted\" $(( 1 + ))\nNOISE",
    "cat <<NOISE >/dev/null\n$(printf '%s' \"it's\") ' \"\nNOISE",
    "cat <<A >/dev/null; cat <<-B >/dev/null\na'\nA\n\tb\"\n\tB",
    ": \"${Z_:-\"a b\"}\" ${Z_%%*/} ${#Z_}",
    "n_=$(( (1 + 2) * 3 ))",
    ": $( (true) ) \"$(case a in a) :;; (b) :;; esac)\"",
    "g_() { : \"it's\"; }",
    "for w_ in a b; do :; done",
    ": \"\\\"\" '\\' \\' \\\"",
    ": \\$\\( x\\`",
    ": a \\\n  b",
    "while false; do :; done",
    "case x in x|y) : ;; esac",
    ": `: \"a\"` \"`: 'b'`\"",
    "{ : ; } >/dev/null 2>&1",
    ": $(: $(: 'x)'))",
  ]

  struct Generated {
    var script: String
    /// The output for a value, or nil when the script must be refused.
    var output: ((String) -> String)?
  }

  /// A script nested `depth` wrappers deep around one emitter, with noise between.
  static func generate(_ random: inout SplitMix64, depth: Int, inBackquotes: Bool = false) -> Generated {
    func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    let lines = inBackquotes ? noise.filter { !$0.contains("`") && !$0.contains("\\") } : noise
    func noiseLines() -> String {
      (0..<Int(random.next() % 3)).map { _ in pick(lines) + "\n" }.joined()
    }
    if depth == 0 {
      let choices = inBackquotes ? emitters.filter(\.backquotable) : emitters
      let emitter = pick(choices)
      return Generated(script: noiseLines() + emitter.text + "\n" + noiseLines(), output: emitter.output)
    }
    let wrapper = Int(random.next() % 12)
    let inner = generate(&random, depth: depth - 1, inBackquotes: wrapper == 9 ? true : inBackquotes)
    let body = inner.script
    func strip(_ s: String) -> String {
      var s = s
      while s.hasSuffix("\n") { s.removeLast() }
      return s
    }
    let output = inner.output
    switch wrapper {
    case 0: return Generated(script: "(\n" + body + ")\n", output: output)
    case 1: return Generated(script: "{\n" + body + "}\n", output: output)
    case 2: return Generated(script: "if true; then\n" + body + "fi\n", output: output)
    case 3: return Generated(script: "for _ in 1; do\n" + body + "done\n", output: output)
    case 4: return Generated(script: "case x in x)\n" + body + ";; esac\n", output: output)
    case 5: return Generated(script: "case x in (x)\n" + body + ";;\n(*) : ;;\nesac\n", output: output)
    case 6: return Generated(script: "f\(depth)_() {\n" + body + "}\nf\(depth)_\n", output: output)
    case 7: return Generated(script: "while :; do\n" + body + "break; done\n", output: output)
    case 8: return Generated(script: "printf '%s' \"$(\n" + body + ")\"\n", output: output.map { o in { strip(o($0)) } })
    case 9 where !inBackquotes:
      return Generated(script: "printf '%s' \"`\n" + body + "`\"\n", output: output.map { o in { strip(o($0)) } })
    case 10: return Generated(script: "cat <<W\(depth)\n$(\n" + body + ")\nW\(depth)\n", output: output.map { o in { strip(o($0)) + "\n" } })
    default: return Generated(script: "true && {\n" + body + "} | cat\n", output: output)
    }
  }

  func testGeneratedScriptsAreRefusedOrPrintTheValueExactly() throws {
    let environment = ProcessInfo.processInfo.environment
    let seconds = Double(environment["RUNBOOK_FUZZ_SECONDS"] ?? "") ?? 3
    let seed = UInt64(environment["RUNBOOK_FUZZ_SEED"] ?? "") ?? 0x5E11
    var random = SplitMix64(seed: seed)
    let scratch = try ScratchDirectory("shell-differential")
    try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: scratch.path + "/bin/sh", withDestinationPath: "/bin/bash")
    let shells: [(name: String, argv: [String])] = [
      ("dash", ["/bin/dash"]), ("bash --posix", ["/bin/bash", "--posix"]), ("bash as sh", [scratch.path + "/bin/sh"]),
    ]
    let deadline = Date().addingTimeInterval(seconds)
    var scripts = 0
    var refused = 0
    while Date() < deadline || scripts < 20 {
      var batch: [(number: Int, generated: Generated, rendered: ShellScriptBinding)] = []
      for _ in 0..<40 {
        scripts += 1
        let generated = Self.generate(&random, depth: Int(random.next() % 4))
        let template = try Self.template(generated.script.replacingOccurrences(of: "P", with: "${{ params.v }}"))
        let sites = ShellScriptBinding.sites(of: template)
        let isRefused = sites.contains { $0.refusal != nil }
        guard generated.output != nil else {
          XCTAssertTrue(isRefused, "seed \(seed) script \(scripts) was not refused:\n\(generated.script)")
          refused += 1
          continue
        }
        // The one accepting emitter that starts a shell makes whatever the script pipes untrusted.
        if generated.script.contains("sh -c 'printf"), sites.allSatisfy({ $0 == .refused(.fedToShell) || $0.refusal == nil }), isRefused {
          refused += 1
          continue
        }
        guard !isRefused else {
          XCTFail("seed \(seed) script \(scripts) was refused (\(sites)):\n\(generated.script)")
          continue
        }
        let rendered = try ShellScriptBinding.render(template) { _ in .string("") }
        batch.append((scripts, generated, rendered))
      }
      for shell in shells {
        let value = Self.values[Int(random.next() % UInt64(Self.values.count))]
        let outputs = try Self.run(batch.map(\.rendered), value: value, shell: shell.argv, in: scratch.path)
        for (entry, output) in zip(batch, outputs) {
          let expected = entry.generated.output!(value)
          if output.status != 0 || output.stdout != expected {
            XCTFail("seed \(seed) script \(entry.number) under \(shell.name) with \(value.debugDescription.prefix(80)): exit \(output.status), printed \(output.stdout.debugDescription.prefix(200)), expected \(expected.debugDescription.prefix(200))\n\(entry.rendered.script)")
          }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/work/" + Self.marker), "seed \(seed): a marker appeared under \(shell.name) with \(value.debugDescription.prefix(80))")
      }
      if testRun?.failureCount ?? 0 > 0 { break }
    }
    print("shell differential: \(scripts) scripts, \(refused) refused as expected, seed \(seed)")
  }

  static func template(_ script: String) throws -> Template {
    let node = YAMLNode(.scalar(YAMLScalar(text: script, style: .literal, value: .string(script))), range: SourceRange(line: 1, column: 1, length: 1))
    return try Template.parse(script, node: node)
  }

  /// Runs every script of `scripts` under `shell -e -c`, with every binding set to `value`, from
  /// one driver, and gives each one's exit status and standard output.
  static func run(_ scripts: [ShellScriptBinding], value: String, shell: [String], in directory: String) throws -> [(status: Int32, stdout: String)] {
    let work = directory + "/work"
    try? FileManager.default.removeItem(atPath: work)
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    try value.write(toFile: directory + "/value", atomically: false, encoding: .utf8)
    var driver = "v=$(cat '\(directory)/value'; printf x); v=${v%x}\n" + (1...8).map { "export RUNBOOK_VALUE_\($0)=\"$v\"\n" }.joined() + "cd '\(work)'\n"
    for (k, script) in scripts.enumerated() {
      try script.script.write(toFile: "\(directory)/script-\(k)", atomically: false, encoding: .utf8)
      let argv = shell.map { "'\($0)'" }.joined(separator: " ")
      driver += "timeout 10 \(argv) -e -c \"$(cat '\(directory)/script-\(k)')\" </dev/null >'\(directory)/out-\(k)' 2>/dev/null; echo $? >'\(directory)/rc-\(k)'\n"
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/dash")
    process.arguments = ["-c", driver]
    try process.run()
    process.waitUntilExit()
    return try scripts.indices.map { k in
      let status = Int32(try String(contentsOfFile: "\(directory)/rc-\(k)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
      let stdout = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(directory)/out-\(k)")), as: UTF8.self)
      return (status, stdout)
    }
  }
}
