/// The syntax tree of one `${{ }}` expression. Spans are offsets, in Unicode scalars, into the
/// string the expression was written in.
public indirect enum Expression: Sendable, Hashable {
  case literal(Value, Span)
  case name(String, Span)
  /// `base.member`; the span covers the member name.
  case member(Expression, String, Span)
  case index(Expression, Expression, Span)
  /// `name(arguments)`; the span covers the function name.
  case call(String, [Expression], Span)
  case unary(UnaryOperator, Expression, Span)
  case binary(BinaryOperator, Expression, Expression, Span)
  case list([Expression], Span)

  public enum UnaryOperator: String, Sendable, Hashable {
    case not = "!"
    case negate = "-"
  }

  public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or = "||", and = "&&"
    case equal = "==", notEqual = "!="
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", `in` = "in"
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
  }

  /// A half-open range of Unicode-scalar offsets.
  public struct Span: Sendable, Hashable {
    public var start: Int
    public var length: Int
    public init(start: Int, length: Int) {
      self.start = start
      self.length = max(length, 1)
    }
  }

  public var span: Span {
    switch self {
    case .literal(_, let s), .name(_, let s), .member(_, _, let s), .index(_, _, let s), .call(_, _, let s),
      .unary(_, _, let s), .binary(_, _, _, let s), .list(_, let s):
      s
    }
  }

  /// `root.a.b` (or `root.a['b']`) with each segment's span, when this is such a chain.
  public var referencePath: (root: String, rootSpan: Span, segments: [(name: String, span: Span)])? {
    switch self {
    case .name(let n, let s):
      return (n, s, [])
    case .member(let base, let name, let s):
      guard var path = base.referencePath else { return nil }
      path.segments.append((name, s))
      return path
    case .index(let base, .literal(.string(let key), let keySpan), _):
      guard var path = base.referencePath else { return nil }
      path.segments.append((key, keySpan))
      return path
    default:
      return nil
    }
  }
}

extension Expression {
  /// The params this expression reads, anywhere inside it (`params.X`, `params['X']`).
  public var paramReferences: [String] {
    references(under: "params", depth: 1).map { $0[0] }
  }

  /// The step outputs this expression reads, anywhere inside it, as (step, output), the
  /// output nil when the whole map is read (`steps.x.outputs`, `steps.x.outputs[params.k]`):
  /// `steps.status.outputs.followers[0].id` reads ("status", "followers").
  public var stepOutputReferences: [(step: String, output: String?)] {
    references(under: "steps", depth: 2).compactMap { path in
      path[1] == "outputs" ? (path[0], path.count > 2 ? path[2] : nil) : nil
    }
  }

  /// Every reference path under `root` at least `depth` segments long, with all its names.
  func references(under root: String, depth: Int) -> [[String]] {
    if let path = referencePath {
      guard path.root == root, path.segments.count >= depth else { return [] }
      return [path.segments.map(\.name)]
    }
    switch self {
    case .literal, .name: return []
    case .member(let base, _, _): return base.references(under: root, depth: depth)
    case .index(let base, let index, _): return base.references(under: root, depth: depth) + index.references(under: root, depth: depth)
    case .call(_, let arguments, _), .list(let arguments, _): return arguments.flatMap { $0.references(under: root, depth: depth) }
    case .unary(_, let operand, _): return operand.references(under: root, depth: depth)
    case .binary(_, let lhs, let rhs, _): return lhs.references(under: root, depth: depth) + rhs.references(under: root, depth: depth)
    }
  }
}
