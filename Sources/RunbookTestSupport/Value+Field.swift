import RunbookKit

extension Value {
  /// A map's field, for reading action outputs in tests; nil for anything but a map.
  public subscript(field: String) -> Value? {
    if case .map(let fields) = self { return fields[field] }
    return nil
  }

  /// A list's items; empty for anything but a list.
  public var items: [Value] {
    if case .list(let items) = self { return items }
    return []
  }
}
