/// The actions a runbook may use, by name.
public struct ActionRegistry: Sendable {
  private var descriptors: [String: ActionDescriptor] = [:]

  public init() {}

  public init(_ actions: [any Action.Type]) {
    for action in actions { register(action) }
  }

  public mutating func register(_ action: any Action.Type) {
    register(action.descriptor)
  }

  public mutating func register(_ descriptor: ActionDescriptor) {
    descriptors[descriptor.name] = descriptor
  }

  public subscript(name: String) -> ActionDescriptor? { descriptors[name] }

  /// Every action, by name.
  public var all: [ActionDescriptor] { descriptors.keys.sorted().map { descriptors[$0]! } }

  public var names: [String] { descriptors.keys.sorted() }
}
