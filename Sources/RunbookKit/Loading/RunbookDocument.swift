import Foundation
import RunbookYAML

/// A runbook file after loading and checking: the runbook and its graph when they could be
/// built, and every diagnostic found.
public struct RunbookDocument: Sendable {
  public var file: String
  public var source: SourceText
  public var runbook: Runbook?
  public var graph: StepGraph?
  public var diagnostics: [Diagnostic]
  /// How many diagnostics were left out because they follow from one of `diagnostics`.
  public var suppressed = 0

  /// True when there is a runbook and no error.
  public var isValid: Bool { runbook != nil && graph != nil && !diagnostics.hasErrors }

  /// Loads and checks the runbook at `path`.
  public static func load(file path: String, registry: ActionRegistry, limits: YAMLLimits = .default) -> RunbookDocument {
    switch InputFile.read(path, limit: limits.maxBytes) {
    case .success(let bytes):
      return load(bytes: bytes, file: path, registry: registry, limits: limits)
    case .failure(.tooLarge(let size, let limit)):
      let problem = YAMLProblem(.tooLarge(bytes: size, limit: limit), "the file is \(size) bytes; the limit is \(limit) bytes", at: SourceRange(line: 1, column: 1, length: 1))
      return RunbookDocument(file: path, source: SourceText(""), diagnostics: [Diagnostic.yaml(problem).inFile(path)])
    case .failure(let failure):
      return RunbookDocument(file: path, source: SourceText(""), diagnostics: [.unreadableFile(path, reason: failure.reason)])
    }
  }

  /// Loads and checks runbook text; `file` names it in diagnostics.
  public static func load(text: String, file: String, registry: ActionRegistry) -> RunbookDocument {
    load(bytes: Array(text.utf8), file: file, registry: registry, limits: .default)
  }

  static func load(bytes: [UInt8], file: String, registry: ActionRegistry, limits: YAMLLimits) -> RunbookDocument {
    let parsed = YAMLParser.parse(bytes: bytes, limits: limits)
    let text = String(decoding: bytes, as: UTF8.self)
    let loader = RunbookLoader(file: file, text: text)
    let runbook = loader.load(parsed)
    var diagnostics = loader.diagnostics
    var graph: StepGraph?
    var suppressed = 0
    if let runbook {
      let (built, graphDiagnostics) = StepGraph.build(runbook.steps)
      diagnostics += graphDiagnostics
      graph = built
      var checker = RunbookChecker(runbook: runbook, graph: built, registry: registry, source: loader.source, misspelledSections: loader.misspelledSections,
        unreadableParams: loader.unreadableParams)
      diagnostics += checker.check()
      suppressed = checker.suppressed
    }
    diagnostics = diagnostics.map { $0.inFile(file) }.sorted(by: Self.sourceOrder)
    var document = RunbookDocument(file: file, source: loader.source, runbook: runbook, graph: graph, diagnostics: diagnostics)
    document.suppressed = suppressed
    return document
  }

  private static func sourceOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
    switch (a.range, b.range) {
    case (let x?, let y?): x.start < y.start
    case (nil, _?): true
    default: false
    }
  }

  init(file: String, source: SourceText, runbook: Runbook? = nil, graph: StepGraph? = nil, diagnostics: [Diagnostic]) {
    self.file = file
    self.source = source
    self.runbook = runbook
    self.graph = graph
    self.diagnostics = diagnostics
  }
}
