/// Parses a shell script in which `${{ }}` values stand as placeholders, far enough to know the
/// context of each: the POSIX sh grammar plus the bash forms a script may hold (comments,
/// here-documents of every kind, nested `$( )`, subshells, backquotes, `case`, parameter
/// expansions, arithmetic, `[[ ]]`, functions, loops), and the commands that would run or name
/// their arguments. What it does not parse is refused, never guessed (docs/runbook-format.md,
/// "Values in shell scripts").
struct ShellScanner {
  /// A placeholder is a unit above every Unicode scalar: `valueBase + its index`.
  static let valueBase: UInt32 = 0x20_0000

  private let units: [UInt32]
  private var i = 0
  private(set) var sites: [Int: ShellValueSite] = [:]
  /// Values in the order they were met, so that a pipeline into `sh` can refuse those before it.
  private var order: [Int] = []
  private var pending: [PendingHereDocument] = []
  private var depth = 0
  /// What the first pass learned of the whole script.
  private var knowledge = Knowledge()

  struct Knowledge {
    /// Whether the script starts a shell or runs text as code anywhere.
    var startsShells = false
    /// The functions the script defines.
    var functions: Set<String> = []
    /// The variables the script declares integer (`declare -i`, `local -i`, ...).
    var integers: Set<String> = []
  }
  /// Whether the word `readWord` read last had quotes or a backslash in it: then it is no keyword.
  private var lastWordQuoted = false
  /// The values and here-documents fed by pipes into the compound commands being read
  /// (`... | { cd /tmp && sh; }`): a shell inside reads them.
  private var pipedInto: [(values: [Int], documents: Int)] = []
  /// Set where shells would read the script differently; then no value is trusted.
  private var ambiguous = false
  static let maxDepth = 100

  private struct PendingHereDocument {
    var delimiter: [UInt32]
    var stripTabs: Bool
    var quoted: Bool
    var taint: ShellRefusal?
  }

  private enum Terminator { case end, parenthesis }

  private enum CasePhase { case subject, expectIn, pattern, body }

  init(units: [UInt32]) { self.units = units }

  /// The site of every value of `parts` (text, or a value's index), by index.
  static func sites(of parts: [Piece]) -> [Int: ShellValueSite] {
    var units: [UInt32] = []
    for part in parts {
      switch part {
      case .text(let text): units += text.unicodeScalars.map(\.value)
      case .value(let index): units.append(valueBase + UInt32(index))
      }
    }
    // Two passes: the first learns what the whole script does (whether it starts a shell, which
    // functions it defines), the second places each value knowing it.
    var survey = ShellScanner(units: units)
    survey.scanList(until: .end, taint: nil)
    var scanner = ShellScanner(units: units)
    scanner.knowledge = survey.knowledge
    scanner.scanList(until: .end, taint: nil)
    // In a script read ambiguously, a value keeps its own refusal; every other one is refused.
    guard scanner.ambiguous else { return scanner.sites }
    return scanner.sites.mapValues { $0.refusal == nil ? .refused(.unparsed) : $0 }
  }

  enum Piece {
    case text(String)
    case value(Int)
  }

  // MARK: Units

  private func scalar(_ offset: Int = 0) -> Unicode.Scalar? {
    let k = i + offset
    guard k < units.count, units[k] < Self.valueBase else { return nil }
    return Unicode.Scalar(units[k])
  }

  private func value(_ offset: Int = 0) -> Int? {
    let k = i + offset
    guard k < units.count, units[k] >= Self.valueBase else { return nil }
    return Int(units[k] - Self.valueBase)
  }

  private var atEnd: Bool { i >= units.count }

  private static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }

  /// Characters that end an unquoted word.
  private static func isMeta(_ c: Unicode.Scalar) -> Bool {
    switch c {
    case " ", "\t", "\n", ";", "&", "|", "<", ">", "(", ")": true
    default: false
    }
  }

  private func endsWord(_ offset: Int) -> Bool {
    i + offset >= units.count || scalar(offset).map(Self.isMeta) == true
  }

  /// At a backslash: one before a newline joins the lines. Between words that is what scripts
  /// do; right after a word or an operator it can join `<` and `<EOF`, `[` and `[`, `$` and `((`,
  /// which this scanner does not undo, so no value in such a script is trusted.
  private mutating func lineContinuation() {
    guard scalar(1) == "\n", i > 0 else { return }
    let before = units[i - 1]
    if before != 0x20 && before != 0x09 && before != 0x0A { ambiguous = true }
  }

  private mutating func record(_ index: Int, _ site: ShellValueSite) {
    if case .refused = sites[index] { return }
    sites[index] = site
    order.append(index)
  }

  private mutating func record(_ index: Int, _ site: ShellValueSite, unless taint: ShellRefusal?) {
    record(index, taint.map(ShellValueSite.refused) ?? site)
  }

  // MARK: Lists of commands

  /// Where the command and the pipeline being read began, in values met and here-documents
  /// pending, so that a shell reading the pipeline refuses everything fed to it.
  private struct Marks {
    var pipelineValues: Int
    var pipelineDocuments: Int
    var commandValues: Int
  }

  private mutating func scanList(until terminator: Terminator, taint: ShellRefusal?) {
    depth += 1
    defer { depth -= 1 }
    // A script nested deeper than this is not parsed further, and none of its values is trusted.
    guard depth <= Self.maxDepth else {
      ambiguous = true
      i = units.count
      return
    }
    var command = SimpleCommand()
    var cases: [CasePhase] = []
    var conditional = false
    var expectFunctionName = false
    var marks = Marks(pipelineValues: order.count, pipelineDocuments: pending.count, commandValues: order.count)
    /// The pipeline marks saved where a compound command (`{`, `if`, `while`, `for`, `case`) opened.
    var compounds: [Marks] = []
    var hereStringValues: [Int] = []
    let documentsAtEntry = pending.count
    /// After `|`, `&&` or `||`: a newline continues the pipeline or list.
    var continued = false
    /// How many entries of `pipedInto` this list pushed for the compounds it opened.
    var pipedCompounds: [Bool] = []

    func endCommand(_ scanner: inout ShellScanner, pipe: Bool) {
      if command.definesAlias { scanner.ambiguous = true }
      if command.startsShell { scanner.knowledge.startsShells = true }
      scanner.knowledge.integers.formUnion(command.declaredIntegers)
      if scanner.knowledge.startsShells {
        // In a script that starts a shell, nothing fed to another program's input is trusted.
        var fed = hereStringValues
        if pipe { fed += scanner.order[marks.pipelineValues...] }
        if command.hasProcessSubstitution { fed += scanner.order[marks.commandValues...] }
        for index in fed where scanner.sites[index]?.refusal == nil { scanner.sites[index] = .refused(.fedToShell) }
      }
      if let shell = command.standardInputShell {
        let piped = scanner.pipedInto.flatMap(\.values)
        for index in scanner.order[marks.pipelineValues..<marks.commandValues] + hereStringValues + piped {
          scanner.sites[index] = .refused(.shellScript(shell))
        }
        let firstDocument = min(marks.pipelineDocuments, scanner.pipedInto.map(\.documents).min() ?? .max)
        for k in min(firstDocument, scanner.pending.count)..<scanner.pending.count where scanner.pending[k].taint == nil {
          scanner.pending[k].taint = .shellScript(shell)
        }
      }
      command = SimpleCommand()
      hereStringValues = []
      marks.commandValues = scanner.order.count
      if !pipe {
        marks.pipelineValues = scanner.order.count
        marks.pipelineDocuments = scanner.pending.count
      }
    }

    /// Right after `|`: a compound command opened now is fed by the pipe.
    var pipeJustEnded = false

    func keyword(_ event: KeywordEvent?, _ scanner: inout ShellScanner) {
      switch event {
      case .opened(let piped)?:
        compounds.append(marks)
        pipedCompounds.append(piped)
        if piped { scanner.pipedInto.append((Array(scanner.order[marks.pipelineValues..<marks.commandValues]), marks.pipelineDocuments)) }
      case .closed?:
        if let saved = compounds.popLast() {
          marks.pipelineValues = min(marks.pipelineValues, saved.pipelineValues)
          marks.pipelineDocuments = min(marks.pipelineDocuments, saved.pipelineDocuments)
        }
        if pipedCompounds.popLast() == true { scanner.pipedInto.removeLast() }
      case nil: break
      }
    }

    while !atEnd {
      guard let c = scalar() else {
        let piped = command.isEmpty && pipeJustEnded
        keyword(readCommandWord(&command, &cases, &conditional, &expectFunctionName, piped: piped, taint: taint), &self)
        pipeJustEnded = false
        continued = false
        continue
      }
      switch c {
      case " ", "\t":
        i += 1
      case "\\" where scalar(1) == "\n":
        lineContinuation()
        i += 2
      case "\n":
        i += 1
        if !continued { endCommand(&self, pipe: false) }
        // Shells disagree on where the body of a here-document begun outside `$( )` goes when
        // a newline comes inside it.
        if pending.indices.contains(where: { $0 < documentsAtEntry }) { ambiguous = true }
        let bodiesFrom = order.count
        readPendingHereDocuments()
        if continued {
          // Bodies read while a pipeline goes on belong to what it feeds.
          marks.commandValues = order.count
          if !pipedInto.isEmpty { pipedInto[pipedInto.count - 1].values += order[bodiesFrom...] }
        } else if !pipedInto.isEmpty {
          pipedInto[pipedInto.count - 1].values += order[bodiesFrom...]
        }
        marks.pipelineDocuments = min(marks.pipelineDocuments, pending.count)
        if !continued { marks.pipelineDocuments = pending.count }
      case "#":
        skipComment()
      case ";":
        if scalar(1) == ";" {
          i += scalar(2) == "&" ? 3 : 2
          if cases.last == .body { cases[cases.count - 1] = .pattern }
        } else if scalar(1) == "&" {
          i += 2
          if cases.last == .body { cases[cases.count - 1] = .pattern }
        } else {
          i += 1
        }
        endCommand(&self, pipe: false)
      case "&":
        if scalar(1) == ">" {
          i += scalar(2) == ">" ? 3 : 2
          readRedirectionTarget(taint: taint)
        } else {
          let and = scalar(1) == "&"
          i += and ? 2 : 1
          if !conditional {
            endCommand(&self, pipe: false)
            continued = and
          }
        }
      case "|":
        if cases.last == .pattern {
          i += 1
        } else if scalar(1) == "|" {
          i += 2
          if !conditional {
            endCommand(&self, pipe: false)
            continued = true
          }
        } else {
          i += scalar(1) == "&" ? 2 : 1
          endCommand(&self, pipe: true)
          continued = true
          pipeJustEnded = true
        }
      case "(":
        if conditional || cases.last == .pattern {
          i += 1
        } else if command.words.count == 1, nextNonBlank(after: 1) == ")" {
          if let name = command.words[0] { knowledge.functions.insert(name) }
          i += 1
          while !atEnd, scalar() != ")" { i += 1 }
          i += 1
          command = SimpleCommand()
        } else if command.isEmpty, scalar(1) == "(" {
          i += 2
          scanArithmetic(taint: taint)
        } else {
          i += 1
          let piped = command.isEmpty && pipeJustEnded
          if piped { pipedInto.append((Array(order[marks.pipelineValues..<marks.commandValues]), marks.pipelineDocuments)) }
          scanList(until: .parenthesis, taint: taint)
          if piped { pipedInto.removeLast() }
          pipeJustEnded = false
          continued = false
        }
      case ")":
        i += 1
        if cases.last == .pattern {
          cases[cases.count - 1] = .body
          command = SimpleCommand()
        } else if !conditional, terminator == .parenthesis {
          endCommand(&self, pipe: false)
          // A here-document begun inside `$( )` whose body would come after it.
          if pending.count > documentsAtEntry { ambiguous = true }
          return
        }
      case "<", ">":
        if conditional {
          i += 1
        } else if scalar(1) == "(" {
          i += 2
          command.hasProcessSubstitution = true
          scanList(until: .parenthesis, taint: taint ?? command.processSubstitutionRefusal)
          command.words.append(nil)
        } else if c == "<", scalar(1) == "<", scalar(2) == "<" {
          i += 3
          let start = order.count
          readRedirectionTarget(taint: taint)
          hereStringValues += order[start...]
        } else if c == "<", scalar(1) == "<" {
          i += 2
          let stripTabs = scalar() == "-"
          if stripTabs { i += 1 }
          readHereDocumentDelimiter(stripTabs: stripTabs, taint: taint)
        } else {
          i += 1
          if let next = scalar(), next == ">" || next == "&" || next == "|" || (c == "<" && next == ">") { i += 1 }
          let start = order.count
          if readRedirectionTarget(taint: taint) { command.hasProcessSubstitution = true }
          // `sh < <(...)`: what the substitution prints is the command's input.
          if c == "<" { hereStringValues += order[start...] }
        }
        if command.isEmpty { command.redirected = true }
      default:
        let piped = command.isEmpty && pipeJustEnded
        keyword(readCommandWord(&command, &cases, &conditional, &expectFunctionName, piped: piped, taint: taint), &self)
        pipeJustEnded = false
        continued = false
      }
    }
    endCommand(&self, pipe: false)
    while pipedCompounds.popLast() != nil { if !pipedInto.isEmpty { pipedInto.removeLast() } }
  }

  /// The word a redirection operator names, past the blanks before it: a file, a descriptor,
  /// or a process substitution.
  /// Says whether it was a process substitution.
  @discardableResult
  private mutating func readRedirectionTarget(taint: ShellRefusal?) -> Bool {
    while let c = scalar(), Self.isBlank(c) { i += 1 }
    if scalar() == "<" || scalar() == ">", scalar(1) == "(" {
      i += 2
      let start = order.count
      scanList(until: .parenthesis, taint: taint)
      if knowledge.startsShells { for index in order[start...] where sites[index]?.refusal == nil { sites[index] = .refused(.fedToShell) } }
      return true
    }
    _ = readWord(role: .redirection, taint: taint)
    return false
  }

  private func nextNonBlank(after offset: Int) -> Unicode.Scalar? {
    var k = offset
    while let c = scalar(k), Self.isBlank(c) { k += 1 }
    return scalar(k)
  }

  private static let resettingKeywords: Set<String> = ["then", "else", "elif", "do", "!", "time", "coproc"]
  private static let openingKeywords: Set<String> = ["if", "while", "until", "{"]
  private static let closingKeywords: Set<String> = ["fi", "done", "}"]

  /// What a keyword did to the compound commands open around the pipeline.
  private enum KeywordEvent {
    /// A compound command opened; `piped` when a pipe feeds it.
    case opened(piped: Bool)
    case closed
  }

  /// Reads one word where a command's word may stand, and acts on the keywords among them.
  private mutating func readCommandWord(
    _ command: inout SimpleCommand, _ cases: inout [CasePhase], _ conditional: inout Bool, _ expectFunctionName: inout Bool,
    piped: Bool, taint: ShellRefusal?
  ) -> KeywordEvent? {
    if conditional {
      if scalar() == "]", scalar(1) == "]", endsWord(2) {
        i += 2
        conditional = false
      } else {
        readWord(role: .conditional, taint: taint ?? .conditional)
      }
      return nil
    }
    if let phase = cases.last, phase != .body {
      let word = readWord(role: .pattern, taint: taint)
      switch phase {
      case .subject: cases[cases.count - 1] = .expectIn
      case .expectIn: if word == "in" { cases[cases.count - 1] = .pattern }
      case .pattern:
        if word == "esac" {
          cases.removeLast()
          return .closed
        }
      case .body: break
      }
      return nil
    }
    if command.isEmpty, !command.redirected, scalar() == "[", scalar(1) == "[", endsWord(2) {
      i += 2
      conditional = true
      return nil
    }
    // A word made of digits, or bash's `{NAME}`, right before a redirection is its file descriptor.
    var k = 0
    if scalar() == "{" {
      k = 1
      while let c = scalar(k), c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) { k += 1 }
      k = scalar(k) == "}" && k > 1 ? k + 1 : 0
    } else {
      while let d = scalar(k), ("0"..."9").contains(d) { k += 1 }
    }
    if k > 0, scalar(k) == "<" || scalar(k) == ">" {
      i += k
      command.redirected = command.redirected || command.isEmpty
      return nil
    }
    let word = readWord(role: .command(command), taint: taint)
    if expectFunctionName {
      expectFunctionName = false
      if let word { knowledge.functions.insert(word.hasSuffix("()") ? String(word.dropLast(2)) : word) }
      command = SimpleCommand()
      return nil
    }
    if command.isEmpty, !command.redirected, !lastWordQuoted, let word {
      if Self.resettingKeywords.contains(word) { return nil }
      if Self.openingKeywords.contains(word) { return .opened(piped: piped) }
      if Self.closingKeywords.contains(word) { return .closed }
      if word == "function" {
        expectFunctionName = true
        return nil
      }
      if word == "case" {
        cases.append(.subject)
        return .opened(piped: piped)
      }
      if word == "esac", cases.last == .body {
        cases.removeLast()
        return .closed
      }
      if word == "for" || word == "select" {
        var k = 0
        while let c = scalar(k), Self.isBlank(c) { k += 1 }
        if scalar(k) == "(", scalar(k + 1) == "(" {
          i += k + 2
          scanArithmetic(taint: taint)
        }
        return .opened(piped: piped)
      }
    }
    command.words.append(word)
    return nil
  }

  private mutating func skipComment() {
    while !atEnd, scalar() != "\n" {
      if let index = value() { record(index, .comment) }
      i += 1
    }
  }

  // MARK: Words

  private enum WordRole {
    case command(SimpleCommand)
    case redirection, pattern, conditional
  }

  /// Reads a word up to an unquoted metacharacter; gives its text after quote removal, or nil
  /// when it holds an expansion or a value.
  @discardableResult
  private mutating func readWord(role: WordRole, taint: ShellRefusal?) -> String? {
    var literal: String? = ""
    var assignment = false
    var assignmentTaint: ShellRefusal?
    lastWordQuoted = false
    let knowledge = self.knowledge
    func refusal(_ literal: String?) -> ShellRefusal? {
      if let taint { return taint }
      if let assignmentTaint { return assignmentTaint }
      if let variable = literal.flatMap({ $0.split(separator: "=", maxSplits: 1).first }).map(String.init), literal?.contains("=") == true,
        SimpleCommand.commandVariables.contains(variable) || knowledge.integers.contains(variable), case .command(let command) = role,
        let k = command.commandIndex, command.words[k] == "export" || SimpleCommand.declaring.contains(command.words[k] ?? "")
      {
        return .codeVariable(variable)
      }
      guard case .command(let command) = role, !assignment else { return nil }
      if knowledge.startsShells, let k = command.commandIndex, let name = command.words[k], knowledge.functions.contains(name) {
        return .functionArgument(name)
      }
      return command.refusal(forWordAt: command.words.count, prefix: literal)
    }
    let namePosition: Bool = {
      if case .command(let command) = role { return command.commandIndex == nil }
      return false
    }()
    while !atEnd {
      if let index = value() {
        record(index, .word, unless: refusal(literal))
        literal = nil
        i += 1
        continue
      }
      let c = scalar()!
      if Self.isMeta(c) { break }
      switch c {
      case "'":
        i += 1
        lastWordQuoted = true
        let text = readSingleQuoted(refusal(literal))
        literal = literal.flatMap { l in text.map { l + $0 } }
      case "\"":
        i += 1
        lastWordQuoted = true
        let text = scanDoubleQuoted(taint: refusal(literal))
        literal = literal.flatMap { l in text.map { l + $0 } }
      case "\\":
        lastWordQuoted = true
        lineContinuation()
        if let index = value(1) {
          record(index, .refused(.afterBackslash))
          literal = nil
        } else if let next = scalar(1), next != "\n" {
          literal?.unicodeScalars.append(next)
        }
        i += 2
      case "$" where scalar(1) == "'":
        // bash's $'...': its text, when no backslash escape changes it, is the word's.
        var k = 2
        var text = ""
        while let c = scalar(k), c != "'", c != "\\" {
          text.unicodeScalars.append(c)
          k += 1
        }
        lastWordQuoted = true
        if scalar(k) == "'" {
          literal = literal.map { $0 + text }
          i += k + 1
        } else {
          _ = scanDollar(taint: refusal(literal), inDoubleQuotes: false)
          literal = nil
        }
      case "$":
        if scanDollar(taint: refusal(literal), inDoubleQuotes: false) { literal = nil } else { literal?.append("$") }
      case "`":
        i += 1
        scanBackquote(taint: refusal(literal), inDoubleQuotes: false)
        literal = nil
      case "[" where namePosition && !assignment && literal.map({ SimpleCommand.isName($0[...]) }) == true:
        i += 1
        scanSubscript()
        literal = nil
      case "=" where namePosition && !assignment && literal.map({ SimpleCommand.isName($0[...]) || ($0.hasSuffix("+") && SimpleCommand.isName($0.dropLast())) }) == true:
        assignment = true
        let variable = literal.map { $0.hasSuffix("+") ? String($0.dropLast()) : $0 } ?? ""
        if SimpleCommand.commandVariables.contains(variable) || knowledge.integers.contains(variable) { assignmentTaint = .codeVariable(variable) }
        literal?.append("=")
        i += 1
        if scalar() == "(" {
          i += 1
          scanList(until: .parenthesis, taint: .arrayAssignment)
          literal = nil
        }
      default:
        literal?.unicodeScalars.append(c)
        i += 1
      }
    }
    return literal
  }

  private mutating func readSingleQuoted(_ taint: ShellRefusal?) -> String? {
    var text: String? = ""
    while !atEnd, scalar() != "'" {
      if let index = value() {
        record(index, .singleQuoted, unless: taint)
        text = nil
      } else {
        text?.unicodeScalars.append(scalar()!)
      }
      i += 1
    }
    i += 1
    return text
  }

  /// After an opening `"`: up to and past the closing one.
  private mutating func scanDoubleQuoted(taint: ShellRefusal?) -> String? {
    var literal: String? = ""
    while !atEnd {
      if let index = value() {
        record(index, .doubleQuoted, unless: taint)
        literal = nil
        i += 1
        continue
      }
      let c = scalar()!
      switch c {
      case "\"":
        i += 1
        return literal
      case "\\":
        lineContinuation()
        if let index = value(1) {
          record(index, .refused(.afterBackslash))
          literal = nil
        } else if let next = scalar(1) {
          if next == "$" || next == "`" || next == "\"" || next == "\\" {
            literal?.unicodeScalars.append(next)
          } else if next != "\n" {
            literal?.unicodeScalars.append(c)
            literal?.unicodeScalars.append(next)
          }
        }
        i += 2
      case "$":
        if scanDollar(taint: taint, inDoubleQuotes: true) { literal = nil } else { literal?.append("$") }
      case "`":
        i += 1
        scanBackquote(taint: taint, inDoubleQuotes: true)
        literal = nil
      default:
        literal?.unicodeScalars.append(c)
        i += 1
      }
    }
    return literal
  }

  /// At a `$`: scans the expansion it starts and says whether it started one.
  private mutating func scanDollar(taint: ShellRefusal?, inDoubleQuotes: Bool) -> Bool {
    i += 1
    if let index = value() {
      record(index, .refused(.afterDollar))
      i += 1
      return true
    }
    guard let c = scalar() else { return false }
    switch c {
    case "(":
      if scalar(1) == "(" {
        i += 2
        scanArithmetic(taint: taint)
      } else {
        i += 1
        scanList(until: .parenthesis, taint: taint)
      }
    case "{":
      i += 1
      scanParameter(taint: taint ?? .parameterExpansion, inDoubleQuotes: inDoubleQuotes)
    case "[":
      i += 1
      scanBracketed(taint: taint ?? .arithmetic)
    case "'" where !inDoubleQuotes:
      i += 1
      while !atEnd, scalar() != "'" {
        if let index = value() { record(index, .refused(taint ?? .bashQuote)) }
        i += scalar() == "\\" ? 2 : 1
      }
      i += 1
    case "\"" where !inDoubleQuotes:
      i += 1
      _ = scanDoubleQuoted(taint: taint ?? .bashQuote)
    case "_", "a"..."z", "A"..."Z":
      while let n = scalar(), n == "_" || ("a"..."z").contains(n) || ("A"..."Z").contains(n) || ("0"..."9").contains(n) { i += 1 }
    case "0"..."9", "@", "*", "#", "?", "-", "$", "!":
      i += 1
    default:
      return false
    }
    return true
  }

  /// After `${`: up to and past the matching `}`. Every value inside is refused.
  private mutating func scanParameter(taint: ShellRefusal, inDoubleQuotes: Bool) {
    while !atEnd {
      if let index = value() {
        record(index, .refused(taint))
        i += 1
        continue
      }
      switch scalar()! {
      case "}":
        i += 1
        return
      case "\\":
        lineContinuation()
        if let index = value(1) { record(index, .refused(taint)) }
        i += 2
      case "'" where !inDoubleQuotes:
        i += 1
        _ = readSingleQuoted(taint)
      case "\"":
        i += 1
        _ = scanDoubleQuoted(taint: taint)
      case "$":
        _ = scanDollar(taint: taint, inDoubleQuotes: inDoubleQuotes)
      case "`":
        i += 1
        scanBackquote(taint: taint, inDoubleQuotes: inDoubleQuotes)
      default:
        i += 1
      }
    }
  }

  /// After `$((` or `((`: up to and past the closing `))`. Every value inside is refused.
  private mutating func scanArithmetic(taint: ShellRefusal?) {
    let taint = taint ?? .arithmetic
    scanBalanced(open: "(", close: ")", taint: taint) { scanner in
      if scanner.scalar() == ")" {
        scanner.i += 1
      } else {
        // `$((cmd) ...)`: a subshell inside a command substitution after all.
        scanner.scanList(until: .parenthesis, taint: taint)
      }
    }
  }

  /// After `$[` or an array name's `[`: up to and past the matching `]`.
  private mutating func scanBracketed(taint: ShellRefusal) {
    scanBalanced(open: "[", close: "]", taint: taint) { _ in }
  }

  /// Up to and past the `close` that matches an `open` already read, nested pairs counted,
  /// quotes and expansions followed; every value inside is refused. `ending` reads what
  /// follows the matching `close`.
  private mutating func scanBalanced(open: Unicode.Scalar, close: Unicode.Scalar, taint: ShellRefusal, ending: (inout ShellScanner) -> Void) {
    var depth = 0
    while !atEnd {
      if let index = value() {
        record(index, .refused(taint))
        i += 1
        continue
      }
      let c = scalar()!
      if c == open {
        depth += 1
        i += 1
      } else if c == close {
        i += 1
        if depth == 0 {
          ending(&self)
          return
        }
        depth -= 1
      } else {
        scanNested(taint: taint)
      }
    }
  }

  private mutating func scanSubscript() { scanBracketed(taint: .arraySubscript) }

  /// One unit inside arithmetic or a subscript: quotes and expansions are followed, the rest skipped.
  private mutating func scanNested(taint: ShellRefusal) {
    switch scalar()! {
    case "\\":
      lineContinuation()
      if let index = value(1) { record(index, .refused(taint)) }
      i += 2
    case "'":
      i += 1
      _ = readSingleQuoted(taint)
    case "\"":
      i += 1
      _ = scanDoubleQuoted(taint: taint)
    case "$":
      _ = scanDollar(taint: taint, inDoubleQuotes: false)
    case "`":
      i += 1
      scanBackquote(taint: taint, inDoubleQuotes: false)
    default:
      i += 1
    }
  }

  /// After an opening backquote: the body, with its backslashes undone as the shell does, is
  /// parsed as a script of its own.
  @discardableResult
  private mutating func scanBackquote(taint: ShellRefusal?, inDoubleQuotes: Bool) -> Bool {
    var body: [UInt32] = []
    var escapedQuote = false
    while !atEnd {
      let unit = units[i]
      if unit == 0x60 {
        i += 1
        break
      }
      if unit == 0x5C, i + 1 < units.count {
        let next = units[i + 1]
        if next == 0x22 { escapedQuote = true }
        if next == 0x24 || next == 0x60 || next == 0x5C || (inDoubleQuotes && next == 0x22) {
          body.append(next)
        } else {
          body += [unit, next]
        }
        i += 2
        continue
      }
      body.append(unit)
      i += 1
    }
    var inner = ShellScanner(units: body)
    inner.depth = depth
    inner.scanList(until: .end, taint: taint)
    if inner.ambiguous { ambiguous = true }
    for index in inner.order { if let site = inner.sites[index] { record(index, site) } }
    return escapedQuote
  }

  // MARK: Here-documents

  private mutating func readHereDocumentDelimiter(stripTabs: Bool, taint: ShellRefusal?) {
    while let c = scalar(), Self.isBlank(c) { i += 1 }
    var delimiter: [UInt32] = []
    var quoted = false
    while !atEnd {
      if let index = value() {
        record(index, .refused(.hereDocumentDelimiter))
        i += 1
        continue
      }
      let c = scalar()!
      if Self.isMeta(c) { break }
      switch c {
      case "'", "\"":
        quoted = true
        i += 1
        while !atEnd, scalar() != c {
          if let index = value() { record(index, .refused(.hereDocumentDelimiter)) } else { delimiter.append(units[i]) }
          i += 1
        }
        i += 1
      case "\\":
        quoted = true
        if i + 1 < units.count { delimiter.append(units[i + 1]) }
        i += 2
      default:
        delimiter.append(units[i])
        i += 1
      }
    }
    pending.append(PendingHereDocument(delimiter: delimiter, stripTabs: stripTabs, quoted: quoted, taint: taint))
  }

  private mutating func readPendingHereDocuments() {
    let documents = pending
    pending = []
    for document in documents { readHereDocumentBody(document) }
  }

  /// Where the text after the line ending `document` begins, if the line at `i` ends it. bash also
  /// ends a here-document at `EOF)` inside `$( )` (dash refuses the script), and the `)` stays.
  private func isDelimiterLine(_ document: PendingHereDocument) -> Int? {
    var k = i
    if document.stripTabs { while k < units.count, units[k] == 0x09 { k += 1 } }
    let end = k + document.delimiter.count
    guard end <= units.count, Array(units[k..<end]) == document.delimiter else { return nil }
    if end == units.count || units[end] == 0x0A { return min(end + 1, units.count) }
    return depth > 1 && units[end] == 0x29 ? end : nil
  }

  private mutating func readHereDocumentBody(_ document: PendingHereDocument) {
    while !atEnd {
      if let next = isDelimiterLine(document) {
        i = next
        return
      }
      while !atEnd, scalar() != "\n" {
        if let index = value() {
          let taint = document.taint ?? (knowledge.startsShells ? .fedToShell : nil)
          record(index, document.quoted ? .refused(document.taint ?? .quotedHereDocument) : .hereDocument, unless: taint)
          i += 1
          continue
        }
        if document.quoted {
          i += 1
          continue
        }
        switch scalar()! {
        case "\\":
          // A joined line may end the document where this scanner would not: no value is trusted.
          if scalar(1) == "\n" { ambiguous = true }
          if let index = value(1) { record(index, .refused(.afterBackslash)) }
          i += 2
        case "$":
          _ = scanDollar(taint: document.taint, inDoubleQuotes: true)
        case "`":
          i += 1
          let start = order.count
          let escapedQuote = scanBackquote(taint: document.taint, inDoubleQuotes: false)
          // dash undoes `\"` inside backquotes in a here-document, bash keeps it: no value
          // in such a body is trusted.
          if escapedQuote { for index in order[start...] { sites[index] = .refused(.unparsed) } }
        default:
          i += 1
        }
      }
      i += 1
    }
  }
}
