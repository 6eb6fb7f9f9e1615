/// Where a `${{ }}` value stands in a shell script, as `ShellScanner` parsed it: a context in
/// which a reference to an environment variable reads the value back literally, or one in which
/// no quoting can make it literal, and the runbook is refused.
public enum ShellValueSite: Equatable, Sendable {
  /// Unquoted, in a word: the reference is double-quoted, so it is one word, never split or globbed.
  case word
  case doubleQuoted
  case singleQuoted
  /// The body of a here-document with an unquoted delimiter.
  case hereDocument
  /// Inside a comment, where nothing is expanded.
  case comment
  case refused(ShellRefusal)

  /// A reference to `variable` that expands to its exact value here, or nil when refused.
  public func reference(to variable: String) -> String? {
    switch self {
    case .word: "\"$\(variable)\""
    case .doubleQuoted, .hereDocument, .comment: "${\(variable)}"
    case .singleQuoted: "'\"$\(variable)\"'"
    case .refused: nil
    }
  }

  public var refusal: ShellRefusal? {
    if case .refused(let refusal) = self { refusal } else { nil }
  }
}

/// A shell context in which a value cannot be made literal: it says which, and what to write instead.
public enum ShellRefusal: Equatable, Sendable {
  case arithmetic
  case conditional
  /// An argument of a builtin that runs or names its arguments (`eval`, `let`, `read`, `trap`, ...).
  case evaluatingBuiltin(String)
  /// A name (not the value after `NAME=`) given to `export`.
  case declarationName(String)
  /// An argument of `declare`, `typeset`, `local` or `readonly`, which bash parses at run time.
  case declaration(String)
  case printfOption
  case testVariable
  /// The script of another shell: `sh -c WORD`, a here-document or pipe read by `sh`, `ssh`'s command.
  case shellScript(String)
  case arraySubscript
  case arrayAssignment
  case parameterExpansion
  case quotedHereDocument
  case hereDocumentDelimiter
  case afterDollar
  case afterBackslash
  case bashQuote
  case unparsed
  /// Input fed to another program (a pipe, a here-document, a here-string, a process
  /// substitution) in a script that also starts a shell, which could be what reads it.
  case fedToShell
  /// An argument of a function the script defines, in a script that starts a shell.
  case functionArgument(String)
  /// The value of a variable the script declares integer (`declare -i`), or one a program runs
  /// or a shell reads as code (`GIT_SSH_COMMAND`, `BASH_ENV`, `PS4`, `PATH`, ...).
  case codeVariable(String)

  static let passThroughEnv = "pass it through the step's `env:` and validate it in the script"

  /// Which context this is, as a diagnostic names it.
  public var context: String {
    switch self {
    case .arithmetic: "inside shell arithmetic ($(( )), (( )) or $[ ]), where the shell evaluates it as an expression"
    case .conditional: "inside [[ ]], where bash evaluates operands of -eq, -lt, ... as arithmetic"
    case .evaluatingBuiltin(let name): "as an argument of '\(name)', which evaluates or names its arguments"
    case .declarationName(let name): "as a name given to '\(name)', where bash evaluates array subscripts"
    case .declaration(let name): "in an argument of '\(name)', which bash parses at run time (NAME=(...) when NAME is an array, arithmetic with -i)"
    case .printfOption: "as an option of 'printf' (-v NAME assigns to a name bash evaluates)"
    case .testVariable: "as the operand of 'test -v', a name whose subscript bash evaluates"
    case .shellScript(let name): "in the script of '\(name)', which runs it as shell code"
    case .arraySubscript: "in an array subscript, which bash evaluates as arithmetic"
    case .arrayAssignment: "in an array assignment NAME=( ... ), which bash parses for [KEY]=VALUE"
    case .parameterExpansion: "inside ${ }, where dash and bash disagree on quoting"
    case .quotedHereDocument: "inside a here-document with a quoted delimiter, where the shell expands nothing"
    case .hereDocumentDelimiter: "in a here-document delimiter"
    case .afterDollar: "right after '$', where it would become part of an expansion"
    case .afterBackslash: "right after a backslash, which would escape the quoting"
    case .bashQuote: "inside bash's $'...' or $\"...\" quoting"
    case .fedToShell: "in input fed to another program (a pipe, a here-document, a here-string, a process substitution) in a script that also starts a shell (sh, bash, ssh, su, sudo -s, eval, source, ...), which could read it as code"
    case .codeVariable(let name): "in the value of \(name), which bash evaluates as arithmetic or a program runs as a command"
    case .functionArgument(let name): "as an argument of '\(name)', a function this script defines, in a script that starts a shell: the function may run it as code"
    case .unparsed: "in this script, which the engine cannot read as every shell would (an alias defined in it, or eval of text that is not all literal, which may define one; a line continuation inside a word or operator, a here-document begun around $( ), a backslashed quote in backquotes in a here-document, nesting deeper than 100 levels)"
    }
  }

  /// The whole refusal, as a diagnostic says it.
  public var message: String { "a ${{ }} value cannot stand \(context); \(advice)" }

  /// What to write instead.
  public var advice: String {
    switch self {
    case .arithmetic, .conditional:
      "compute it in the expression (e.g. ${{ params.n + 1 }}), or \(Self.passThroughEnv) before using it as a number"
    case .parameterExpansion:
      "assign it to a variable first (x=${{ ... }}), then expand ${x...}"
    case .quotedHereDocument:
      "unquote the delimiter (<<EOF), or \(Self.passThroughEnv)"
    case .declarationName:
      "write the name yourself and the value after '=' (export NAME=${{ ... }})"
    case .declaration:
      "assign it to a plain variable (x=${{ ... }}) and check it before giving it to declare, local or readonly; an -i or -a attribute makes even a plain assignment code in bash"
    case .fedToShell, .functionArgument, .codeVariable:
      "\(Self.passThroughEnv), reading the variable where it is needed"
    default:
      Self.passThroughEnv
    }
  }
}
