/// The words of one simple command as `ShellScanner` reads them, enough to know what kind of
/// argument a value would become: the value of an assignment, an argument of `eval`, the script
/// of `sh -c`. A word is its text after quote removal, or nil when it holds an expansion.
struct SimpleCommand {
  var words: [String?] = []

  static let evaluating: Set<String> = [
    "eval", "let", "trap", "alias", "read", "mapfile", "readarray", "getopts", "unset", "wait", "fc", "bind",
    "complete", "compgen", "watch",
  ]
  static let declaring: Set<String> = ["declare", "typeset", "local", "export", "readonly"]
  /// Commands that run the next one: their options are skipped to find the command that runs.
  static let wrappers: Set<String> = ["command", "builtin", "exec", "nohup", "time", "sudo", "doas", "env", "nice", "setsid", "timeout", "stdbuf", "xargs"]
  /// Options of wrappers that take the next word as their argument.
  static let wrapperOptionArguments: Set<String> = ["-u", "-g", "-C", "-D", "-p", "-r", "-t", "-U", "-h", "-n", "-i", "-o", "-e", "-I", "-L", "-s", "-k"]
  static let shells: Set<String> = ["sh", "bash", "dash", "ksh", "zsh", "ash", "mksh", "su", "runuser"]
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
    while k < words.count, let word = words[k], Self.wrappers.contains(Self.basename(word)) {
      let wrapper = Self.basename(word)
      k += 1
      var durationSkipped = wrapper != "timeout"
      while k < words.count, let next = words[k] {
        if next.hasPrefix("-") {
          k += Self.wrapperOptionArguments.contains(next) && wrapper != "env" ? 2 : 1
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

  /// Why a value in the word at `index` (whose literal text so far is `prefix`) cannot be made
  /// literal, or nil when it can.
  func refusal(forWordAt index: Int, prefix: String?) -> ShellRefusal? {
    if index > 0, Self.isOptionCluster(words[index - 1], containing: "c"),
      let shell = words[..<(index - 1)].compactMap({ $0.map(Self.basename) }).first(where: Self.shells.contains)
    {
      return .shellScript("\(shell) -c")
    }
    guard let k = commandIndex, k < index, let command = words[k].map(Self.basename) else { return nil }
    let arguments = Array(words[(k + 1)..<index])
    if Self.evaluating.contains(command) { return .evaluatingBuiltin(command) }
    if Self.declaring.contains(command) {
      return Self.isAssignment(prefix) ? nil : .declarationName(command)
    }
    switch command {
    case "printf":
      let formatGiven = arguments.contains { $0 == nil || $0 == "--" || !($0!.hasPrefix("-")) }
      return !formatGiven || arguments.last == "-v" ? .printfOption : nil
    case "test", "[":
      return arguments.last == "-v" || arguments.last == "-R" ? .testVariable : nil
    case "ssh":
      return sshDestination(in: arguments).map { $0 < arguments.count ? .shellScript("ssh") : nil } ?? nil
    default:
      return nil
    }
  }

  /// The index among `arguments` of ssh's destination, if it has been given.
  private func sshDestination(in arguments: [String?]) -> Int? {
    var j = 0
    while j < arguments.count {
      guard let word = arguments[j], word.hasPrefix("-"), word.count >= 2 else { return j }
      j += word.count == 2 && Self.sshOptionsWithArgument.contains(word.last!) ? 2 : 1
    }
    return nil
  }

  /// The shell that reads this command's standard input as its script (`sh`, `bash -s`, `sudo sh`,
  /// `kubectl exec -i pod -- sh`, `ssh HOST` with no command), so that what is piped or
  /// redirected into it is code.
  var standardInputShell: String? {
    let commandIndex = self.commandIndex
    for (j, word) in words.enumerated() {
      guard let word, j == commandIndex || (j > 0 && words[j - 1] == "--") else { continue }
      let name = Self.basename(word)
      let rest = words[(j + 1)...]
      if name == "ssh" {
        if let destination = sshDestination(in: Array(rest)), destination + 1 == rest.count { return "ssh" }
        continue
      }
      guard Self.shells.contains(name) || name == "source" || name == "." else { continue }
      if name == "source" || name == "." {
        if rest.first == "/dev/stdin" { return name }
        continue
      }
      if rest.contains(where: { Self.isOptionCluster($0, containing: "s") }) { return name }
      let operand = rest.contains { $0 == nil || !($0!.hasPrefix("-")) }
      if !operand && !rest.contains(where: { Self.isOptionCluster($0, containing: "c") }) { return name }
    }
    return nil
  }
}
