/// The words of one simple command as `ShellScanner` reads them, enough to know what kind of
/// argument a value would become: the value of an assignment, an argument of `eval`, the script
/// of `sh -c`. A word is its text after quote removal, or nil when it holds an expansion.
struct SimpleCommand {
  var words: [String?] = []
  /// Whether a redirection came before its words: then no word is a keyword (`2>/dev/null case`).
  var redirected = false
  /// Whether a process substitution (`<( )`, `>( )`) stands in it.
  var hasProcessSubstitution = false

  static let evaluating: Set<String> = [
    "eval", "let", "trap", "alias", "read", "mapfile", "readarray", "getopts", "unset", "wait", "fc", "bind",
    "complete", "compgen", "watch", "sg", "tmux", "screen",
  ]
  /// Variables whose value a program runs as a command, or a shell reads as code.
  static let commandVariables: Set<String> = [
    "GIT_SSH_COMMAND", "GIT_SSH", "GIT_PROXY_COMMAND", "GIT_EDITOR", "GIT_PAGER", "EDITOR", "VISUAL", "PAGER", "SSH_ASKPASS",
    "SUDO_ASKPASS", "PROMPT_COMMAND", "ENV", "BASH_ENV", "PS1", "PS2", "PS4", "IFS", "PATH", "LD_PRELOAD", "LD_LIBRARY_PATH",
  ]
  /// Commands that never run their arguments or their input: a shell's name among their
  /// arguments (`grep -q bash`, `tee /tmp/sh`) is data.
  static let dataCommands: Set<String> = [
    "grep", "egrep", "fgrep", "tee", "logger", "cat", "echo", "printf", "sort", "uniq", "wc", "head", "tail", "cut", "tr",
    "sed", "awk", "jq", "base64", "sha256sum", "md5sum", "cmp", "diff", "test", "[", "stat", "ls", "getent", "id", "systemd-cat",
  ]
  /// Programs that read their standard input as a script, beyond the shells.
  static let inputRunners: Set<String> = ["at", "batch", "crontab"]
  /// Builtins that parse their assignments at run time: bash reads `NAME=(...)` as a compound
  /// assignment when NAME is an array, and evaluates the value when NAME has `-i`.
  static let declaring: Set<String> = ["declare", "typeset", "local", "readonly"]
  /// Commands that run the next one, with their options that take an argument: they are skipped
  /// to find the command that runs.
  static let wrappers: [String: Set<String>] = [
    "command": [], "builtin": [], "exec": ["-a"], "nohup": [], "time": [], "setsid": [], "doas": ["-u", "-C"],
    "sudo": ["-u", "-g", "-C", "-D", "-p", "-r", "-t", "-U", "-h", "-R", "-T"],
    "env": ["-u", "-C", "-S"], "nice": ["-n"], "timeout": ["-s", "-k"], "stdbuf": ["-i", "-o", "-e"],
    "xargs": ["-I", "-L", "-n", "-s", "-d", "-E", "-P", "-a"], "ionice": ["-c", "-n", "-p"], "chrt": [], "taskset": [],
  ]
  /// Programs that run a script given as an argument (`-c WORD`, `--command=WORD`) or read from
  /// their standard input.
  static let shells: Set<String> = [
    "sh", "bash", "rbash", "dash", "ksh", "ksh93", "mksh", "lksh", "pdksh", "zsh", "ash", "yash", "posh", "fish", "csh", "tcsh",
    "busybox", "su", "runuser", "flock", "script",
  ]
  /// Words that, anywhere in a script, mean it starts a shell or runs text as code: then no
  /// value may be fed to another program's input (`ShellRefusal.fedToShell`).
  static let shellStarters: Set<String> = shells.subtracting(["su", "runuser"]).union(["ssh", "eval", "source", ".", "at", "batch", "crontab", "watch", "sg", "tmux", "screen"])
  /// Shell options that take the next word as their argument.
  static let shellOptionArguments: Set<String> = ["-o", "+o", "-O", "+O", "--rcfile", "--init-file"]
  /// ssh options that take an argument (from ssh(1)).
  static let sshOptionsWithArgument = Set("BbcDEeFIiJLlmOoPpQRSWw")

  var isEmpty: Bool { words.isEmpty }

  /// Whether `word` assigns a variable (`NAME=...` or `NAME+=...`); `text` is what precedes the value.
  static func isAssignment(_ text: String?) -> Bool {
    guard let text, let equals = text.firstIndex(of: "=") else { return false }
    var name = text[..<equals]
    if name.hasSuffix("+") { name = name.dropLast() }
    return isName(name)
  }

  static func isName(_ text: Substring) -> Bool {
    guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
    return text.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
  }

  static func basename(_ word: String) -> String {
    word.split(separator: "/").last.map(String.init) ?? word
  }

  static func isOptionCluster(_ word: String?, containing letter: Character) -> Bool {
    guard let word, word.count >= 2, word.hasPrefix("-"), !word.hasPrefix("--") else { return false }
    return word.dropFirst().allSatisfy(\.isLetter) && word.contains(letter)
  }

  /// The index of the word that names the command run, past assignments and wrappers.
  var commandIndex: Int? {
    var k = 0
    while k < words.count, Self.isAssignment(words[k]) { k += 1 }
    while k < words.count, let word = words[k], let optionArguments = Self.wrappers[Self.basename(word)] {
      let wrapper = Self.basename(word)
      k += 1
      var durationSkipped = wrapper != "timeout"
      while k < words.count, let next = words[k] {
        if next.hasPrefix("-") {
          k += optionArguments.contains(next) ? 2 : 1
        } else if Self.isAssignment(next) {
          k += 1
        } else if !durationSkipped {
          durationSkipped = true
          k += 1
        } else {
          break
        }
      }
    }
    return k < words.count ? k : nil
  }

  /// Whether a shell-like program stands among the words before `index`, as a program (not an
  /// argument of a command that only reads data).
  private func shellBefore(_ index: Int) -> (index: Int, name: String)? {
    if let k = commandIndex, let name = words[k].map(Self.basename), Self.dataCommands.contains(name) { return nil }
    for j in 0..<index {
      if let word = words[j], Self.shells.contains(Self.basename(word)) { return (j, Self.basename(word)) }
    }
    return nil
  }

  /// Whether the word at `index` is the script a shell at `shell` runs with `-c`: the first
  /// operand after a `-c` option (`sh -c -e SCRIPT`, `bash -c -o pipefail SCRIPT`, `-c -- SCRIPT`).
  private func isCommandString(_ index: Int, after shell: Int) -> Bool {
    var sawC = false
    var j = shell + 1
    while j < index {
      guard let word = words[j] else { return false }
      if word == "--" {
        j += 1
        break
      }
      guard word.hasPrefix("-") || word.hasPrefix("+"), word.count >= 2 else {
        if sawC { return false }
        j += 1
        continue
      }
      if Self.isOptionCluster(word, containing: "c") || Self.isCommandOption(word) { sawC = true }
      j += Self.takesArgument(word) ? 2 : 1
    }
    return sawC && j == index
  }

  /// Whether a shell option word takes the next word: `-o`, `+O`, `--rcfile`, or a cluster with
  /// `o` or `O` in it (`-eo pipefail`).
  static func takesArgument(_ word: String) -> Bool {
    if shellOptionArguments.contains(word) { return true }
    guard word.count >= 2, word.hasPrefix("-") || word.hasPrefix("+"), !word.hasPrefix("--") else { return false }
    return word.dropFirst().contains("o") || word.dropFirst().contains("O")
  }

  /// `--command`, or an abbreviation getopt_long accepts (`--comm`), with or without `=VALUE`.
  static func isCommandOption(_ word: String?) -> Bool {
    guard let word, word.hasPrefix("--c") else { return false }
    let option = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
    return option.count >= 3 && "--command".hasPrefix(option)
  }

  /// Why a value in the word at `index` (whose literal text so far is `prefix`) cannot be made
  /// literal, or nil when it can.
  func refusal(forWordAt index: Int, prefix: String?) -> ShellRefusal? {
    if let shell = shellBefore(index) {
      if isCommandString(index, after: shell.index) { return .shellScript("\(shell.name) -c") }
      if let prefix, prefix.contains("="), Self.isCommandOption(prefix) { return .shellScript("\(shell.name) --command") }
    }
    // A command named by an expansion may be a shell: its -c script is refused as one.
    if let k = commandIndex, words[k] == nil, index > 0, Self.isOptionCluster(words[index - 1], containing: "c") {
      return .shellScript("the command's -c")
    }
    // env -S splits its argument into a command line.
    if words[..<index].contains(where: { $0.map(Self.basename) == "env" }),
      (index > 0 && (words[index - 1] == "-S" || words[index - 1] == "--split-string")) || prefix?.hasPrefix("--split-string=") == true
        || (prefix?.hasPrefix("-S") == true && prefix != "-S")
    {
      return .shellScript("env -S")
    }
    if let ssh = words[..<index].lastIndex(where: { $0.map(Self.basename) == "ssh" }) {
      if let destination = sshDestination(in: Array(words[(ssh + 1)..<index])), ssh + 1 + destination < index { return .shellScript("ssh") }
      // Options whose value ssh runs through a shell.
      var option: String?
      if index > ssh + 1, words[index - 1] == "-o" {
        option = prefix ?? ""
      } else if let prefix, prefix.hasPrefix("-o") {
        option = String(prefix.dropFirst(2))
      }
      if let option, ["proxycommand", "localcommand", "remotecommand", "knownhostscommand"].contains(where: { option.lowercased().hasPrefix($0) }) {
        return .shellScript("ssh -o \(option.prefix { $0 != "=" })")
      }
    }
    guard let k = commandIndex, k < index, let command = words[k].map(Self.basename) else { return nil }
    let arguments = Array(words[(k + 1)..<index])
    if Self.evaluating.contains(command) { return .evaluatingBuiltin(command) }
    if Self.declaring.contains(command) { return .declaration(command) }
    switch command {
    case "export":
      return Self.isAssignment(prefix) ? nil : .declarationName(command)
    case "printf":
      let formatGiven = arguments.contains { $0 == nil || $0 == "--" || !($0!.hasPrefix("-")) }
      return !formatGiven || arguments.last == "-v" ? .printfOption : nil
    case "test", "[":
      return arguments.last == "-v" || arguments.last == "-R" ? .testVariable : nil
    default:
      return nil
    }
  }

  /// What a process substitution `<( )` standing as an argument feeds: a script, when the
  /// command is a shell or `source`.
  var processSubstitutionRefusal: ShellRefusal? {
    if let shell = shellBefore(words.count) { return .shellScript(shell.name) }
    if let k = commandIndex, let name = words[k], name == "source" || name == "." { return .shellScript(name) }
    return nil
  }

  /// Whether this command may define an alias, after which any word may expand to other code:
  /// `alias` with arguments, or `eval` of text that is not all literal or names `alias`.
  var definesAlias: Bool {
    guard let k = commandIndex, k + 1 < words.count else { return false }
    if words[k] == "alias" { return true }
    return words[k] == "eval" && words[(k + 1)...].contains { $0 == nil || $0!.contains("alias") }
  }

  /// The names this command declares integer (`declare -i n`, `local -ri a b=1`).
  var declaredIntegers: [String] {
    guard let k = commandIndex, let name = words[k], Self.declaring.contains(name) || name == "export" else { return [] }
    let arguments = words[(k + 1)...]
    guard arguments.contains(where: { ($0?.hasPrefix("-") ?? false) && !($0?.hasPrefix("--") ?? true) && $0!.contains("i") }) else { return [] }
    return arguments.compactMap { $0 }.filter { !$0.hasPrefix("-") && !$0.hasPrefix("+") }.map { String($0.prefix { $0 != "=" }) }
  }

  /// Whether this command starts a shell or runs text as code (`ShellRefusal.fedToShell`).
  var startsShell: Bool {
    if let k = commandIndex, let name = words[k].map(Self.basename), Self.dataCommands.contains(name) { return false }
    if standardInputShell != nil { return true }
    return words.enumerated().contains { j, word in
      guard let word else { return false }
      let name = Self.basename(word)
      if name == "su" || name == "runuser" || name == "doas" {
        return words[(j + 1)...].contains { Self.isOptionCluster($0, containing: "c") || Self.isCommandOption($0) }
      }
      return Self.shellStarters.contains(name)
    }
  }

  /// The index among `arguments` of ssh's destination, if it has been given.
  private func sshDestination(in arguments: [String?]) -> Int? {
    var j = 0
    while j < arguments.count {
      guard let word = arguments[j], word.hasPrefix("-"), word.count >= 2 else { return j }
      // A cluster ending in an option that takes an argument (`-qo X`, `-Tp 2222`) takes the next word.
      j += Self.sshOptionsWithArgument.contains(word.last!) && !word.hasPrefix("--") ? 2 : 1
    }
    return nil
  }

  /// The program that reads this command's standard input as a script, wherever it stands in
  /// the command (`sh`, `bash -s`, `sudo -i`, `su - root`, `chroot / sh`, `docker exec -i c sh`,
  /// `ssh HOST` with no command), so that what is piped or redirected into it is code.
  var standardInputShell: String? {
    if let k = commandIndex, let name = words[k].map(Self.basename), Self.dataCommands.contains(name) { return nil }
    for (j, word) in words.enumerated() {
      guard let word else { continue }
      let name = Self.basename(word)
      let rest = Array(words[(j + 1)...])
      switch name {
      case "ssh":
        if let destination = sshDestination(in: rest), destination + 1 == rest.count { return "ssh" }
      case "sudo":
        if rest.contains(where: { $0 == "--login" || $0 == "--shell" || Self.isOptionCluster($0, containing: "i") || Self.isOptionCluster($0, containing: "s") }),
          !Self.hasCommand(after: rest, optionArguments: Self.wrappers["sudo"]!)
        {
          return "sudo"
        }
      case "source", ".":
        if j == commandIndex, let file = rest.first ?? nil, Self.isStandardInput(file) { return name }
      case "su", "runuser":
        let dashes = rest.firstIndex(of: "--")
        if !rest.contains(where: { Self.isOptionCluster($0, containing: "c") || Self.isCommandOption($0) }),
          dashes.map({ $0 + 1 >= rest.count }) ?? true
        {
          return name
        }
      case "xargs":
        if rest.contains(where: { $0.map { Self.shells.contains(Self.basename($0)) } ?? false }) { return "xargs" }
      case _ where Self.inputRunners.contains(name):
        if j == commandIndex { return name }
      case _ where Self.shells.contains(name) && name != "flock" && name != "script":
        if readsScript(rest) { return name }
      default:
        break
      }
    }
    return nil
  }

  /// Whether `arguments` (after a wrapper's name) name a command after the wrapper's options.
  private static func hasCommand(after arguments: [String?], optionArguments: Set<String>) -> Bool {
    var j = 0
    while j < arguments.count {
      guard let word = arguments[j] else { return true }
      if word == "--" { return j + 1 < arguments.count }
      guard word.hasPrefix("-") else { return true }
      let clusterTakesArgument = word.count > 2 && !word.hasPrefix("--") && optionArguments.contains("-" + String(word.last!))
      j += optionArguments.contains(word) || clusterTakesArgument ? 2 : 1
    }
    return false
  }

  /// Paths that are standard input.
  static func isStandardInput(_ path: String) -> Bool {
    ["/dev/stdin", "-", "/dev/fd/0", "/proc/self/fd/0"].contains(path)
  }

  /// Whether a shell given `arguments` reads its script from standard input: no `-c`, and no
  /// script file (or `-s`, or the script file `/dev/stdin` or `-`).
  private func readsScript(_ arguments: [String?]) -> Bool {
    var j = 0
    while j < arguments.count {
      guard let word = arguments[j] else { return false }
      if word == "--" {
        j += 1
        break
      }
      guard word.hasPrefix("-") || word.hasPrefix("+"), word.count >= 2 else { break }
      if Self.isOptionCluster(word, containing: "c") || Self.isCommandOption(word) { return false }
      if Self.isOptionCluster(word, containing: "s") { return true }
      j += Self.takesArgument(word) ? 2 : 1
    }
    guard j < arguments.count else { return true }
    return arguments[j].map(Self.isStandardInput) ?? false
  }
}
