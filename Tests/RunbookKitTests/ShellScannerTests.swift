import RunbookKit
import XCTest

/// Where `ShellScanner` places a value, for the scripts an attack on issue 10 §1 found: each
/// either ran a value as code or refused an ordinary script before the scanner learned it.
final class ShellScannerTests: XCTestCase {
  /// A script with `V` where the value stands, and the refusal it must get (nil: accepted).
  static let cases: [(script: String, refusal: ShellRefusal?)] = [
    // A blank after a redirection operator hid the redirection.
    ("bash <<< \"echo V\"", .shellScript("bash")),
    ("sh > /tmp/out.log <<EOF\necho V\nEOF\n", .shellScript("sh")),
    ("sh 2> /dev/null <<EOF\necho V\nEOF\n", .shellScript("sh")),
    ("read -r x <<< \"V\"", nil),
    ("read -r x < \"V\"", nil),
    // A here-document or a group piped into a shell.
    ("cat <<EOF | sh\necho V\nEOF\n", .shellScript("sh")),
    ("cat <<EOF | ssh deploy@host\ngit checkout V\nEOF\n", .shellScript("ssh")),
    ("{ echo \"echo V\"; } | sh", .shellScript("sh")),
    ("if true; then\n  echo \"echo V\"\nfi | sh", .shellScript("sh")),
    ("cat <<EOF | cat\nV\nEOF\n", nil),
    // Shells reading standard input wherever they stand in the command.
    ("su - root <<EOF\necho V\nEOF\n", .shellScript("su")),
    ("chroot / /bin/sh <<EOF\necho V\nEOF\n", .shellScript("sh")),
    ("unshare -m sh <<EOF\necho V\nEOF\n", .shellScript("sh")),
    ("bash -o pipefail <<EOF\necho V\nEOF\n", .shellScript("bash")),
    ("ssh host bash <<EOF\necho V\nEOF\n", .shellScript("bash")),
    ("docker exec -i c bash -s <<EOF\necho V\nEOF\n", .shellScript("bash")),
    ("sudo -u postgres -s <<EOF\necho V\nEOF\n", .shellScript("sudo")),
    ("sh /dev/stdin <<EOF\necho V\nEOF\n", .shellScript("sh")),
    // A script that starts a shell feeds it nothing: the script may read its input as code.
    ("sh ./script.sh <<EOF\nV\nEOF\n", .fedToShell),
    // -c in its other spellings, and wrappers whose options take no argument.
    ("flock /tmp/lk -c \"echo V\"", .shellScript("flock -c")),
    ("bash -c -- \"echo V\"", .shellScript("bash -c")),
    ("su root --command=\"echo V\"", .shellScript("su --command")),
    ("command -p eval \"echo V\"", .evaluatingBuiltin("eval")),
    ("sh -c 'printf \"%s\" \"$1\"' _ V", nil),
    // Builtins that parse assignments at run time.
    ("f() {\n  local -a hosts=\"V\"\n}", .declaration("local")),
    ("declare -i retries=V", .declaration("declare")),
    ("export KUBECONFIG=V", nil),
    // Places dash and bash read differently.
    ("msg=$(cat <<EOF\ndeploying\nEOF)\nsh -c \"echo V\"", .shellScript("sh -c")),
    ("cat <<EOF\n`sh -c \\\"echo V\\\"`\nEOF\n", .unparsed),
    ("cat <<EOF; x=$(echo a\nprintf '[%s]\\n' V)\nbody\nEOF\n", .unparsed),
    ("x=$(cat <<EOF)\nprintf '[%s]\\n' V\nEOF\n", .unparsed),
    ("[[ $x == \"]]\" || $y -eq V ]]", .conditional),
    // Process substitution feeds data, unless a shell reads it.
    ("mapfile -t lines < <(printf '%s\\n' \"V\")", nil),
    ("while read -r l; do :; done < <(echo \"V\")", nil),
    ("source <(printf '%s' \"V\")", .shellScript("source")),
    // A second attack: pipelines across lines and into compound commands, line continuations
    // inside operators, aliases, coproc, -c with options, /dev/fd/0, keywords that are not.
    ("printf \"%s\\n\" \"echo V\" |\n  sh", .shellScript("sh")),
    ("cat <<EOF |\necho V\nEOF\nsh", .shellScript("sh")),
    ("echo \"echo V\" | # run it\n  sh", .shellScript("sh")),
    ("echo \"echo V\" | { cd /tmp && sh; }", .shellScript("sh")),
    ("echo \"echo V\" | if true; then sh; fi", .shellScript("sh")),
    ("echo \"echo V\" | (cd /tmp && exec sh)", .shellScript("sh")),
    ("sh <\\\n<EOF\necho V\nEOF\n", .unparsed),
    ("[\\\n[ 1 -eq V ]] || true", .unparsed),
    ("alias e=eval\ne \"echo V\"", .unparsed),
    ("coproc eval \"echo V\"", .evaluatingBuiltin("eval")),
    ("sh -c -e \"echo V\"", .shellScript("sh -c")),
    ("bash -c -o pipefail \"echo V\"", .shellScript("bash -c")),
    ("sh -c 'echo \"$1\"' -e V", nil),
    ("echo \"echo V\" | sh /dev/fd/0", .shellScript("sh")),
    ("sh < <(echo \"echo V\")", .shellScript("sh")),
    ("2>/dev/null case x || true\neval \"echo V\"", .evaluatingBuiltin("eval")),
    ("\\case x || true\neval \"echo V\"", .evaluatingBuiltin("eval")),
    ("script -qc \"echo V\" /dev/null", .shellScript("script -c")),
    ("sg root \"echo V\"", .evaluatingBuiltin("sg")),
    ("echo \"V\" | xargs -I{} sh -c \"echo {}\"", .shellScript("xargs")),
    ("sshpass -p x ssh host \"echo V\"", .shellScript("ssh")),
    ("getent passwd \"V\" | grep -q bash", nil),
    ("echo \"V\" | tee /tmp/sh", nil),
    ("echo \"V\" | sudo -iu postgres psql -c 'select 1'", nil),
    ("printf '%s\\n' \"V\" | runuser -u nobody -- cat", nil),
    ("cmd --flag \\\n  \"V\"", nil),
    ("printf '[%s]\\n' \"V\" |\n  cat", nil),
    // A third attack: option clusters, compound commands with here-documents, shells started
    // from strings, functions, code variables. In a script that starts a shell, nothing fed to
    // another program's input is trusted.
    ("bash -eo pipefail <<EOF\necho V\nEOF\n", .shellScript("bash")),
    ("bash -c -eo pipefail \"echo V\"", .shellScript("bash -c")),
    ("{ sh; } <<EOF\necho V\nEOF\n", .fedToShell),
    ("for h in a; do\n sh\ndone <<EOF\necho V\nEOF\n", .fedToShell),
    ("ssh -qo BatchMode=yes host <<EOF\necho V\nEOF\n", .shellScript("ssh")),
    ("ssh host 'bash -s' <<EOF\necho V\nEOF\n", .fedToShell),
    ("sudo -iu postgres <<EOF\necho V\nEOF\n", .shellScript("sudo")),
    ("cat <<EOF\n\\\nEOF\neval \"echo V\"\nEOF\n", .unparsed),
    ("echo \"echo V\" > >(sh)", .fedToShell),
    ("sh /dev/fd/3 3<<EOF\necho V\nEOF\n", .fedToShell),
    ("su root --comm=\"echo V\"", .shellScript("su --command")),
    ("rbash -c \"echo V\"", .shellScript("rbash -c")),
    ("{fd}>/dev/null eval \"echo V\"", .evaluatingBuiltin("eval")),
    ("$'eval' \"echo V\"", .evaluatingBuiltin("eval")),
    ("declare -i retries\nretries=V", .codeVariable("retries")),
    ("env -S \"sh -c 'echo V'\"", .shellScript("env -S")),
    ("run() { sh -c \"$1\"; }\nrun \"echo V\"", .functionArgument("run")),
    ("ssh -o ProxyCommand=\"nc V 22\" host true", .shellScript("ssh -o ProxyCommand")),
    ("GIT_SSH_COMMAND=\"ssh -i V\" git ls-remote ssh://x/y", .codeVariable("GIT_SSH_COMMAND")),
    ("tmux new-session -d \"echo V\"", .evaluatingBuiltin("tmux")),
    ("eval \"alias e=eval\"\ne \"echo V\"", .unparsed),
    ("cat <<EOF > /etc/app.conf\nvalue=V\nEOF\nsystemctl restart app", nil),
    ("echo \"V\" | systemd-cat -t sh", nil),
  ]

  func testEachScriptIsPlacedAsItsContextDemands() throws {
    for (script, refusal) in Self.cases {
      let template = try ShellDifferentialTests.template(script.replacingOccurrences(of: "V", with: "${{ params.v }}"))
      let sites = ShellScriptBinding.sites(of: template)
      XCTAssertEqual(sites.count, 1, script)
      XCTAssertEqual(sites.first?.refusal, refusal, script)
    }
  }

  func testDeepNestingIsRefusedNotACrash() throws {
    let script = "echo " + String(repeating: "$(", count: 5000) + "${{ params.v }}" + String(repeating: ")", count: 5000)
    XCTAssertEqual(ShellScriptBinding.sites(of: try ShellDifferentialTests.template(script)), [.refused(.unparsed)])
    let shallow = "echo " + String(repeating: "$(", count: 50) + "printf %s ${{ params.v }}" + String(repeating: ")", count: 50)
    XCTAssertEqual(ShellScriptBinding.sites(of: try ShellDifferentialTests.template(shallow)), [.word])
  }
}
